"""Resources that belong to one event loop, closed with it.

Connections opened on an event loop can only be closed properly on that loop, and once it is
closed nothing more runs on it. Most processes have one loop for their whole life, but each test
has a loop of its own, and asgiref's ``async_to_sync`` may make one per call: a resource kept per
loop is closed just before its loop closes. channels_redis wraps ``loop.close`` the same way for
its own per-loop connections.
"""

import asyncio
import types
from collections.abc import Awaitable, Callable


def close_with_loop(loop: asyncio.AbstractEventLoop, cleanup: Callable[[], Awaitable[None]]) -> None:
    """Runs ``cleanup()`` on ``loop`` just before the loop closes. ``cleanup`` must not raise:
    an error there would leave the loop open."""
    close_loop = loop.close

    def close(self, *args, **kwargs):
        self.close = close_loop
        if not self.is_running() and not self.is_closed():
            self.run_until_complete(cleanup())
        return close_loop(*args, **kwargs)

    loop.close = types.MethodType(close, loop)
