"""Sending realtime events through the channel layer, always after the transaction commits.

Groups: ``user.<uuid>`` for per-user events on ``/ws/events/``, ``sockets.<uuid>`` for control
messages every socket of that user obeys (forced close), plus the groups apps define
(``room.<uuid>``, ``call.<uuid>``). Nothing is sent for a transaction that rolls back.
"""

from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from config.responses import utc_timestamp

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_MALFORMED = 4400
CLOSE_RATE_LIMITED = 4429
CLOSE_IDLE = 4408


def user_group(user_public_id) -> str:
    return f"user.{user_public_id}"


def user_sockets_group(user_public_id) -> str:
    return f"sockets.{user_public_id}"


def event_frame(event_type: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": event_type, "data": data, "timestamp": utc_timestamp()}


def group_send_now(group: str, message: dict[str, Any]) -> None:
    async_to_sync(get_channel_layer().group_send)(group, message)


def group_send_on_commit(group: str, message: dict[str, Any]) -> None:
    transaction.on_commit(lambda: group_send_now(group, message))


def send_user_event_on_commit(user_public_ids: Iterable, event_type: str, data: dict[str, Any]) -> None:
    """Queues ``{"type", "data", "timestamp"}`` to each user's ``/ws/events/`` sockets after commit."""
    frame = event_frame(event_type, data)
    for public_id in list(user_public_ids):
        group_send_on_commit(user_group(public_id), {"type": "user.event", "event": frame})


def close_user_sockets_on_commit(user_public_id, *, code: int = CLOSE_FORBIDDEN, reason: str = "") -> None:
    """Closes every open socket of the user (events, chat, call), e.g. when they are sanctioned."""
    group_send_on_commit(
        user_sockets_group(user_public_id), {"type": "socket.force_close", "code": code, "reason": reason}
    )
