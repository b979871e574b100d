"""The per-user events of random matching on ``/ws/events/``, each sent after commit.

- ``match.found``: a pending match was made; data is the same body ``GET /api/match/random/``
  returns to that user (``match_id``, ``matched_user``, ``show_time_sec``, ``status``, ``expires_at``).
- ``match.matched``: both accepted; data ``{"match_id", "status": "matched", "matched_user_id"}``.
- ``match.next``: the match is over without a call; data ``{"match_id", "status": "next", "reason"}``
  with reason ``rejected``, ``expired``, ``cancelled`` or ``insufficient_gems``.
"""

from config.realtime import send_user_event_on_commit
from matching.models import Match


def match_found_on_commit(match: Match, payloads: dict[int, dict]) -> None:
    for participant in (match.user_a, match.user_b):
        send_user_event_on_commit([participant.public_id], "match.found", payloads[participant.pk])


def match_matched_on_commit(match: Match) -> None:
    for participant, partner in ((match.user_a, match.user_b), (match.user_b, match.user_a)):
        send_user_event_on_commit(
            [participant.public_id],
            "match.matched",
            {"match_id": match.pk, "status": "matched", "matched_user_id": str(partner.public_id)},
        )


def match_next_on_commit(match: Match, recipients: list, reason: str) -> None:
    send_user_event_on_commit(
        [recipient.public_id for recipient in recipients],
        "match.next",
        {"match_id": match.pk, "status": "next", "reason": reason},
    )
