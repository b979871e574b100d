"""The per-user events moderation sends on ``/ws/events/`` (CONTRACT §9), after commit."""

from datetime import datetime

from config.realtime import send_user_event_on_commit
from config.responses import utc_timestamp

WARNED = "moderation.warned"
ACCOUNT_SUSPENDED = "account.suspended"


def send_warned(*, user, warning_count: int, warned_at: datetime) -> None:
    send_user_event_on_commit(
        [user.public_id], WARNED, {"warning_count": warning_count, "warned_at": utc_timestamp(warned_at)}
    )


def send_account_suspended(*, user, until: datetime | None, banned: bool) -> None:
    """Sent just before the user's sockets are closed, so a client can tell the person why.

    ``banned`` false: suspended until ``until``; true: banned for good (``until`` null).
    """
    send_user_event_on_commit(
        [user.public_id],
        ACCOUNT_SUSPENDED,
        {"banned": banned, "until": utc_timestamp(until) if until is not None else None},
    )
