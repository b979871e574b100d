"""The per-user events pools emits on ``/ws/events/`` (CONTRACT §9), sent after commit."""

import uuid
from collections.abc import Iterable

from chat.services import RoomSummary
from config.realtime import send_user_event_on_commit
from config.responses import utc_timestamp
from pools.models import Pool, Proposal

PROPOSAL_RECEIVED = "proposal.received"
PROPOSAL_MATCHED = "proposal.matched"


def my_pool_data(pool: Pool) -> dict:
    return {"pool_id": str(pool.pk), "member_count": pool.member_count, "department": pool.department}


def matched_pool_data(pool: Pool) -> dict:
    return {
        "pool_id": str(pool.pk),
        "member_count": pool.member_count,
        "department": pool.department,
        "message": pool.message,
        "matching_type": pool.matching_type,
    }


def chat_room_data(room: RoomSummary) -> dict:
    return {
        "room_id": str(room.room_id),
        "room_name": room.room_name,
        "display_mode": room.display_mode,
        "members_count": room.members_count,
    }


def proposal_received(
    *, proposal: Proposal, pool_a: Pool, pool_b: Pool, members_a: Iterable[uuid.UUID], members_b: Iterable[uuid.UUID]
) -> None:
    """Each side's members learn of the proposal from their own pool's point of view."""
    for members, mine, theirs in ((members_a, pool_a, pool_b), (members_b, pool_b, pool_a)):
        send_user_event_on_commit(
            members,
            PROPOSAL_RECEIVED,
            {
                "proposal_id": str(proposal.pk),
                "my_pool": my_pool_data(mine),
                "matched_pool": matched_pool_data(theirs),
                "my_status": "pending",
                "other_status": "pending",
                "created_at": utc_timestamp(proposal.created_at),
                "expires_at": utc_timestamp(proposal.expires_at),
            },
        )


def proposal_matched(*, proposal_id: uuid.UUID, room: RoomSummary, member_public_ids: Iterable[uuid.UUID]) -> None:
    send_user_event_on_commit(
        member_public_ids,
        PROPOSAL_MATCHED,
        {"proposal_id": str(proposal_id), "final_status": "matched", "chat_room": chat_room_data(room)},
    )
