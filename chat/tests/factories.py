"""Rooms are built through the real service, as the pools app builds them."""

import uuid

from chat.services import RoomGroupSpec, chat_room_open_for_proposal
from config.testing import UserFactory


def open_room(*, a: int = 2, b: int = 2, display_mode: str = "blind", users_a=None, users_b=None, proposal_id=None):
    """Opens a room with fresh users (or the given ones); returns (summary, users_a, users_b)."""
    users_a = users_a if users_a is not None else [UserFactory() for _ in range(a)]
    users_b = users_b if users_b is not None else [UserFactory(gender="female") for _ in range(b)]
    summary = chat_room_open_for_proposal(
        proposal_id=proposal_id or uuid.uuid4(),
        group_a=RoomGroupSpec(user_ids=[u.pk for u in users_a], department="컴퓨터공학과", grade="3학년"),
        group_b=RoomGroupSpec(user_ids=[u.pk for u in users_b], department="경영학과", grade="2학년"),
        display_mode=display_mode,
    )
    return summary, users_a, users_b


def add_messages(room_id, sender_user, contents, *, created_at=None):
    """Stores text messages as a member would send them (timestamps may be forced to collide)."""
    from chat.models import ChatMember, ChatRoom, Message, MessageType

    member = ChatMember.objects.get(room_id=room_id, user=sender_user)
    rows = [
        Message(room_id=room_id, sender=member, message_type=MessageType.TEXT, content=content,
                **({"created_at": created_at(i)} if created_at else {}))
        for i, content in enumerate(contents)
    ]
    created = Message.objects.bulk_create(rows)
    # As the send service does: the room points at its newest message (the forced times may be older).
    newest = Message.objects.filter(room_id=room_id).order_by("-created_at", "-seq").first()
    ChatRoom.objects.filter(pk=room_id).update(last_message=newest)
    return created
