import asyncio
import gc
import os
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext
from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402  (needs Django set up first)
from django.conf import settings  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402
from config.websocket import JwtQueryAuthMiddleware  # noqa: E402


class PinnedThreadsHTTP:
    """Runs each HTTP request's sync code on one of a fixed set of long-lived threads.

    Django's ASGI handler gives every request a thread of its own, so a persistent database
    connection (``CONN_MAX_AGE``) was opened by each request and left behind in its dead
    thread: a new connection per request (about 4 ms here) and, under load, more connections
    than PostgreSQL allows ("too many clients", 500s). Here the threads live as long as the
    process, each keeps its connection, and at most ``threads`` connections are open; a request
    waits for a free thread (back pressure) instead of opening one more. See docs/benchmarks.md.
    """

    def __init__(self, app, threads: int):
        self.app = app
        self.threads = threads
        self._free: asyncio.LifoQueue | None = None

    async def __call__(self, scope, receive, send):
        if self._free is None:
            self._free = asyncio.LifoQueue()
            for _ in range(self.threads):
                self._free.put_nowait(ThreadPoolExecutor(max_workers=1, thread_name_prefix="django-http"))
        executor = await self._free.get()
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.app(scope, receive, send)
        finally:
            self._free.put_nowait(executor)


application = ProtocolTypeRouter(
    {
        "http": PinnedThreadsHTTP(django_asgi_app, threads=settings.HTTP_SYNC_THREADS),
        # Mobile clients send no Origin and browsers on other origins are expected (the app is a
        # public API), so the token, not the Origin, is what authorizes a socket.
        "websocket": JwtQueryAuthMiddleware(URLRouter(websocket_urlpatterns)),
    }
)

# Startup's objects (Django, the apps, the URLconf) are never garbage: keep full collections from
# walking them, and collect less often (settings.GC_THRESHOLDS).
gc.freeze()
gc.set_threshold(*settings.GC_THRESHOLDS)
