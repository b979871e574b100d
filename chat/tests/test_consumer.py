"""The room socket through the real ASGI application (JWT middleware, routing, channel layer)."""

import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, transaction

from chat import services
from chat.consumers import ChatRoomConsumer
from chat.models import ChatMember, Message
from chat.tests.factories import open_room
from config import realtime
from config.testing import (
    UserFactory,
    access_token_for,
    auth_client_for,
    ws_connect,
    ws_receive_close_code,
    ws_receive_json,
)

# Generous: a loaded CI machine may take a while to relay through the channel layer.
TIMEOUT = 5

pytestmark = [pytest.mark.django_db(transaction=True)]


class SocketRoom:
    def __init__(self, display_mode="blind", a=2, b=2):
        summary, self.a, self.b = open_room(a=a, b=b, display_mode=display_mode)
        self.id = summary.room_id
        self.tokens = {user.pk: access_token_for(user) for user in [*self.a, *self.b]}
        self.path = f"/ws/matching/chats/{self.id}"

    async def connect(self, user, *, slash=False):
        communicator, connected = await ws_connect(self.path + ("/" if slash else ""), self.tokens[user.pk])
        assert connected
        return communicator


@pytest.fixture
def room():
    return SocketRoom()


@pytest.fixture(autouse=True)
async def _close_thread_connections():
    yield
    # The ORM ran in sync_to_async's worker thread; close its connection so the test database
    # can be dropped at the end of the session.
    await sync_to_async(lambda: connection.close())()


@sync_to_async
def stored_contents(room_id):
    return list(Message.objects.filter(room_id=room_id).order_by("created_at", "seq").values_list("content", flat=True))


@sync_to_async
def rest_post(user, path, payload=None):
    return auth_client_for(user).post(path, payload or {}, format="json")


async def disconnect_all(*communicators):
    for communicator in communicators:
        await communicator.disconnect()


# --- connecting -------------------------------------------------------------------------------

async def test_members_connect_with_or_without_the_trailing_slash(room):
    first = await room.connect(room.a[0])
    second = await room.connect(room.b[0], slash=True)
    assert await first.receive_nothing(0.1)
    await first.send_to(text_data=json.dumps({"type": "ping"}))
    assert await ws_receive_json(first, TIMEOUT) == {"type": "pong"}
    await disconnect_all(first, second)


@pytest.fixture
def stranger_token():
    return access_token_for(UserFactory())


async def test_strangers_unknown_rooms_and_missing_tokens_are_refused(room, stranger_token):
    for path, token, code, close_code in (
        (room.path, stranger_token, "FORBIDDEN", 4403),
        (f"/ws/matching/chats/{uuid.uuid4()}", room.tokens[room.a[0].pk], "FORBIDDEN", 4403),
        (room.path, None, "UNAUTHORIZED", 4401),
        (room.path, "not-a-jwt", "TOKEN_INVALID", 4401),
    ):
        communicator, connected = await ws_connect(path, token)
        assert connected  # accepted first, so the client reads the contract's close code
        frame = await ws_receive_json(communicator, TIMEOUT)
        assert (frame["type"], frame["code"]) == ("error", code)
        assert await ws_receive_close_code(communicator, TIMEOUT) == close_code
        await communicator.disconnect()


async def test_a_member_who_left_is_refused(room):
    leaver = room.b[1]
    await sync_to_async(services.chat_room_leave)(user=leaver, room_id=room.id)
    communicator, _ = await ws_connect(room.path, room.tokens[leaver.pk])
    frame = await ws_receive_json(communicator, TIMEOUT)
    assert frame["type"] == "error" and frame["code"] == "FORBIDDEN"
    assert await ws_receive_close_code(communicator, TIMEOUT) == 4403
    await communicator.disconnect()


# --- messages ---------------------------------------------------------------------------------

