"""The per-room order lock: held from before a write until its events have been sent.

A row lock ends at commit, but events go out after commit; two senders on two servers could
then broadcast in the opposite order to the one they stored. Holding this lock across the
commit *and* the broadcast makes every socket receive a room's messages in stored order.
PostgreSQL: a session advisory lock (shared by every process and by both kinds of connection,
the ORM's and ``config.asyncdb``'s); elsewhere (the embedded SQLite mode runs one process): a
lock per room in this process.
"""

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from weakref import WeakValueDictionary

from django.db import connection

_local_locks: "WeakValueDictionary[uuid.UUID, threading.Lock]" = WeakValueDictionary()
_local_locks_guard = threading.Lock()


# PostgreSQL's statements, for connections other than the ORM's (``config.asyncdb``).
ADVISORY_LOCK_SQL = "SELECT pg_advisory_lock(%s)"
ADVISORY_UNLOCK_SQL = "SELECT pg_advisory_unlock(%s)"


def advisory_key(room_id: uuid.UUID) -> int:
    return int.from_bytes(uuid.UUID(str(room_id)).bytes[:8], "big", signed=True)


@contextmanager
def room_order_lock(room_id: uuid.UUID) -> Iterator[None]:
    if connection.vendor == "postgresql":
        key = advisory_key(room_id)
        with connection.cursor() as cursor:
            cursor.execute(ADVISORY_LOCK_SQL, [key])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(ADVISORY_UNLOCK_SQL, [key])
        return
    with _local_locks_guard:
        lock = _local_locks.setdefault(uuid.UUID(str(room_id)), threading.Lock())
    with lock:
        yield
