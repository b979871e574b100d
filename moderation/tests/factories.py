"""Reports and the encounters they need, built through the real services of each app."""

from chat.tests.factories import open_room
from matching.models import MatchBlock
from moderation import services


def room_together(reporter, reported, *others):
    """Seats ``reporter`` and ``reported`` in one chat room (opposite groups); returns its id."""
    summary, _, _ = open_room(users_a=[reporter, *others], users_b=[reported])
    return summary.room_id


def user_report(*, reporter, reported, reason: str = "abusive in chat", details: str = ""):
    """A pending ``user`` report from someone who shared a room with ``reported``."""
    room_together(reporter, reported)
    return services.report_create(
        reporter=reporter,
        reported_user_id=reported.public_id,
        report_type="user",
        reason=reason,
        details=details,
    )


def pair_blocked(user, other) -> bool:
    """Whether random matching holds the pair apart (one row per pair, lower pk first)."""
    low, high = sorted([user.pk, other.pk])
    return MatchBlock.objects.filter(user_low_id=low, user_high_id=high).exists()
