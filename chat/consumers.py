import json
import time
from collections import OrderedDict

from channels.db import database_sync_to_async
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from chat import events, selectors, services
from chat.conf import TYPING_MIN_INTERVAL_SECONDS
from chat.errors import RoomNotFound
from chat.serializers import (
    ChatMessageSendInputSerializer,
    ChatReadInputSerializer,
    room_event_frame,
    text_message_fields,
)
from config import errors, realtime
from config.exceptions import to_api_error
from config.throttling import rate_limit_hit_async
from config.websocket import AuthenticatedJsonConsumer


def _validated(serializer_class, payload: dict) -> dict:
    """The frame's fields validated like the REST body; errors as the REST API reports them."""
    serializer = serializer_class(data={k: v for k, v in payload.items() if k != "type"})
    try:
        serializer.is_valid(raise_exception=True)
    except ValidationError as error:
        raise to_api_error(error) from None
    return serializer.validated_data


# Rendered message frames, shared by the sockets of this process: a message looks the same to every
# member except for whether its sender's id shows, so a room renders it at most twice, not once per
# member (rendering was most of the event loop's work per message; docs/benchmarks.md).
_message_frames: "OrderedDict[tuple[str, bool], str]" = OrderedDict()
_MESSAGE_FRAMES_KEPT = 4096


def _message_frame_text(viewer: selectors.Viewer, event: dict) -> str:
    sender = event["message"]["sender"]
    key = (event["message"]["message_id"], sender is not None and viewer.sees_user_id_of(sender["group"]))
    text = _message_frames.get(key)
    if text is None:
        text = json.dumps(room_event_frame(viewer, event), ensure_ascii=False)
        _message_frames[key] = text
        if len(_message_frames) > _MESSAGE_FRAMES_KEPT:
            _message_frames.popitem(last=False)
    return text


class ChatRoomConsumer(AuthenticatedJsonConsumer):
    """``/ws/matching/chats/<room_id>``: a room's messages, typing and read receipts (CONTRACT §7).

    Only members who have not left connect (else 4403). Every frame is shaped for this member by
    ``chat.serializers.room_event_frame``, so a blind room never shows the other group's ids.
    """

    viewer: selectors.Viewer | None = None
    # The last typing state this socket forwarded, and when (monotonic seconds).
    _typing_sent: tuple[bool, float] | None = None

    async def authorize(self) -> bool:
        self.room_id = self.scope["url_route"]["kwargs"]["room_id"]
        self.viewer = await database_sync_to_async(selectors.room_viewer)(user=self.user, room_id=self.room_id)
        return self.viewer is not None

    async def subscribe(self) -> None:
        # Before the handshake completes: a message sent while it completes is not lost.
        await self.join_group(events.seat_group(self.room_id, self.user.public_id))
        await self.join_group(events.room_group(self.room_id))

    async def on_connected(self) -> None:
        # Checked again after joining: a leave that committed between authorize() and the joins
        # sent its removal to a group this socket was not in yet.
        if await database_sync_to_async(selectors.room_viewer)(user=self.user, room_id=self.room_id) is None:
            await self._leave_room_groups()
            await self.refuse(realtime.CLOSE_FORBIDDEN, errors.Forbidden())

    # --- client frames ------------------------------------------------------------------------
    async def handle_message(self, payload: dict) -> None:
        state = await rate_limit_hit_async("chat_message", str(self.user.public_id))
        if not state.allowed:
            # CONTRACT §1: over the limit the socket closes with 4429, after an error frame.
            await self.refuse(realtime.CLOSE_RATE_LIMITED, errors.RateLimitExceeded(retry_after=state.retry_after))
            return
        data = text_message_fields(payload) or _validated(ChatMessageSendInputSerializer, payload)
        # Stored, then broadcast after commit to everyone in the room (this socket included).
        await services.chat_message_send_async(
            user=self.user,
            room_id=self.room_id,
            message_type=data["message_type"],
            content=data["content"],
            attachment_ids=data["attachments"],
        )

    async def handle_typing(self, payload: dict) -> None:
        is_typing = payload.get("is_typing")
        if not isinstance(is_typing, bool):
            raise errors.ValidationFailed(details={"is_typing": [str(_("Must be true or false."))]})
        now = time.monotonic()
        # Throttled per socket: a repeat of the same state within the interval is dropped.
        if self._typing_sent is not None:
            last_state, last_at = self._typing_sent
            if last_state == is_typing and now - last_at < TYPING_MIN_INTERVAL_SECONDS:
                return
        self._typing_sent = (is_typing, now)
        await self.channel_layer.group_send(
            events.room_group(self.room_id), events.typing_message(person=self.viewer.person(), is_typing=is_typing)
        )

    async def handle_read(self, payload: dict) -> None:
        data = _validated(ChatReadInputSerializer, payload)
        await database_sync_to_async(services.chat_room_mark_read)(
            user=self.user, room_id=self.room_id, last_read_message_id=data["last_read_message_id"]
        )

    # --- room events from the channel layer -------------------------------------------------------
    async def _relay(self, event: dict) -> None:
        if self._closing:
            return
        if event["type"] == "chat.message":
            await self.send(text_data=_message_frame_text(self.viewer, event))
            return
        frame = room_event_frame(self.viewer, event)
        if frame is not None:
            await self.send_json(frame)

    chat_message = _relay
    chat_typing = _relay
    chat_read = _relay
    chat_member_left = _relay
    chat_room_closed = _relay

    async def chat_member_removed(self, event: dict) -> None:
        """This member left the room: stop receiving at once and close."""
        await self._leave_room_groups()
        await self.refuse(realtime.CLOSE_FORBIDDEN, RoomNotFound())

    async def socket_force_close(self, message: dict) -> None:
        # A sanction: leave the room's groups before closing so nothing more is delivered.
        await self._leave_room_groups()
        await super().socket_force_close(message)

    async def _leave_room_groups(self) -> None:
        for group in (events.room_group(self.room_id), events.seat_group(self.room_id, self.user.public_id)):
            await self.leave_group(group)
