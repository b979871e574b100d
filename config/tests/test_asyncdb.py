"""config.asyncdb: PostgreSQL connections used from the event loop, against the real database."""

import asyncio

import psycopg
import pytest
from django.db import connection

from config import asyncdb

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


async def backend_pid(conn) -> int:
    return (await (await conn.execute("SELECT pg_backend_pid()")).fetchone())[0]


async def test_a_connection_is_in_autocommit_on_the_test_database_and_reused():
    async with asyncdb.connection() as conn:
        assert conn.autocommit
        database, pid = await (await conn.execute("SELECT current_database(), pg_backend_pid()")).fetchone()
    assert database == connection.settings_dict["NAME"]
    async with asyncdb.connection() as conn:
        assert await backend_pid(conn) == pid


async def test_a_statement_cut_off_by_a_cancellation_stops_and_its_connection_works_again():
    statement_started = asyncio.Event()

    async def slow_statement():
        async with asyncdb.connection() as conn:
            statement_started.set()
            await conn.execute("SELECT pg_sleep(5) AS cut_off")

    running = asyncio.create_task(slow_statement())
    await statement_started.wait()
    await asyncio.sleep(0.1)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    async with asyncdb.connection() as conn:
        still_running = await (
            await conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE %s",
                ["%AS cut_off"],
            )
        ).fetchone()
        assert still_running == (0,)


async def test_a_connection_the_server_dropped_fails_once_then_is_replaced():
    async with asyncdb.connection() as doomed, asyncdb.connection() as killer:
        dropped_pid = await backend_pid(doomed)
        await killer.execute("SELECT pg_terminate_backend(%s)", [dropped_pid])
    # Both went back idle (nothing has told the doomed one yet); given back last, it comes first.
    with pytest.raises(psycopg.OperationalError):
        async with asyncdb.connection() as conn:
            await conn.execute("SELECT 1")
    async with asyncdb.connection() as conn:
        assert await backend_pid(conn) != dropped_pid


async def test_no_more_connections_than_the_setting_are_open_at_once(settings):
    settings.ASYNC_DB_CONNECTIONS = 2
    holding = 0
    most = 0

    async def hold():
        nonlocal holding, most
        async with asyncdb.connection() as conn:
            holding += 1
            most = max(most, holding)
            await conn.execute("SELECT pg_sleep(0.05)")
            holding -= 1

    await asyncio.gather(*(hold() for _ in range(6)))
    assert most == 2


async def test_idle_connections_close_without_a_loop():
    async with asyncdb.connection() as conn:
        pass
    asyncdb.close_idle_connections()
    assert conn.closed


def test_a_loops_connections_close_with_the_loop():
    """Closing the loop closes its connections on it, so the server's session ends with it."""

    async def open_one() -> int:
        async with asyncdb.connection() as conn:
            return await backend_pid(conn)

    def sessions() -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity")
            return {pid for (pid,) in cursor.fetchall()}

    loop = asyncio.new_event_loop()
    pid = loop.run_until_complete(open_one())
    assert pid in sessions()

    loop.close()

    assert loop not in asyncdb._by_loop
    assert pid not in sessions()
