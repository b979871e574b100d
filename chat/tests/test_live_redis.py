"""Real WebSocket clients against two real server processes that share only PostgreSQL and Redis.

Members are spread over both servers, so every delivery crosses processes through channels-redis.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import websockets
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.db import connection

from chat.models import Message
from chat.tests.factories import open_room
from config.testing import access_token_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not start")


@pytest.fixture
def servers(tmp_path):
    """Two daphne processes serving the test database; yields their ports."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST'] or '127.0.0.1'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
        "REDIS_URL": settings.REDIS_URL,
        "DB_CONN_MAX_AGE": "0",
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PRIVATE_MEDIA_ROOT": str(tmp_path / "private"),
    }
    ports = [_free_port(), _free_port()]
    processes = []
    try:
        for port in ports:
            log = open(tmp_path / f"server-{port}.log", "wb")  # noqa: SIM115 (closed with the process)
            process = subprocess.Popen(
                [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
                cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
            processes.append((process, log))
        for port, (process, _) in zip(ports, processes):
            _wait_for_port(port, process)
        yield ports
    finally:
        for process, log in processes:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


@pytest.fixture
def live_room():
    summary, users_a, users_b = open_room(a=3, b=3, display_mode="blind")
    members = [*users_a, *users_b]
    return summary.room_id, members, {user.pk: access_token_for(user) for user in members}


async def _collect(client, count: int, kind: str, timeout: float = 15) -> list[dict]:
    frames = []
    async with asyncio.timeout(timeout):
        while len(frames) < count:
            frame = json.loads(await client.recv())
            if frame["type"] == kind:
                frames.append(frame)
    return frames


async def _nothing_more(client, wait: float = 0.5) -> list[dict]:
    extra = []
    try:
        async with asyncio.timeout(wait):
            while True:
                extra.append(json.loads(await client.recv()))
    except TimeoutError:
        return extra


async def test_every_member_receives_every_message_once_in_stored_order_across_servers(servers, live_room):
    assert isinstance(get_channel_layer(), RedisChannelLayer)
    room_id, members, tokens = live_room
    clients = []
    for index, member in enumerate(members):
        port = servers[index % 2]
        clients.append(
            await websockets.connect(f"ws://127.0.0.1:{port}/ws/matching/chats/{room_id}?token={tokens[member.pk]}")
        )
    try:
        a1_socket, b1_socket = clients[0], clients[3]
        per_sender = 15
        # Two members send over their sockets (on different servers) and one over REST, all at once.
        socket_sends = [
            a1_socket.send(json.dumps({"type": "message", "message_type": "text", "content": f"a1-{i}"}))
            for i in range(per_sender)
        ] + [
            b1_socket.send(json.dumps({"type": "message", "message_type": "text", "content": f"b1-{i}"}))
            for i in range(per_sender)
        ]

        async def rest_sends():
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{servers[1]}") as http:
                for i in range(per_sender):
                    response = await http.post(
                        f"/api/v1/matching/chats/{room_id}/messages",
                        json={"content": f"a2-{i}"},
                        headers={"Authorization": f"Bearer {tokens[members[1].pk]}"},
                    )
                    assert response.status_code == 201

        await asyncio.gather(*socket_sends, rest_sends())
        total = per_sender * 3
        received = await asyncio.gather(*(_collect(client, total, "message") for client in clients))

        stored = await sync_to_async(
            lambda: [
                str(m)
                for m in Message.objects.filter(room_id=room_id, message_type="text")
                .order_by("created_at", "seq")
                .values_list("message_id", flat=True)
            ]
        )()
        assert len(stored) == total
        for frames in received:
            assert [frame["message_id"] for frame in frames] == stored
        for client in clients:
            assert [f for f in await _nothing_more(client) if f["type"] == "message"] == []
        # Each sender appears under its display name; a blind room hides the other group's ids.
        names = {frame["content"].split("-")[0]: frame["sender_name"] for frame in received[0]}
        assert names == {"a1": "A1", "a2": "A2", "b1": "B1"}
        assert {f["sender_id"] for f in received[3] if f["sender_name"].startswith("A")} == {None}
    finally:
        for client in clients:
            await client.close()


async def test_typing_reaches_every_other_member_across_servers_but_not_the_typist(servers, live_room):
    room_id, members, tokens = live_room
    clients = [
        await websockets.connect(
            f"ws://127.0.0.1:{servers[index % 2]}/ws/matching/chats/{room_id}/?token={tokens[member.pk]}"
        )
        for index, member in enumerate(members)
    ]
    try:
        typist = clients[4]  # B2
        await typist.send(json.dumps({"type": "typing", "is_typing": True}))
        others = [client for client in clients if client is not typist]
        frames = await asyncio.gather(*(_collect(client, 1, "typing") for client in others))
        for index, (client_frames, member) in enumerate(zip(frames, [m for m in members if m != members[4]])):
            expected_id = str(members[4].public_id) if index >= 3 else None  # group B sees B2's id
            assert client_frames == [{"type": "typing", "user_id": expected_id, "user_name": "B2", "is_typing": True}]
        assert await _nothing_more(typist) == []
        for client in others:
            assert await _nothing_more(client, 0.2) == []
        assert await sync_to_async(Message.objects.filter(room_id=room_id).count)() == 1
    finally:
        for client in clients:
            await client.close()