async def test_a_message_frame_is_stored_then_reaches_every_member_shaped_for_them(room):
    a1, a2 = room.a
    b1, b2 = room.b
    sockets = {user.pk: await room.connect(user) for user in (a1, a2, b1, b2)}

    await sockets[a1.pk].send_json_to({"type": "message", "message_type": "text", "content": "안녕하세요!"})

    frames = {pk: await ws_receive_json(socket, TIMEOUT) for pk, socket in sockets.items()}
    stored = await sync_to_async(Message.objects.get)(room_id=room.id, message_type="text")
    expected = {
        "type": "message",
        "message_id": str(stored.message_id),
        "sender_id": str(a1.public_id),
        "sender_name": "A1",
        "message_type": "text",
        "content": "안녕하세요!",
        "created_at": stored.created_at.isoformat().replace("+00:00", "Z"),
        "attachments": [],
    }
    # The sender gets its own message back (its acknowledgement); group A sees A1's id, group B does not.
    assert frames[a1.pk] == expected
    assert frames[a2.pk] == expected
    assert frames[b1.pk] == {**expected, "sender_id": None}
    assert frames[b2.pk] == {**expected, "sender_id": None}
    for socket in sockets.values():
        assert await socket.receive_nothing(0.1)
    await disconnect_all(*sockets.values())


async def test_a_message_sent_while_the_handshake_completes_is_not_lost(room, monkeypatch):
    """The room's groups are joined before the socket is accepted, so nothing falls in between."""
    sent = {}
    original_accept = ChatRoomConsumer.accept

    async def accept_while_a_message_is_sent(consumer, *args, **kwargs):
        if not sent:
            path = f"/api/v1/matching/chats/{room.id}/messages"
            sent["response"] = await rest_post(room.a[1], path, {"content": "접속 중에 보낸 메시지"})
        await original_accept(consumer, *args, **kwargs)

    monkeypatch.setattr(ChatRoomConsumer, "accept", accept_while_a_message_is_sent)
    b1 = await room.connect(room.b[0])

    assert sent["response"].status_code == 201
    assert await ws_receive_json(b1, TIMEOUT) == {"type": "message", **sent["response"].json()["data"], "sender_id": None}
    assert await b1.receive_nothing(0.1)
    await b1.disconnect()


async def test_a_message_sent_over_rest_reaches_the_sockets(room):
    b1 = await room.connect(room.b[0])
    response = await rest_post(room.a[1], f"/api/v1/matching/chats/{room.id}/messages", {"content": "REST에서"})
    assert response.status_code == 201
    frame = await ws_receive_json(b1, TIMEOUT)
    assert frame == {"type": "message", **response.json()["data"], "sender_id": None}
    await b1.disconnect()


@pytest.mark.parametrize(
    "frame, field",
    [
        ({"type": "message", "message_type": "text", "content": ""}, "content"),
        ({"type": "message", "message_type": "text", "content": "x" * 2001}, "content"),
        ({"type": "message", "message_type": "system", "content": "서버인 척"}, "message_type"),
        ({"type": "message", "message_type": "text", "content": 42}, "content"),
        ({"type": "message", "message_type": "image", "attachments": [5]}, "attachments"),
        ({"type": "message", "message_type": "image", "content": "", "attachments": [str(uuid.uuid4())]}, None),
    ],
)
async def test_bad_message_frames_get_an_error_and_store_nothing(room, frame, field):
    socket = await room.connect(room.a[0])
    await socket.send_json_to(frame)
    error = await ws_receive_json(socket, TIMEOUT)
    assert error["type"] == "error"
    assert error["code"] == ("VALIDATION_ERROR" if field else "INVALID_ATTACHMENT")
    assert await stored_contents(room.id) == ["매칭이 성사되었습니다! 서로 인사를 나눠 보세요."]
    # The socket stays usable.
    await socket.send_json_to({"type": "message", "content": "이번엔 제대로"})
    assert (await ws_receive_json(socket, TIMEOUT))["content"] == "이번엔 제대로"
    await socket.disconnect()


