"""WebSocket plumbing: JWT from ``?token=``, and the base consumer every socket uses.

The base consumer accepts before it refuses, so clients read the contract's close codes
(4401, 4403, ...) instead of a bare handshake failure. Subclasses join their groups in
``subscribe()``, which runs before the handshake completes, so no event is missed. It enforces the frame size limit,
JSON shape (4400), a per-connection frame rate (4429) and an idle timeout (4408), joins the
user's control group so a sanction closes the socket at once, and dispatches
``{"type": "x.y"}`` frames to ``handle_x_y(payload)``.
"""

import asyncio
import json
import logging
import time
from collections import deque
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from config import errors, realtime

logger = logging.getLogger(__name__)


@database_sync_to_async
def _authenticate(raw_token: str):
    from accounts.authentication import authenticate_access_token

    try:
        return authenticate_access_token(raw_token), None
    except errors.ApiError as error:
        return AnonymousUser(), error


class JwtQueryAuthMiddleware(BaseMiddleware):
    """Sets ``scope["user"]`` from ``?token=<access>`` and ``scope["auth_error"]`` when it fails."""

    async def __call__(self, scope, receive, send):
        scope = dict(scope)
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        token = (query.get("token") or [""])[0]
        if token:
            scope["user"], scope["auth_error"] = await _authenticate(token)
        else:
            scope["user"], scope["auth_error"] = AnonymousUser(), errors.Unauthorized()
        return await super().__call__(scope, receive, send)


class AuthenticatedJsonConsumer(AsyncWebsocketConsumer):
    """Base for every socket. Subclasses implement ``authorize`` and ``handle_<type>`` methods."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = None
        self.joined_groups: list[str] = []
        self._frame_times: deque[float] = deque()
        self._last_frame_at = time.monotonic()
        self._idle_task: asyncio.Task | None = None
        self._closing = False
        self._subscribed = False

    # --- life cycle ---------------------------------------------------------------
    async def connect(self):
        auth_error = self.scope.get("auth_error")
        if auth_error is not None:
            code = (
                realtime.CLOSE_FORBIDDEN
                if isinstance(auth_error, (errors.AccountSuspended, errors.AccountBanned))
                else realtime.CLOSE_UNAUTHENTICATED
            )
            await self.accept()
            await self.refuse(code, auth_error)
            return
        self.user = self.scope["user"]
        try:
            allowed = await self.authorize()
        except errors.ApiError as error:
            await self.accept()
            await self.refuse(realtime.CLOSE_FORBIDDEN, error)
            return
        if not allowed:
            await self.accept()
            await self.refuse(realtime.CLOSE_FORBIDDEN, errors.Forbidden())
            return
        await self.join_group(realtime.user_sockets_group(self.user.public_id))
        # Groups are joined before the handshake completes: once a client sees the socket
        # open, nothing sent to it can be missed.
        await self.subscribe()
        self._subscribed = True
        await self.accept()
        self._idle_task = asyncio.create_task(self._close_when_idle())
        await self.on_connected()

    async def disconnect(self, code):
        if self._idle_task is not None:
            self._idle_task.cancel()
        if self.user is not None and self._subscribed:
            await self.on_disconnected()
        await self._leave_all_groups()

    async def _leave_all_groups(self) -> None:
        for group in self.joined_groups:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined_groups = []

    async def authorize(self) -> bool:
        """Whether ``self.user`` may use this socket (e.g. is a member of the room)."""
        return True

    async def subscribe(self) -> None:
        """Join this socket's groups (runs before the handshake is accepted)."""

    async def on_connected(self) -> None:
        """Runs after the handshake is accepted (e.g. to greet or tell peers)."""

    async def on_disconnected(self) -> None:
        pass

    # --- helpers ------------------------------------------------------------------
    async def join_group(self, group: str) -> None:
        await self.channel_layer.group_add(group, self.channel_name)
        self.joined_groups.append(group)

    async def leave_group(self, group: str) -> None:
        await self.channel_layer.group_discard(group, self.channel_name)
        if group in self.joined_groups:
            self.joined_groups.remove(group)

    async def send_json(self, payload: dict) -> None:
        await self.send(text_data=json.dumps(payload, ensure_ascii=False))

    async def send_error(self, error: errors.ApiError) -> None:
        await self.send_json({"type": "error", "code": error.code, "message": str(error.message)})

    async def refuse(self, code: int, error: errors.ApiError | None = None) -> None:
        if self._closing:
            return
        self._closing = True
        # Out of every group first, so a closing socket is handed nothing more.
        await self._leave_all_groups()
        if error is not None:
            await self.send_error(error)
        await self.close(code=code)

    # --- inbound frames -----------------------------------------------------------
    async def receive(self, text_data=None, bytes_data=None):
        if self._closing or self.user is None:
            return
        self._last_frame_at = time.monotonic()
        raw = text_data if text_data is not None else bytes_data
        size = len(raw.encode() if isinstance(raw, str) else raw or b"")
        if size > settings.WS_MAX_FRAME_BYTES:
            await self.refuse(realtime.CLOSE_MALFORMED, errors.PayloadTooLarge())
            return
        if self._over_frame_rate():
            await self.refuse(realtime.CLOSE_RATE_LIMITED, errors.RateLimitExceeded())
            return
        try:
            payload = json.loads(raw)
        except (TypeError, ValueError, RecursionError):
            await self.refuse(realtime.CLOSE_MALFORMED, errors.MalformedRequest())
            return
        frame_type = payload.get("type") if isinstance(payload, dict) else None
        handler = None
        if isinstance(frame_type, str) and frame_type.replace(".", "_").replace("_", "").isalnum():
            handler = getattr(self, "handle_" + frame_type.replace(".", "_"), None)
        if handler is None:
            await self.refuse(realtime.CLOSE_MALFORMED, errors.MalformedRequest())
            return
        try:
            await handler(payload)
        except errors.ApiError as error:
            await self.send_error(error)

    async def handle_ping(self, payload: dict) -> None:
        await self.send_json({"type": "pong"})

    def _over_frame_rate(self) -> bool:
        now = time.monotonic()
        self._frame_times.append(now)
        while self._frame_times and now - self._frame_times[0] > 10:
            self._frame_times.popleft()
        return len(self._frame_times) > settings.WS_FRAMES_PER_10_SECONDS

    async def _close_when_idle(self) -> None:
        timeout = settings.WS_IDLE_TIMEOUT_SECONDS
        while True:
            remaining = timeout - (time.monotonic() - self._last_frame_at)
            if remaining <= 0:
                await self.refuse(realtime.CLOSE_IDLE)
                return
            await asyncio.sleep(remaining)

    # --- control messages from the channel layer --------------------------------------
    async def socket_force_close(self, message: dict) -> None:
        await self.refuse(message.get("code", realtime.CLOSE_FORBIDDEN))
