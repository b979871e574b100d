"""Chat reads: membership checks, room lists with unread counts, history pages, evidence."""

import uuid

from chat.models import ChatMember, Message
from config.responses import utc_timestamp


def users_share_room(*, user, other) -> bool:
    """Whether the two users sit, or sat, in one chat room (leaving does not erase it)."""
    if user.pk == other.pk:
        return False
    return ChatMember.objects.filter(
        user=other, room__in=ChatMember.objects.filter(user=user).values("room")
    ).exists()


def message_evidence(*, reporter, message_id) -> dict | None:
    """A snapshot of a message for a report, when the reporter is or was in its room; else None."""
    try:
        message_uuid = uuid.UUID(str(message_id))
    except ValueError:
        return None
    message = (
        Message.objects.select_related("sender__user")
        .filter(message_id=message_uuid, room__members__user=reporter)
        .first()
    )
    if message is None:
        return None
    return {
        "message_id": str(message.message_id),
        "content": message.content,
        "message_type": message.message_type,
        "sender_user_id": str(message.sender.user.public_id) if message.sender is not None else None,
        "room_id": str(message.room_id),
        "created_at": utc_timestamp(message.created_at),
    }