async def test_malformed_and_unknown_frames_close_with_4400(room):
    for raw in ("{oops", json.dumps({"type": "shout"}), json.dumps(["message"])):
        socket = await room.connect(room.a[0])
        await socket.send_to(text_data=raw)
        assert (await ws_receive_json(socket, TIMEOUT))["code"] == "MALFORMED_REQUEST"
        assert await ws_receive_close_code(socket, TIMEOUT) == 4400
        await socket.disconnect()


async def test_the_message_limit_is_shared_with_rest_and_closes_the_socket_with_4429(room, settings):
    a1 = room.a[0]
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "chat_message": "3/m"}
    for i in range(2):
        assert (await rest_post(a1, f"/api/v1/matching/chats/{room.id}/messages", {"content": f"rest {i}"})).status_code == 201
    socket = await room.connect(a1)
    other = await room.connect(room.b[0])
    await socket.send_json_to({"type": "message", "content": "socket 1"})
    assert (await ws_receive_json(socket, TIMEOUT))["content"] == "socket 1"
    assert (await ws_receive_json(other, TIMEOUT))["content"] == "socket 1"
    await socket.send_json_to({"type": "message", "content": "socket 2"})
    error = await ws_receive_json(socket, TIMEOUT)
    assert error == {"type": "error", "code": "RATE_LIMIT_EXCEEDED", "message": "요청 제한 초과"}
    assert await ws_receive_close_code(socket, TIMEOUT) == 4429
    refused = await rest_post(a1, f"/api/v1/matching/chats/{room.id}/messages", {"content": "rest 3"})
    assert refused.status_code == 429
    assert (await stored_contents(room.id))[1:] == ["rest 0", "rest 1", "socket 1"]
    assert await other.receive_nothing(0.2)
    await disconnect_all(socket, other)


async def test_a_message_frame_in_a_closed_room_is_refused(room):
    socket = await room.connect(room.a[0])
    for user in room.b:
        await sync_to_async(services.chat_room_leave)(user=user, room_id=room.id)
    frames = [await ws_receive_json(socket, TIMEOUT) for _ in range(5)]
    assert [f["type"] for f in frames] == ["message", "member_left", "message", "member_left", "room_closed"]
    await socket.send_json_to({"type": "message", "content": "아무도 없나요?"})
    assert (await ws_receive_json(socket, TIMEOUT))["code"] == "ROOM_CLOSED"
    assert (await stored_contents(room.id))[-1] == "B2님이 나갔습니다."
    await socket.disconnect()


# --- typing -----------------------------------------------------------------------------------

async def test_typing_reaches_the_others_but_not_the_typist_and_is_not_stored(room):
    a1, a2 = room.a
    b1, b2 = room.b
    sockets = {user.pk: await room.connect(user) for user in (a1, a2, b1, b2)}
    typist_second_device = await room.connect(b1)

    await sockets[b1.pk].send_json_to({"type": "typing", "is_typing": True})

    assert await ws_receive_json(sockets[a1.pk], TIMEOUT) == {"type": "typing", "user_id": None, "user_name": "B1", "is_typing": True}
    assert await ws_receive_json(sockets[a2.pk], TIMEOUT) == {"type": "typing", "user_id": None, "user_name": "B1", "is_typing": True}
    assert await ws_receive_json(sockets[b2.pk], TIMEOUT) == {
        "type": "typing", "user_id": str(b1.public_id), "user_name": "B1", "is_typing": True
    }
    assert await sockets[b1.pk].receive_nothing(0.2)
    assert await typist_second_device.receive_nothing(0.1)
    assert await stored_contents(room.id) == ["매칭이 성사되었습니다! 서로 인사를 나눠 보세요."]
    await disconnect_all(typist_second_device, *sockets.values())


async def test_typing_is_throttled_per_socket(room):
    a1 = await room.connect(room.a[0])
    b1 = await room.connect(room.b[0])
    for _ in range(5):
        await b1.send_json_to({"type": "typing", "is_typing": True})
    await b1.send_json_to({"type": "typing", "is_typing": False})
    frames = [await ws_receive_json(a1, TIMEOUT), await ws_receive_json(a1, TIMEOUT)]
    assert [f["is_typing"] for f in frames] == [True, False]
    assert await a1.receive_nothing(0.2)
    await disconnect_all(a1, b1)


