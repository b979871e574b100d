"""Chat use cases: opening a room for a matched proposal, sending, leaving, reading, attachments.

Every write that depends on a room's state (active, who is still a member) locks the room row
first (``SELECT ... FOR NO KEY UPDATE``), so sends, leaves and closes in one room are serialized
and a message's ``created_at`` follows the lock order. Events go out after commit.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from chat.conf import ROOM_NAME_PREFIX
from chat.models import ChatMember, ChatRoom, DisplayMode, Group, Message, MessageType


@dataclass(frozen=True)
class RoomGroupSpec:
    user_ids: list[int]  # User pks, in display order (A1.. / B1..)
    department: str
    grade: str


@dataclass(frozen=True)
class RoomSummary:
    room_id: uuid.UUID
    room_name: str
    display_mode: str  # "blind" | "open"
    members_count: int


def room_name_for(moment: datetime) -> str:
    """``과팅 매칭 - YYYY.MM.DD`` in the display time zone (Asia/Seoul)."""
    local = moment.astimezone(ZoneInfo(settings.DISPLAY_TIME_ZONE))
    return f"{ROOM_NAME_PREFIX} - {local:%Y.%m.%d}"


def _summary(room: ChatRoom, members_count: int) -> RoomSummary:
    return RoomSummary(
        room_id=room.id, room_name=room.room_name, display_mode=room.display_mode, members_count=members_count
    )


def _check_room_spec(group_a: RoomGroupSpec, group_b: RoomGroupSpec, display_mode: str) -> None:
    if display_mode not in DisplayMode.values:
        raise ValueError(f"display_mode must be one of {DisplayMode.values}, not {display_mode!r}")
    everyone = [*group_a.user_ids, *group_b.user_ids]
    if not group_a.user_ids or not group_b.user_ids:
        raise ValueError("both groups need at least one member")
    if len(set(everyone)) != len(everyone):
        raise ValueError("a user may sit in only one seat of a room")


def chat_room_open_for_proposal(
    *, proposal_id: uuid.UUID, group_a: RoomGroupSpec, group_b: RoomGroupSpec, display_mode: str
) -> RoomSummary:
    """Opens the one chat room of a matched proposal, or returns the one it already has.

    Runs inside the caller's transaction (a nested savepoint, not durable). Members are seated
    ``A1..An`` then ``B1..Bn`` in the given order, the room is named after today's date in
    Asia/Seoul, and it starts with a system message. The unique ``proposal_id`` makes a second
    room impossible: a concurrent duplicate waits on the index, fails, and gets the winner's room.
    Raises ValueError for an impossible spec (a programming error of the caller).
    """
    _check_room_spec(group_a, group_b, display_mode)
    existing = _existing_room_summary(proposal_id)
    if existing is not None:
        return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            room = ChatRoom.objects.create(
                proposal_id=proposal_id,
                room_name=room_name_for(now),
                display_mode=display_mode,
                group_a_department=group_a.department,
                group_a_grade=group_a.grade,
                group_b_department=group_b.department,
                group_b_grade=group_b.grade,
                created_at=now,
            )
            members = [
                ChatMember(
                    room=room, user_id=user_id, group=group, position=position,
                    display_name=f"{group}{position}", joined_at=now,
                )
                for group, spec in ((Group.A, group_a), (Group.B, group_b))
                for position, user_id in enumerate(spec.user_ids, start=1)
            ]
            ChatMember.objects.bulk_create(members)
            Message.objects.create(
                room=room, message_type=MessageType.SYSTEM, content=_room_opened_text(), created_at=now
            )
    except IntegrityError:
        existing = _existing_room_summary(proposal_id)
        if existing is None:
            raise
        return existing
    return _summary(room, len(members))


def _room_opened_text() -> str:
    # Stored once for every reader, so it is written in the product's language (Korean).
    return "매칭이 성사되었습니다! 서로 인사를 나눠 보세요."


def _existing_room_summary(proposal_id: uuid.UUID) -> RoomSummary | None:
    room = ChatRoom.objects.filter(proposal_id=proposal_id).first()
    if room is None:
        return None
    return _summary(room, room.members.count())
