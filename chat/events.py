"""The chat room's realtime events: built here, sent after commit, shaped per reader by the consumer.

Channel-layer messages carry the full facts (a sender's public id and group); the consumer turns
them into the frame its own member may see (``chat.serializers`` with a ``Viewer``), so a blind room never sends
the other group's ids to a client. Groups:

- ``chatroom.<room_id>``: every socket connected to the room;
- ``chatseat.<room_id>.<user_public_id>``: one member's sockets in that room, to remove them
  at once when the member leaves.
"""

from typing import Any

from channels.layers import get_channel_layer

from config.realtime import group_send_on_commit


def room_group(room_id) -> str:
    return f"chatroom.{room_id}"


def seat_group(room_id, user_public_id) -> str:
    return f"chatseat.{room_id}.{user_public_id}"


def person_fact(member) -> dict[str, Any]:
    """Who did something, as facts; the presentation layer decides what a reader sees."""
    return {"user_id": str(member.user.public_id), "display_name": member.display_name, "group": member.group}


def message_created_on_commit(room_id, message_fact: dict[str, Any]) -> None:
    group_send_on_commit(room_group(room_id), _message_created(message_fact))


async def send_message_created(room_id, message_fact: dict[str, Any]) -> None:
    """``message_created_on_commit`` for a message already committed, from the event loop."""
    await get_channel_layer().group_send(room_group(room_id), _message_created(message_fact))


def _message_created(message_fact: dict[str, Any]) -> dict[str, Any]:
    return {"type": "chat.message", "message": message_fact}


def read_on_commit(room_id, *, person: dict[str, Any], last_read_message_id: str, last_read_at: str) -> None:
    group_send_on_commit(
        room_group(room_id),
        {
            "type": "chat.read",
            "person": person,
            "last_read_message_id": last_read_message_id,
            "last_read_at": last_read_at,
        },
    )


def member_removed_on_commit(room_id, user_public_id) -> None:
    """Closes the member's sockets in this room. Sent before any other event of the same commit,
    so a leaver's socket (one channel, read in order) sees nothing that follows their leaving."""
    group_send_on_commit(seat_group(room_id, user_public_id), {"type": "chat.member_removed"})


def member_left_on_commit(room_id, *, person: dict[str, Any], left_at: str) -> None:
    group_send_on_commit(room_group(room_id), {"type": "chat.member_left", "person": person, "left_at": left_at})


def room_closed_on_commit(room_id, *, closed_at: str) -> None:
    group_send_on_commit(
        room_group(room_id), {"type": "chat.room_closed", "room_id": str(room_id), "closed_at": closed_at}
    )


def typing_message(*, person: dict[str, Any], is_typing: bool) -> dict[str, Any]:
    """Typing is not stored: the consumer sends this to ``room_group`` at once."""
    return {"type": "chat.typing", "person": person, "is_typing": is_typing}
