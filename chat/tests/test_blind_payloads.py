"""A blind room never shows a username, the other group's user ids, or a photo (CONTRACT §7).

Each test plays a whole conversation and records every body and frame one member receives,
over REST and over the socket, then searches all of them for the other group's identities.
"""

import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from chat.tests.factories import open_room
from config.testing import UserFactory, access_token_for, auth_client_for, image_upload, ws_connect, ws_receive_json

# Generous: a loaded CI machine may take a while to relay through the channel layer.
TIMEOUT = 5

pytestmark = pytest.mark.django_db(transaction=True)


def _user(name: str, gender: str):
    user = UserFactory(username=name, gender=gender)
    user.profile_image.name = f"profiles/{name}_face.png"
    user.save(update_fields=["profile_image"])
    return user


@pytest.fixture
def conversation():
    users_a = [_user("alpha_hidden_1", "male"), _user("alpha_hidden_2", "male")]
    users_b = [_user("bravo_hidden_1", "female"), _user("bravo_hidden_2", "female")]
    summary, _, _ = open_room(users_a=users_a, users_b=users_b, display_mode="blind")
    tokens = {user.pk: access_token_for(user) for user in [*users_a, *users_b]}
    return summary.room_id, users_a, users_b, tokens


@pytest.fixture(autouse=True)
async def _close_thread_connections():
    yield
    await sync_to_async(lambda: connection.close())()


def _forbidden_for(viewer_group, users_a, users_b) -> list[str]:
    others = users_b if viewer_group == "A" else users_a
    everyone = [*users_a, *users_b]
    return [
        *(user.username for user in everyone),  # no username at all in a blind room
        *(str(user.public_id) for user in others),
        *(str(user.public_id).replace("-", "") for user in others),
        *(user.profile_image.name for user in everyone),
        "profiles/",
        "_face",
    ]


async def _run_conversation(room_id, viewer, own_mate, other, other_mate, tokens) -> list:
    """Everything ``viewer`` receives while all four members talk, read, share, fail and leave."""
    received: list = []
    base = f"/api/v1/matching/chats/{room_id}"

    @sync_to_async
    def rest(user, method, path, payload=None, fmt="json"):
        client = auth_client_for(user)
        response = getattr(client, method)(path, payload, format=fmt) if method == "post" else client.get(path, payload)
        if user != viewer:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            received.append(response.json())
        else:
            received.append({"headers": dict(response.headers)})
        return response

    viewer_socket, _ = await ws_connect(f"/ws/matching/chats/{room_id}", tokens[viewer.pk])
    other_socket, _ = await ws_connect(f"/ws/matching/chats/{room_id}", tokens[other.pk])

    async def viewer_frames(count):
        for _ in range(count):
            received.append(await ws_receive_json(viewer_socket, TIMEOUT))

    async def drain(socket, count):
        for _ in range(count):
            await ws_receive_json(socket, TIMEOUT)

    # The other group talks, types, reads and shares an image; the viewer's mate talks too.
    await other_socket.send_json_to({"type": "message", "message_type": "text", "content": "안녕하세요"})
    await viewer_frames(1)
    await drain(other_socket, 1)
    await other_socket.send_json_to({"type": "typing", "is_typing": True})
    await viewer_frames(1)
    last = (await rest(own_mate, "post", f"{base}/messages", {"content": "반가워요"})).json()["data"]
    await viewer_frames(1)
    await drain(other_socket, 1)
    await other_socket.send_json_to({"type": "read", "last_read_message_id": last["message_id"]})
    await viewer_frames(1)
    upload = (await rest(other, "post", f"{base}/attachments", {"file": image_upload()}, "multipart")).json()["data"]
    await rest(other, "post", f"{base}/messages", {"message_type": "image", "attachments": [upload["attachment_id"]]})
    await viewer_frames(1)
    await drain(other_socket, 1)

    # The viewer's own requests: every read endpoint, every write, and their failures.
    await rest(viewer, "get", "/api/v1/matching/chats")
    await rest(viewer, "get", "/api/v1/matching/chats", {"is_active": "all"})
    await rest(viewer, "get", base)
    await rest(viewer, "get", f"{base}/messages")
    await rest(viewer, "get", f"{base}/messages", {"limit": 2})
    await rest(viewer, "get", upload["url"])
    await rest(viewer, "post", f"{base}/messages", {"content": "저도 반가워요"})
    await viewer_frames(1)
    await drain(other_socket, 1)
    await rest(viewer, "post", f"{base}/read", {"last_read_message_id": last["message_id"]})
    await rest(viewer, "post", f"{base}/attachments", {"file": image_upload()}, "multipart")
    await rest(viewer, "post", f"{base}/messages", {"message_type": "system", "content": "x"})
    await rest(viewer, "post", f"{base}/read", {"last_read_message_id": str(uuid.uuid4())})
    await rest(viewer, "get", f"/api/v1/matching/chats/{uuid.uuid4()}")
    await viewer_socket.send_json_to({"type": "message", "content": ""})
    await viewer_frames(1)
    await viewer_socket.send_json_to({"type": "read", "last_read_message_id": str(uuid.uuid4())})
    await viewer_frames(1)

    # The other group leaves: notices, member_left and room_closed; then the closed room.
    await rest(other_mate, "post", f"{base}/leave")
    await viewer_frames(2)
    await rest(other, "post", f"{base}/leave")
    await viewer_frames(3)
    await rest(viewer, "get", base)
    await rest(viewer, "get", f"{base}/messages")
    await rest(viewer, "get", "/api/v1/matching/chats", {"is_active": "false"})
    await rest(viewer, "post", f"{base}/messages", {"content": "아무도 없나요"})
    await rest(viewer, "post", f"{base}/leave")

    await viewer_socket.disconnect()
    await other_socket.disconnect()
    return received


@pytest.mark.parametrize("side", ["A", "B"])
async def test_no_blind_room_payload_reveals_the_other_group(conversation, side):
    room_id, users_a, users_b, tokens = conversation
    own, others = (users_a, users_b) if side == "A" else (users_b, users_a)

    received = await _run_conversation(room_id, own[0], own[1], others[0], others[1], tokens)

    kinds = [item.get("type") for item in received if "type" in item]
    assert kinds == ["message", "typing", "message", "read", "message", "message", "error", "error",
                     "message", "member_left", "message", "member_left", "room_closed"]
    text = json.dumps(received, ensure_ascii=False)
    for secret in _forbidden_for(side, users_a, users_b):
        assert secret not in text, f"a blind-room payload revealed {secret!r}"
    # The walk saw the other group, by display name only, and the viewer's own group by id.
    other_letter = "B" if side == "A" else "A"
    assert f'"sender_name": "{other_letter}1"' in text
    assert f'"user_name": "{other_letter}1"' in text
    assert str(own[1].public_id) in text
