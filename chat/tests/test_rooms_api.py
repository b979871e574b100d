import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from chat import services
from chat.models import ChatRoom, Message
from chat.tests.factories import add_messages, open_room

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/matching/chats"


def _send(user, room_id, text):
    return services.chat_message_send(user=user, room_id=room_id, message_type="text", content=text)


# --- list -------------------------------------------------------------------------------------

def test_room_list_shows_the_callers_rooms_with_unread_count_and_last_message(blind_room, auth_client):
    a1, a2 = blind_room.a
    b1, _ = blind_room.b
    _send(a1, blind_room.id, "안녕하세요!")
    last = _send(a2, blind_room.id, "반가워요")

    response = auth_client(b1).get(LIST_URL)

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    room = ChatRoom.objects.get(pk=blind_room.id)
    assert body["data"] == {
        "chat_rooms": [
            {
                "room_id": str(room.id),
                "room_name": room.room_name,
                "display_mode": "blind",
                "is_active": True,
                "members_count": 4,
                "unread_count": 3,  # the opening system message and two messages
                "last_message": {
                    "message_id": last["message_id"],
                    "content": "반가워요",
                    "sender_name": "A2",
                    "message_type": "text",
                    "created_at": last["created_at"],
                },
                "created_at": room.created_at.isoformat().replace("+00:00", "Z"),
            }
        ],
        "total": 1,
    }
    # The sender's own messages are not unread for them.
    mine = auth_client(a2).get(LIST_URL).json()["data"]["chat_rooms"][0]
    assert mine["unread_count"] == 2


def test_room_list_orders_by_latest_activity_and_filters_by_is_active(auth_client, user_factory):
    me = user_factory()
    older, _, _ = open_room(users_a=[me], users_b=[user_factory()])
    newer, _, _ = open_room(users_a=[me], users_b=[user_factory()])
    closed, _, others = open_room(users_a=[me], users_b=[user_factory()])
    services.chat_room_leave(user=others[0], room_id=closed.room_id)
    _send(me, older.room_id, "가장 최근")

    client = auth_client(me)
    default = client.get(LIST_URL).json()["data"]
    assert [r["room_id"] for r in default["chat_rooms"]] == [str(older.room_id), str(newer.room_id)]
    assert default["total"] == 2
    inactive = client.get(LIST_URL, {"is_active": "false"}).json()["data"]
    assert [(r["room_id"], r["is_active"]) for r in inactive["chat_rooms"]] == [(str(closed.room_id), False)]
    everything = client.get(LIST_URL + "/", {"is_active": "all"}).json()["data"]
    assert everything["total"] == 3
    assert {r["room_id"] for r in everything["chat_rooms"]} == {
        str(older.room_id), str(newer.room_id), str(closed.room_id)
    }


def test_room_list_leaves_out_rooms_the_caller_left_or_never_joined(blind_room, auth_client, user_factory):
    services.chat_room_leave(user=blind_room.a[0], room_id=blind_room.id)
    for user in (blind_room.a[0], user_factory()):
        for flag in ("true", "false", "all"):
            body = auth_client(user).get(LIST_URL, {"is_active": flag}).json()["data"]
            assert body == {"chat_rooms": [], "total": 0}


@pytest.mark.parametrize("value", ["yes", "1", "TRUE", "none"])
def test_room_list_refuses_unknown_is_active_values(user, auth_client, value):
    response = auth_client(user).get(LIST_URL, {"is_active": value})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "is_active" in response.json()["error"]["details"]


