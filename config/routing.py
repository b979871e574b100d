"""Every WebSocket route. Each app exposes ``websocket_urlpatterns`` in its ``routing.py``."""

from accounts.routing import websocket_urlpatterns as accounts_ws
from calls.routing import websocket_urlpatterns as calls_ws
from chat.routing import websocket_urlpatterns as chat_ws

websocket_urlpatterns = [*accounts_ws, *calls_ws, *chat_ws]
