import uuid

from channels.db import database_sync_to_async

from calls import selectors, signaling
from calls.errors import CallAlreadyEnded
from calls.events import call_group
from config import realtime
from config.errors import MalformedRequest
from config.websocket import AuthenticatedJsonConsumer

CLOSE_NORMAL = 1000


class CallSignalingConsumer(AuthenticatedJsonConsumer):
    """``/ws/call/<call_session_id>/``: WebRTC signaling between the two participants of an open call.

    Presence: a socket that joins says ``call.hello`` to the call's group; a socket of the other
    participant answers straight to the newcomer's channel, so each side learns of the other once
    (``peer.joined``) even when both connect at the same instant. ``should_offer`` is true for the
    caller only, so exactly one side makes the offer. Relayed frames go to the other participant's
    sockets only, never back to the sender's.
    """

    async def authorize(self) -> bool:
        try:
            session_id = uuid.UUID(self.scope["url_route"]["kwargs"]["call_session_id"])
        except ValueError:
            return False
        access = await database_sync_to_async(selectors.call_socket_access)(user=self.user, session_id=session_id)
        if access is None:
            return False
        if not access.is_open:
            raise CallAlreadyEnded()
        self.access = access
        self.me = str(self.user.public_id)
        self.group = call_group(access.session_id)
        self.peer_channels: set[str] = set()
        return True

    async def subscribe(self) -> None:
        await self.join_group(self.group)

    async def on_connected(self) -> None:
        # The call may have ended between authorize and the join, when its call.ended was sent to
        # a group this socket was not in yet.
        if not await database_sync_to_async(selectors.call_is_open)(call_id=self.access.call_id):
            await self.refuse(realtime.CLOSE_FORBIDDEN, CallAlreadyEnded())
            return
        await self.channel_layer.group_send(self.group, self._presence("call.hello"))

    async def on_disconnected(self) -> None:
        await self.channel_layer.group_send(self.group, self._presence("call.bye"))

    def _presence(self, message_type: str) -> dict:
        return {"type": message_type, "channel": self.channel_name, "user_id": self.me}

    # --- client frames ------------------------------------------------------------------
    async def handle_offer(self, payload: dict) -> None:
        await self._relay(payload)

    async def handle_answer(self, payload: dict) -> None:
        await self._relay(payload)

    async def handle_ice_candidate(self, payload: dict) -> None:
        await self._relay(payload)

    async def handle_hangup(self, payload: dict) -> None:
        await self._relay(payload)

    async def _relay(self, payload: dict) -> None:
        try:
            frame = signaling.relay_frame(payload)
        except MalformedRequest as error:
            await self.refuse(realtime.CLOSE_MALFORMED, error)
            return
        await self.channel_layer.group_send(
            self.group, {"type": "call.relay", "sender": self.me, "frame": {**frame, "from": self.me}}
        )

    # --- channel-layer messages -----------------------------------------------------------
    async def call_relay(self, message: dict) -> None:
        if message["sender"] != self.me:
            await self.send_json(message["frame"])

    async def call_hello(self, message: dict) -> None:
        if message["user_id"] == self.me:
            return
        await self._peer_present(message)
        await self.channel_layer.send(message["channel"], self._presence("call.hello_reply"))

    async def call_hello_reply(self, message: dict) -> None:
        await self._peer_present(message)

    async def _peer_present(self, message: dict) -> None:
        if message["channel"] in self.peer_channels:
            return
        self.peer_channels.add(message["channel"])
        await self.send_json(
            {"type": "peer.joined", "user_id": message["user_id"], "should_offer": self.access.is_caller}
        )

    async def call_bye(self, message: dict) -> None:
        if message["channel"] not in self.peer_channels:
            return
        self.peer_channels.discard(message["channel"])
        await self.send_json({"type": "peer.left", "user_id": message["user_id"]})

    async def call_ended(self, message: dict) -> None:
        await self.send_json({"type": "call.ended", **message["data"]})
        await self.refuse(CLOSE_NORMAL)