@pytest.mark.parametrize("frame", [{"type": "typing"}, {"type": "typing", "is_typing": "yes"}, {"type": "typing", "is_typing": 1}])
async def test_typing_needs_a_boolean(room, frame):
    socket = await room.connect(room.a[0])
    await socket.send_json_to(frame)
    error = await ws_receive_json(socket, TIMEOUT)
    assert (error["type"], error["code"]) == ("error", "VALIDATION_ERROR")
    await socket.disconnect()


# --- read receipts ----------------------------------------------------------------------------

async def test_a_read_frame_moves_the_cursor_and_tells_the_others(room):
    a1 = await room.connect(room.a[0])
    b1 = await room.connect(room.b[0])
    message_id = str((await sync_to_async(Message.objects.get)(room_id=room.id)).message_id)

    await b1.send_json_to({"type": "read", "last_read_message_id": message_id})

    frame = await ws_receive_json(a1, TIMEOUT)
    member = await sync_to_async(ChatMember.objects.get)(room_id=room.id, user=room.b[0])
    assert frame == {
        "type": "read",
        "user_id": None,
        "user_name": "B1",
        "last_read_message_id": message_id,
        "last_read_at": member.last_read_at.isoformat().replace("+00:00", "Z"),
    }
    assert await b1.receive_nothing(0.2)

    await b1.send_json_to({"type": "read", "last_read_message_id": str(uuid.uuid4())})
    assert (await ws_receive_json(b1, TIMEOUT))["code"] == "NOT_FOUND"
    await b1.send_json_to({"type": "read", "last_read_message_id": 7})
    assert (await ws_receive_json(b1, TIMEOUT))["code"] == "VALIDATION_ERROR"
    await disconnect_all(a1, b1)


# --- leaving and sanctions ----------------------------------------------------------------------

async def test_a_leaver_stops_receiving_at_once_and_the_others_are_told(room):
    a1, a2 = room.a
    leaver_sockets = [await room.connect(a2), await room.connect(a2, slash=True)]
    b1 = await room.connect(room.b[0])

    response = await rest_post(a2, f"/api/v1/matching/chats/{room.id}/leave")
    assert response.status_code == 200

    for socket in leaver_sockets:
        assert (await ws_receive_json(socket, TIMEOUT))["code"] == "NOT_FOUND"
        assert await ws_receive_close_code(socket, TIMEOUT) == 4403
    notice = await ws_receive_json(b1, TIMEOUT)
    assert (notice["type"], notice["sender_id"], notice["sender_name"], notice["content"]) == (
        "message", None, None, "A2님이 나갔습니다."
    )
    left = await ws_receive_json(b1, TIMEOUT)
    assert left == {"type": "member_left", "user_id": None, "user_name": "A2", "left_at": left["left_at"]}

    # Later traffic reaches the others only.
    await rest_post(a1, f"/api/v1/matching/chats/{room.id}/messages", {"content": "잘 가요"})
    assert (await ws_receive_json(b1, TIMEOUT))["content"] == "잘 가요"
    await disconnect_all(*leaver_sockets, b1)


async def test_a_sanctioned_members_sockets_close_and_receive_nothing_more(room):
    b2 = room.b[1]
    banned = await room.connect(b2)
    a1 = await room.connect(room.a[0])

    @sync_to_async
    def sanction():
        with transaction.atomic():
            realtime.close_user_sockets_on_commit(b2.public_id)

    await sanction()
    assert await ws_receive_close_code(banned, TIMEOUT) == 4403
    await rest_post(room.a[0], f"/api/v1/matching/chats/{room.id}/messages", {"content": "after"})
    assert (await ws_receive_json(a1, TIMEOUT))["content"] == "after"
    assert await banned.receive_nothing(0.2)
    await disconnect_all(banned, a1)
