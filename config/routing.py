"""Every WebSocket route. Each app exposes ``websocket_urlpatterns`` in its ``routing.py``."""

from django.urls import re_path

from accounts.routing import websocket_urlpatterns as accounts_ws
from calls.routing import websocket_urlpatterns as calls_ws
from chat.routing import websocket_urlpatterns as chat_ws
from config import errors
from config.websocket import AuthenticatedJsonConsumer


class UnknownSocketConsumer(AuthenticatedJsonConsumer):
    """Any other socket path (or a malformed id in a known one): refused with 4403, not a 500."""

    async def authorize(self) -> bool:
        raise errors.NotFound()


websocket_urlpatterns = [
    *accounts_ws,
    *calls_ws,
    *chat_ws,
    re_path(r"", UnknownSocketConsumer.as_asgi()),
]
