"""The ASGI application benchmark servers run: the product's, plus a bare WebSocket echo.

``/ws/bench/echo/<room>`` is the fan-out baseline: no authentication, no database, no
serializer; a frame is sent to the room's group through the same channel layer and every
member's socket forwards it as it is.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from config.asgi import application as product_application  # noqa: E402


class EchoRoomConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        self.group = f"benchroom.{self.scope['url_route']['kwargs']['room']}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None):
        await self.channel_layer.group_send(self.group, {"type": "bench.echo", "text": text_data})

    async def bench_echo(self, message):
        await self.send(text_data=message["text"])


_echo = URLRouter([path("ws/bench/echo/<str:room>", EchoRoomConsumer.as_asgi())])
_product_websocket = product_application.application_mapping["websocket"]


async def _websocket(scope, receive, send):
    app = _echo if scope["path"].startswith("/ws/bench/") else _product_websocket
    return await app(scope, receive, send)


application = ProtocolTypeRouter(
    {"http": product_application.application_mapping["http"], "websocket": _websocket}
)

if os.environ.get("BENCH_PROFILE"):
    from bench import profiler

    profiler.start(os.environ["BENCH_PROFILE"])
    _unprofiled = application

    async def application(scope, receive, send):  # noqa: F811 - the profiled wrapper
        profiler.ensure_lag_probe()
        return await _unprofiled(scope, receive, send)
