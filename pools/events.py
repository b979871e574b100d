"""The per-user events pools emits on ``/ws/events/`` (CONTRACT §9), sent after commit.

A pairing run makes hundreds of proposals per transaction, each told to every member of both
pools, so the events of one transaction go to the channel layer in one batch: one event loop for
all of them instead of one ``async_to_sync`` round per message, which dominated the cost of large
runs (see docs/benchmarks.md). The frames are the ones ``config.realtime`` sends.
"""

import uuid
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from chat.services import RoomSummary
from config.realtime import event_frame, user_group
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


class EventBatch:
    """Per-user events collected during a transaction and sent together once it commits."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, dict]] = []

    def add(self, user_public_ids: Iterable[uuid.UUID], event_type: str, data: dict) -> None:
        frame = event_frame(event_type, data)
        self.messages.extend(
            (user_group(public_id), {"type": "user.event", "event": frame}) for public_id in user_public_ids
        )

    def send_on_commit(self) -> None:
        if self.messages:
            messages = list(self.messages)
            transaction.on_commit(lambda: send_now(messages))


def send_now(messages: list[tuple[str, dict]]) -> None:
    async def send_all() -> None:
        layer = get_channel_layer()
        for group, message in messages:
            await layer.group_send(group, message)

    async_to_sync(send_all)()


def proposal_received(
    batch: EventBatch,
    *,
    proposal: Proposal,
    pool_a: Pool,
    pool_b: Pool,
    members_a: Iterable[uuid.UUID],
    members_b: Iterable[uuid.UUID],
) -> None:
    """Each side's members learn of the proposal from their own pool's point of view."""
    for members, mine, theirs in ((members_a, pool_a, pool_b), (members_b, pool_b, pool_a)):
        batch.add(
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
    batch = EventBatch()
    batch.add(
        member_public_ids,
        PROPOSAL_MATCHED,
        {"proposal_id": str(proposal_id), "final_status": "matched", "chat_room": chat_room_data(room)},
    )
    batch.send_on_commit()