def test_room_list_needs_a_token(api_client):
    response = api_client.get(LIST_URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_room_list_query_count_is_constant_as_rooms_grow(auth_client, user_factory, django_assert_num_queries):
    me = user_factory()
    client = auth_client(me)

    def add_room_with_traffic():
        summary, _, others = open_room(users_a=[me, user_factory()], users_b=[user_factory(), user_factory()])
        add_messages(summary.room_id, others[0], ["하나", "둘", "셋"])

    add_room_with_traffic()
    # One query authenticates the caller, one reads every room with its counts and last message.
    with django_assert_num_queries(2):
        assert len(client.get(LIST_URL).json()["data"]["chat_rooms"]) == 1
    for _ in range(9):
        add_room_with_traffic()
    with django_assert_num_queries(2):
        rooms = client.get(LIST_URL).json()["data"]["chat_rooms"]
    assert len(rooms) == 10
    assert {r["unread_count"] for r in rooms} == {4}
    assert {r["last_message"]["content"] for r in rooms} == {"셋"}


def test_room_list_is_rate_limited_with_the_matching_read_scope(user, auth_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "matching_read": "2/m"}
    client = auth_client(user)
    first = client.get(LIST_URL)
    assert first["X-RateLimit-Limit"] == "2" and first["X-RateLimit-Remaining"] == "1"
    client.get(LIST_URL)
    refused = client.get(LIST_URL)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert int(refused["Retry-After"]) >= 1


# --- unread counts ------------------------------------------------------------------------------

def test_unread_counts_follow_reads_and_new_messages(blind_room, auth_client):
    a1, a2 = blind_room.a
    b1, b2 = blind_room.b
    client = auth_client(b1)

    def unread():
        return client.get(LIST_URL).json()["data"]["chat_rooms"][0]["unread_count"]

    first = _send(a1, blind_room.id, "1")
    second = _send(a1, blind_room.id, "2")
    _send(a2, blind_room.id, "3")
    assert unread() == 4

    response = client.post(blind_room.url("/read"), {"last_read_message_id": second["message_id"]}, format="json")
    assert response.status_code == 200
    assert response.json()["data"]["unread_count"] == 1
    assert unread() == 1

    # Reading an older message never moves the cursor back.
    response = client.post(blind_room.url("/read"), {"last_read_message_id": first["message_id"]}, format="json")
    assert response.json()["data"]["unread_count"] == 1

    _send(b2, blind_room.id, "4")
    last = _send(a2, blind_room.id, "5")
    assert unread() == 3
    _send(b1, blind_room.id, "내 메시지")
    assert unread() == 3

    response = client.post(blind_room.url("/read"), {"last_read_message_id": last["message_id"]}, format="json")
    assert response.json()["data"]["unread_count"] == 0
    assert unread() == 0


def test_unread_counts_messages_sharing_the_read_messages_timestamp(blind_room, auth_client):
    moment = timezone.now() + timedelta(seconds=5)
    rows = add_messages(blind_room.id, blind_room.a[0], ["x", "y", "z"], created_at=lambda i: moment)
    client = auth_client(blind_room.b[0])
    response = client.post(blind_room.url("/read"), {"last_read_message_id": str(rows[1].message_id)}, format="json")
    assert response.json()["data"]["unread_count"] == 1


# --- details ----------------------------------------------------------------------------------

def test_blind_room_details_show_own_group_ids_and_hide_the_other_groups(blind_room, auth_client):
    a1, a2 = blind_room.a
    room = ChatRoom.objects.get(pk=blind_room.id)

    response = auth_client(a1).get(blind_room.url())

    assert response.status_code == 200
    assert response.json()["data"] == {
        "room_id": str(room.id),
        "room_name": room.room_name,
        "display_mode": "blind",
        "is_active": True,
        "my_display_name": "A1",
        "group_a": {
            "department": "컴퓨터공학과",
            "grade": "3학년",
            "members": [
                {"user_id": str(a1.public_id), "display_name": "A1", "username": None, "is_me": True, "has_left": False},
                {"user_id": str(a2.public_id), "display_name": "A2", "username": None, "is_me": False, "has_left": False},
            ],
        },
        "group_b": {
            "department": "경영학과",
            "grade": "2학년",
            "members": [
                {"user_id": None, "display_name": "B1", "username": None, "is_me": False, "has_left": False},
                {"user_id": None, "display_name": "B2", "username": None, "is_me": False, "has_left": False},
            ],
        },
        "created_at": room.created_at.isoformat().replace("+00:00", "Z"),
        "closed_at": None,
    }


def test_open_room_details_show_everyones_id_and_username(open_mode_room, auth_client):
    b1 = open_mode_room.b[0]
    services.chat_room_leave(user=open_mode_room.a[1], room_id=open_mode_room.id)

    body = auth_client(b1).get(open_mode_room.url() + "/").json()["data"]

    members = [*body["group_a"]["members"], *body["group_b"]["members"]]
    assert [(m["user_id"], m["username"], m["is_me"], m["has_left"]) for m in members] == [
        (str(u.public_id), u.username, u == b1, u == open_mode_room.a[1]) for u in open_mode_room.everyone
    ]
    assert body["my_display_name"] == "B1"


def test_room_details_are_404_for_strangers_leavers_and_unknown_rooms(blind_room, auth_client, user_factory):
    leaver = blind_room.b[1]
    services.chat_room_leave(user=leaver, room_id=blind_room.id)
    for user, url in (
        (user_factory(), blind_room.url()),
        (leaver, blind_room.url()),
        (blind_room.a[0], f"/api/v1/matching/chats/{uuid.uuid4()}"),
    ):
        response = auth_client(user).get(url)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"
        assert response.json()["error"]["message"] == "메시지방을 찾을 수 없습니다."


def test_room_details_in_english(blind_room, auth_client, user_factory):
    response = auth_client(user_factory()).get(blind_room.url(), HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == "The chat room was not found."


def test_room_details_need_a_token_and_a_uuid(blind_room, api_client, auth_client):
    assert api_client.get(blind_room.url()).status_code == 401
    response = auth_client(blind_room.a[0]).get("/api/v1/matching/chats/not-a-uuid")
    assert response.status_code == 404


def test_room_details_method_not_allowed(blind_room, auth_client):
    response = auth_client(blind_room.a[0]).delete(blind_room.url())
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"
    assert ChatRoom.objects.filter(pk=blind_room.id).exists()
    assert Message.objects.filter(room_id=blind_room.id).count() == 1
