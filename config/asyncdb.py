"""PostgreSQL from the event loop itself, for the socket paths with a latency target.

The ORM is synchronous: Channels runs every socket's database call on one shared thread, and each
round trip then waits for that thread and for the event loop to hand back the GIL. For a chat
message that was most of the time from send to delivery (docs/benchmarks.md §3). Code that must
not wait like that runs its few statements on psycopg's async connections, awaited on the loop
like the sockets around them.

Connections use the ORM's own settings (database, user, options), in autocommit; at most
``ASYNC_DB_CONNECTIONS`` per event loop, opened on first use and kept while they stay healthy,
and closed with their loop (``config.loops``). The idle ones live in a plain list rather than a
``psycopg_pool`` pool, because a pool runs maintenance tasks on its loop: every test has its own
loop, and each would leave a pool's tasks behind. PostgreSQL only: ``available()`` says whether
the default database is one.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from functools import partial

import psycopg
from django.conf import settings
from django.db import connections
from psycopg import AsyncConnection, pq

from config import db, loops


def available() -> bool:
    return connections["default"].vendor == "postgresql"


def prepares_statements() -> bool:
    """Whether statements may be prepared, as for the ORM's connections (``config.db``)."""
    return db.prepares_statements(connections["default"])


class _LoopConnections:
    def __init__(self, size: int):
        self.idle: list[AsyncConnection] = []
        self.slots = asyncio.Semaphore(size)

    async def open(self) -> AsyncConnection:
        while self.idle:
            connection = self.idle.pop()
            if not connection.closed:
                return connection
        params = connections["default"].get_connection_params()
        # The ORM's cursor class and adapters are for its synchronous connections.
        params.pop("cursor_factory", None)
        params.pop("context", None)
        # Only the statements that ask for it (prepare=True) are prepared, as in the ORM.
        params["prepare_threshold"] = None
        return await AsyncConnection.connect(**params, autocommit=True)

    def give_back(self, connection: AsyncConnection) -> None:
        # Anything but an idle, healthy session (a statement cut off by a cancellation, a broken
        # socket) is closed: its state is unknown, and closing releases its session locks.
        if connection.closed or connection.info.transaction_status != pq.TransactionStatus.IDLE:
            connection.pgconn.finish()
            return
        self.idle.append(connection)


# One per event loop, dropped when the loop closes.
_by_loop: dict[asyncio.AbstractEventLoop, _LoopConnections] = {}


@asynccontextmanager
async def connection() -> AsyncIterator[AsyncConnection]:
    """An autocommit connection for this task alone until the block ends.

    Session state left behind (an advisory lock) is the caller's to release before it returns.
    """
    loop = asyncio.get_running_loop()
    pool = _by_loop.get(loop)
    if pool is None:
        pool = _by_loop[loop] = _LoopConnections(settings.ASYNC_DB_CONNECTIONS)
        loops.close_with_loop(loop, partial(_close_loop_connections, loop))
    async with pool.slots:
        conn = await pool.open()
        try:
            yield conn
        finally:
            pool.give_back(conn)


async def _close_loop_connections(loop: asyncio.AbstractEventLoop) -> None:
    pool = _by_loop.pop(loop, None)
    while pool is not None and pool.idle:
        # A connection the server already dropped must not keep the loop open.
        with suppress(psycopg.Error, OSError):
            await pool.idle.pop().close()


def close_idle_connections() -> None:
    """Closes every idle connection of every loop; a loop that still runs opens new ones."""
    for pool in list(_by_loop.values()):
        while pool.idle:
            pool.idle.pop().pgconn.finish()
