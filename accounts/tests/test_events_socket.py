"""``/ws/events/``: authentication, close codes, frame checks and per-user delivery."""

import json
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from config import realtime
from config.testing import UserFactory, access_token_for, ws_connect, ws_receive_close_code, ws_receive_json

EVENTS = "/ws/events/"
pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def make_user(**kwargs):
    user = UserFactory(**kwargs)
    return user, access_token_for(user)


@sync_to_async
def sanction(user, **fields):
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()


async def test_ping_pong(db):
    _, token = await make_user()
    socket, connected = await ws_connect(EVENTS, token)
    assert connected
    await socket.send_json_to({"type": "ping"})
    assert await ws_receive_json(socket) == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.parametrize("token", [None, "garbage", "a.b.c"])
async def test_unauthenticated_sockets_close_with_4401(token):
    socket, _ = await ws_connect(EVENTS, token)
    error = await ws_receive_json(socket)
    assert error["type"] == "error" and error["code"] in ("UNAUTHORIZED", "TOKEN_INVALID")
    assert await ws_receive_close_code(socket) == 4401
    await socket.disconnect()


@pytest.mark.parametrize("user_id", [None, "not-a-uuid", "00000000-0000-4000-8000-000000000000"])
async def test_a_signed_token_naming_no_user_closes_with_4401(user_id):
    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken()
    if user_id is not None:
        token["user_id"] = user_id
    socket, _ = await ws_connect(EVENTS, str(token))
    assert (await ws_receive_json(socket))["code"] == "TOKEN_INVALID"
    assert await ws_receive_close_code(socket) == 4401
    await socket.disconnect()


async def test_expired_token_closes_with_4401():
    import time_machine

    _, token = await make_user()
    with time_machine.travel(timedelta(minutes=16)):
        socket, _ = await ws_connect(EVENTS, token)
        assert (await ws_receive_json(socket))["code"] == "TOKEN_INVALID"
        assert await ws_receive_close_code(socket) == 4401
    await socket.disconnect()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"suspended_until": timezone.now() + timedelta(days=1)}, "ACCOUNT_SUSPENDED"),
        ({"is_banned": True}, "ACCOUNT_BANNED"),
    ],
)
async def test_sanctioned_users_are_refused_with_4403(fields, code):
    user, token = await make_user()
    await sanction(user, **fields)
    socket, _ = await ws_connect(EVENTS, token)
    assert (await ws_receive_json(socket))["code"] == code
    assert await ws_receive_close_code(socket) == 4403
    await socket.disconnect()


async def test_events_reach_their_user_only():
    alice, alice_token = await make_user()
    bob, bob_token = await make_user()
    alice_socket, _ = await ws_connect(EVENTS, alice_token)
    bob_socket, _ = await ws_connect(EVENTS, bob_token)
    await sync_to_async(realtime.send_user_event_on_commit)([alice.public_id], "match.found", {"match_id": 7})
    event = await ws_receive_json(alice_socket)
    assert event["type"] == "match.found" and event["data"] == {"match_id": 7}
    assert event["timestamp"].endswith("Z")
    assert await bob_socket.receive_nothing(0.2)
    await alice_socket.disconnect()
    await bob_socket.disconnect()


async def test_events_of_a_rolled_back_transaction_are_never_sent():
    from django.db import transaction

    alice, token = await make_user()
    socket, _ = await ws_connect(EVENTS, token)

    @sync_to_async
    def send_then_roll_back():
        with pytest.raises(RuntimeError), transaction.atomic():
            realtime.send_user_event_on_commit([alice.public_id], "match.found", {})
            raise RuntimeError("rolled back")

    await send_then_roll_back()
    assert await socket.receive_nothing(0.2)
    await socket.disconnect()


async def test_a_sanction_closes_open_sockets_at_once():
    alice, token = await make_user()
    socket, _ = await ws_connect(EVENTS, token)
    await sync_to_async(realtime.close_user_sockets_on_commit)(alice.public_id)
    assert await ws_receive_close_code(socket, timeout=1) == 4403
    await socket.disconnect()


@pytest.mark.parametrize(
    "frame", ["not json", "[1, 2]", '{"no_type": 1}', '{"type": "nonsense"}', '{"type": 5}', "[" * 5000]
)
async def test_malformed_frames_close_with_4400(frame):
    _, token = await make_user()
    socket, _ = await ws_connect(EVENTS, token)
    await socket.send_to(text_data=frame)
    assert (await ws_receive_json(socket))["type"] == "error"
    assert await ws_receive_close_code(socket) == 4400
    await socket.disconnect()


async def test_frames_over_64_kib_are_refused():
    _, token = await make_user()
    socket, _ = await ws_connect(EVENTS, token)
    await socket.send_to(text_data=json.dumps({"type": "ping", "pad": "x" * 70_000}))
    assert (await ws_receive_json(socket))["code"] == "PAYLOAD_TOO_LARGE"
    assert await ws_receive_close_code(socket) == 4400
    await socket.disconnect()


async def test_flooding_closes_with_4429(settings):
    settings.WS_FRAMES_PER_10_SECONDS = 3
    _, token = await make_user()
    socket, _ = await ws_connect(EVENTS, token)
    for _ in range(4):
        await socket.send_json_to({"type": "ping"})
    codes = [await ws_receive_close_code(socket)]
    assert codes == [4429]
    await socket.disconnect()


async def test_idle_sockets_close_with_4408(settings):
    settings.WS_IDLE_TIMEOUT_SECONDS = 0.2
    _, token = await make_user()
    socket, _ = await ws_connect(EVENTS, token)
    assert await ws_receive_close_code(socket, timeout=2) == 4408
    await socket.disconnect()


@pytest.mark.redis
async def test_events_cross_processes_over_redis(settings):
    """With channels-redis a separate layer instance (another process's view) delivers the event."""
    from channels_redis.core import RedisChannelLayer

    alice, token = await make_user()
    socket, _ = await ws_connect(EVENTS, token)
    other_process_layer = RedisChannelLayer(**settings.CHANNEL_LAYERS["default"]["CONFIG"])
    await other_process_layer.group_send(
        realtime.user_group(alice.public_id),
        {"type": "user.event", "event": realtime.event_frame("proposal.received", {"x": 1})},
    )
    event = await ws_receive_json(socket)
    assert event["type"] == "proposal.received"
    await socket.disconnect()
    await other_process_layer.flush()


async def test_the_events_path_without_a_trailing_slash_works():
    _, token = await make_user()
    socket, connected = await ws_connect("/ws/events", token)
    await socket.send_json_to({"type": "ping"})
    assert await ws_receive_json(socket) == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.parametrize("path", ["/ws/nowhere/", "/ws/matching/chats/not-a-uuid", "/ws/call/"])
async def test_unknown_socket_paths_are_refused_with_4403(path):
    _, token = await make_user()
    socket, _ = await ws_connect(path, token)
    assert (await ws_receive_json(socket))["code"] == "NOT_FOUND"
    assert await ws_receive_close_code(socket) == 4403
    await socket.disconnect()


async def test_unknown_socket_paths_still_need_a_token():
    socket, _ = await ws_connect("/ws/nowhere/")
    assert await ws_receive_close_code(socket) == 4401
    await socket.disconnect()
