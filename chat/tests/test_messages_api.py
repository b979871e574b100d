import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from chat import events, services
from chat.models import ChatMember, ChatRoom, Message
from chat.tests.factories import add_messages, open_room

pytestmark = pytest.mark.django_db


def _stored(room_id):
    return list(Message.objects.filter(room_id=room_id).order_by("created_at", "seq").values_list("content", flat=True))


# --- history ----------------------------------------------------------------------------------

def test_history_pages_250_messages_by_100_every_message_once_in_order(blind_room, auth_client):
    # Five messages share each timestamp, so only the (created_at, id) key keeps the order.
    base = timezone.now() + timedelta(seconds=1)
    add_messages(
        blind_room.id, blind_room.a[0], [f"m{i:03d}" for i in range(250)],
        created_at=lambda i: base + timedelta(seconds=i // 5),
    )
    client = auth_client(blind_room.b[0])

    pages = []
    cursor = None
    while True:
        params = {"limit": 100, **({"before": cursor} if cursor else {})}
        response = client.get(blind_room.url("/messages"), params)
        assert response.status_code == 200
        page = response.json()["data"]
        pages.append(page)
        if not page["has_more"]:
            assert page["next_cursor"] is None
            break
        assert page["next_cursor"] == page["messages"][0]["message_id"]
        cursor = page["next_cursor"]

    assert [len(p["messages"]) for p in pages] == [100, 100, 51]
    # Each page runs oldest → newest; pages walk back in time.
    in_order = [m for page in reversed(pages) for m in page["messages"]]
    contents = [m["content"] for m in in_order]
    assert contents == ["매칭이 성사되었습니다! 서로 인사를 나눠 보세요."] + [f"m{i:03d}" for i in range(250)]
    assert len({m["message_id"] for m in in_order}) == 251
    keys = [(m["created_at"]) for m in in_order]
    assert keys == sorted(keys)


def test_history_stays_stable_while_new_messages_arrive(blind_room, auth_client):
    add_messages(blind_room.id, blind_room.a[0], [f"old{i}" for i in range(5)])
    client = auth_client(blind_room.a[1])
    first = client.get(blind_room.url("/messages"), {"limit": 3}).json()["data"]
    services.chat_message_send(user=blind_room.b[0], room_id=blind_room.id, message_type="text", content="new")
    second = client.get(blind_room.url("/messages"), {"limit": 3, "before": first["next_cursor"]}).json()["data"]
    assert [m["content"] for m in second["messages"]] == ["매칭이 성사되었습니다! 서로 인사를 나눠 보세요.", "old0", "old1"]
    assert second["has_more"] is False and second["next_cursor"] is None
    assert [m["content"] for m in first["messages"]] == ["old2", "old3", "old4"]


def test_history_message_shape_and_default_limit(blind_room, auth_client):
    a1 = blind_room.a[0]
    b1 = blind_room.b[0]
    add_messages(blind_room.id, a1, [f"x{i}" for i in range(60)])
    sent = services.chat_message_send(user=b1, room_id=blind_room.id, message_type="text", content="hi")

    page = auth_client(a1).get(blind_room.url("/messages")).json()["data"]

    assert len(page["messages"]) == 50 and page["has_more"] is True
    assert page["messages"][-1] == {
        "message_id": sent["message_id"],
        "sender_id": None,  # the other group, in a blind room
        "sender_name": "B1",
        "message_type": "text",
        "content": "hi",
        "created_at": sent["created_at"],
        "attachments": [],
    }
    own = page["messages"][-2]
    assert (own["sender_id"], own["sender_name"], own["content"]) == (str(a1.public_id), "A1", "x59")


def test_system_messages_have_no_sender(blind_room, auth_client):
    page = auth_client(blind_room.a[0]).get(blind_room.url("/messages")).json()["data"]
    assert [(m["message_type"], m["sender_id"], m["sender_name"]) for m in page["messages"]] == [("system", None, None)]


@pytest.mark.parametrize(
    "params, field",
    [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"limit": "ten"}, "limit"), ({"before": "nope"}, "before")],
)
def test_history_refuses_bad_parameters(blind_room, auth_client, params, field):
    response = auth_client(blind_room.a[0]).get(blind_room.url("/messages"), params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert field in response.json()["error"]["details"]


def test_history_refuses_a_cursor_from_another_room(blind_room, open_mode_room, auth_client):
    elsewhere = Message.objects.filter(room_id=open_mode_room.id).first()
    for cursor in (elsewhere.message_id, uuid.uuid4()):
        response = auth_client(blind_room.a[0]).get(blind_room.url("/messages"), {"before": str(cursor)})
        assert response.status_code == 400
        assert response.json()["error"]["details"] == {"before": ["이 메시지방에 없는 메시지입니다."]}


def test_history_is_404_for_strangers_and_leavers(blind_room, auth_client, user_factory, api_client):
    services.chat_room_leave(user=blind_room.b[0], room_id=blind_room.id)
    for user in (user_factory(), blind_room.b[0]):
        response = auth_client(user).get(blind_room.url("/messages"))
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"
    assert api_client.get(blind_room.url("/messages")).status_code == 401


def test_a_stranger_with_a_bad_query_still_gets_404(blind_room, auth_client, user_factory):
    response = auth_client(user_factory()).get(blind_room.url("/messages"), {"limit": "ten"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_the_first_page_and_the_seat_check_are_one_query(blind_room, auth_client, django_assert_num_queries):
    add_messages(blind_room.id, blind_room.a[0], [f"x{i}" for i in range(60)])
    client = auth_client(blind_room.b[1])

    # Authentication (1), the page with the caller's seat joined (1).
    with django_assert_num_queries(2):
        first = client.get(blind_room.url("/messages"), {"limit": 50}).json()["data"]
    # Authentication, the seat, the cursor message, the page.
    with django_assert_num_queries(4):
        older = client.get(blind_room.url("/messages"), {"limit": 50, "before": first["next_cursor"]}).json()["data"]

    assert len(first["messages"]) == 50 and first["has_more"] is True
    assert len(older["messages"]) == 11 and older["has_more"] is False
    # The other group, in a blind room: its members' ids stay hidden on both pages.
    assert {m["sender_id"] for m in first["messages"] + older["messages"]} == {None}


def test_a_room_without_messages_is_an_empty_page_for_members_and_404_for_others(
    blind_room, auth_client, user_factory
):
    Message.objects.filter(room_id=blind_room.id).delete()
    ChatRoom.objects.filter(pk=blind_room.id).update(last_message=None)

    page = auth_client(blind_room.a[0]).get(blind_room.url("/messages")).json()["data"]

    assert page == {"messages": [], "has_more": False, "next_cursor": None}
    assert auth_client(user_factory()).get(blind_room.url("/messages")).status_code == 404


# --- sending ----------------------------------------------------------------------------------

def test_send_stores_then_broadcasts_the_message(blind_room, auth_client, sent_events, django_capture_on_commit_callbacks):
    a1 = blind_room.a[0]
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client(a1).post(
            blind_room.url("/messages"), {"message_type": "text", "content": "  안녕하세요!  ", "attachments": []},
            format="json",
        )

    assert response.status_code == 201
    body = response.json()
    assert body["message"] == "메시지를 전송했습니다."
    stored = Message.objects.get(room_id=blind_room.id, message_type="text")
    assert body["data"] == {
        "message_id": str(stored.message_id),
        "sender_id": str(a1.public_id),
        "sender_name": "A1",
        "message_type": "text",
        "content": "안녕하세요!",
        "created_at": stored.created_at.isoformat().replace("+00:00", "Z"),
        "attachments": [],
    }
    assert response["X-RateLimit-Limit"] == "60"
    assert sent_events == [
        (
            events.room_group(blind_room.id),
            {
                "type": "chat.message",
                "message": {
                    "message_id": str(stored.message_id),
                    "room_id": str(blind_room.id),
                    "sender": {"user_id": str(a1.public_id), "display_name": "A1", "group": "A"},
                    "message_type": "text",
                    "content": "안녕하세요!",
                    "created_at": body["data"]["created_at"],
                    "attachments": [],
                },
            },
        )
    ]


def test_send_defaults_to_text_and_accepts_the_trailing_slash(blind_room, auth_client):
    response = auth_client(blind_room.b[1]).post(blind_room.url("/messages/"), {"content": "hi"}, format="json")
    assert response.status_code == 201
    assert response.json()["data"]["sender_name"] == "B2"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"message_type": "text", "content": ""}, "content"),
        ({"message_type": "text", "content": "   "}, "content"),
        ({"message_type": "text", "content": "x" * 2001}, "content"),
        ({"message_type": "system", "content": "I am the server"}, "message_type"),
        ({"message_type": "video", "content": "hi"}, "message_type"),
        ({"message_type": "text", "content": ["hi"]}, "content"),
        ({"message_type": "text", "content": 42}, "content"),
        ({"message_type": "text", "content": None}, "content"),
        ({"message_type": "text", "content": "hi", "attachments": [5]}, "attachments"),
        ({"message_type": "text", "content": "hi", "attachments": "abc"}, "attachments"),
        ({"message_type": "text", "content": "hi", "attachments": [str(uuid.uuid4())]}, "attachments"),
        ({"message_type": "image", "content": "", "attachments": []}, "attachments"),
        ({"message_type": "image", "content": "", "attachments": [str(uuid.uuid4()) for _ in range(6)]}, "attachments"),
    ],
)
def test_send_refuses_bad_messages_and_stores_nothing(blind_room, auth_client, payload, field):
    response = auth_client(blind_room.a[0]).post(blind_room.url("/messages"), payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert field in response.json()["error"]["details"]
    assert Message.objects.filter(room_id=blind_room.id).count() == 1


def test_send_accepts_exactly_2000_characters(blind_room, auth_client):
    response = auth_client(blind_room.a[0]).post(blind_room.url("/messages"), {"content": "가" * 2000}, format="json")
    assert response.status_code == 201
    assert len(Message.objects.get(room_id=blind_room.id, message_type="text").content) == 2000


def test_send_refuses_malformed_json(blind_room, auth_client):
    response = auth_client(blind_room.a[0]).post(
        blind_room.url("/messages"), data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MALFORMED_REQUEST"
    assert Message.objects.filter(room_id=blind_room.id).count() == 1


def test_send_is_404_for_strangers_and_leavers(blind_room, auth_client, user_factory, api_client, sent_events):
    services.chat_room_leave(user=blind_room.a[1], room_id=blind_room.id)
    before = _stored(blind_room.id)
    for user in (user_factory(), blind_room.a[1]):
        response = auth_client(user).post(blind_room.url("/messages"), {"content": "몰래"}, format="json")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "NOT_FOUND"
    assert api_client.post(blind_room.url("/messages"), {"content": "x"}, format="json").status_code == 401
    assert _stored(blind_room.id) == before
    assert sent_events == []


def test_send_to_a_closed_room_is_refused(blind_room, auth_client):
    for user in blind_room.b:
        services.chat_room_leave(user=user, room_id=blind_room.id)
    before = _stored(blind_room.id)
    response = auth_client(blind_room.a[0]).post(blind_room.url("/messages"), {"content": "여보세요?"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "ROOM_CLOSED"
    assert response.json()["error"]["message"] == "종료된 메시지방입니다."
    assert _stored(blind_room.id) == before


def test_send_is_limited_to_60_a_minute(blind_room, auth_client):
    client = auth_client(blind_room.a[0])
    for i in range(60):
        assert client.post(blind_room.url("/messages"), {"content": f"{i}"}, format="json").status_code == 201
    refused = client.post(blind_room.url("/messages"), {"content": "61"}, format="json")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert refused["X-RateLimit-Remaining"] == "0"
    assert int(refused["Retry-After"]) >= 1
    assert Message.objects.filter(room_id=blind_room.id, message_type="text").count() == 60
    # Another member has their own budget; reading is counted separately.
    assert auth_client(blind_room.a[1]).post(blind_room.url("/messages"), {"content": "x"}, format="json").status_code == 201
    assert client.get(blind_room.url("/messages")).status_code == 200


# --- leaving ----------------------------------------------------------------------------------

def test_leave_adds_a_notice_removes_the_member_and_tells_the_room(
    blind_room, auth_client, sent_events, django_capture_on_commit_callbacks
):
    a2 = blind_room.a[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client(a2).post(blind_room.url("/leave"))

    assert response.status_code == 200
    assert response.json()["data"] == {"message": "메시지방에서 나갔습니다."}
    assert response.json()["message"] == "메시지방에서 나갔습니다."
    member = ChatMember.objects.get(room_id=blind_room.id, user=a2)
    assert member.left_at is not None
    notice = Message.objects.filter(room_id=blind_room.id).order_by("-created_at", "-seq").first()
    assert (notice.message_type, notice.sender_id, notice.content) == ("system", None, "A2님이 나갔습니다.")
    room = ChatRoom.objects.get(pk=blind_room.id)
    assert room.is_active is True
    left_at = member.left_at.isoformat().replace("+00:00", "Z")
    assert [(group, message["type"]) for group, message in sent_events] == [
        (events.seat_group(blind_room.id, a2.public_id), "chat.member_removed"),
        (events.room_group(blind_room.id), "chat.message"),
        (events.room_group(blind_room.id), "chat.member_left"),
    ]
    assert sent_events[1][1]["message"]["content"] == "A2님이 나갔습니다."
    assert sent_events[2][1] == {
        "type": "chat.member_left",
        "person": {"user_id": str(a2.public_id), "display_name": "A2", "group": "A"},
        "left_at": left_at,
    }
    # The others still see the room with one member fewer; the leaver sees nothing of it.
    other = auth_client(blind_room.b[0]).get("/api/v1/matching/chats").json()["data"]["chat_rooms"][0]
    assert other["members_count"] == 3
    assert other["last_message"]["content"] == "A2님이 나갔습니다."
    assert auth_client(a2).post(blind_room.url("/leave")).status_code == 404


def test_room_closes_when_a_whole_group_has_left(blind_room, auth_client, sent_events, django_capture_on_commit_callbacks):
    b1, b2 = blind_room.b
    with django_capture_on_commit_callbacks(execute=True):
        auth_client(b1).post(blind_room.url("/leave"))
    assert ChatRoom.objects.get(pk=blind_room.id).is_active is True
    sent_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        auth_client(b2).post(blind_room.url("/leave"))

    room = ChatRoom.objects.get(pk=blind_room.id)
    assert room.is_active is False and room.closed_at is not None
    assert [message["type"] for _, message in sent_events] == [
        "chat.member_removed", "chat.message", "chat.member_left", "chat.room_closed"
    ]
    assert sent_events[-1][1] == {
        "type": "chat.room_closed",
        "room_id": str(blind_room.id),
        "closed_at": room.closed_at.isoformat().replace("+00:00", "Z"),
    }
    # Group A still sees the closed room, with its history, and may still leave it.
    client = auth_client(blind_room.a[0])
    assert client.get(blind_room.url()).json()["data"]["is_active"] is False
    contents = [m["content"] for m in client.get(blind_room.url("/messages")).json()["data"]["messages"]]
    assert contents[-2:] == ["B1님이 나갔습니다.", "B2님이 나갔습니다."]
    assert client.post(blind_room.url("/leave")).status_code == 200
    assert ChatRoom.objects.get(pk=blind_room.id).closed_at == room.closed_at


def test_leave_is_404_for_strangers_and_unknown_rooms(blind_room, auth_client, user_factory, api_client):
    assert auth_client(user_factory()).post(blind_room.url("/leave")).status_code == 404
    assert auth_client(blind_room.a[0]).post(f"/api/v1/matching/chats/{uuid.uuid4()}/leave").status_code == 404
    assert api_client.post(blind_room.url("/leave")).status_code == 401
    assert ChatMember.objects.filter(room_id=blind_room.id, left_at__isnull=False).count() == 0
    assert Message.objects.filter(room_id=blind_room.id).count() == 1


# --- reading ----------------------------------------------------------------------------------

def test_read_moves_the_cursor_and_tells_the_others(blind_room, auth_client, sent_events, django_capture_on_commit_callbacks):
    b1 = blind_room.b[0]
    sent = services.chat_message_send(user=blind_room.a[0], room_id=blind_room.id, message_type="text", content="hi")
    sent_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client(b1).post(blind_room.url("/read"), {"last_read_message_id": sent["message_id"]}, format="json")

    assert response.status_code == 200
    member = ChatMember.objects.get(room_id=blind_room.id, user=b1)
    assert response.json()["data"] == {
        "unread_count": 0,
        "last_read_at": member.last_read_at.isoformat().replace("+00:00", "Z"),
    }
    assert str(member.last_read_message.message_id) == sent["message_id"]
    assert sent_events == [
        (
            events.room_group(blind_room.id),
            {
                "type": "chat.read",
                "person": {"user_id": str(b1.public_id), "display_name": "B1", "group": "B"},
                "last_read_message_id": sent["message_id"],
                "last_read_at": response.json()["data"]["last_read_at"],
            },
        )
    ]
    # Reading the same message again changes nothing and tells nobody.
    sent_events.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = auth_client(b1).post(blind_room.url("/read"), {"last_read_message_id": sent["message_id"]}, format="json")
    assert again.json()["data"] == response.json()["data"]
    assert sent_events == []


@pytest.mark.parametrize(
    "payload", [{}, {"last_read_message_id": "abc"}, {"last_read_message_id": 5}, {"last_read_message_id": None}]
)
def test_read_refuses_bad_input(blind_room, auth_client, payload):
    response = auth_client(blind_room.a[0]).post(blind_room.url("/read"), payload, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert ChatMember.objects.get(room_id=blind_room.id, user=blind_room.a[0]).last_read_at is None


def test_read_of_a_message_elsewhere_is_404(blind_room, open_mode_room, auth_client):
    elsewhere = Message.objects.filter(room_id=open_mode_room.id).first()
    for message_id in (elsewhere.message_id, uuid.uuid4()):
        response = auth_client(blind_room.a[0]).post(
            blind_room.url("/read"), {"last_read_message_id": str(message_id)}, format="json"
        )
        assert response.status_code == 404
        assert response.json()["error"]["message"] == "메시지를 찾을 수 없습니다."
    assert ChatMember.objects.get(room_id=blind_room.id, user=blind_room.a[0]).last_read_at is None


def test_read_is_404_for_strangers_and_leavers(blind_room, auth_client, user_factory):
    message_id = str(Message.objects.get(room_id=blind_room.id).message_id)
    services.chat_room_leave(user=blind_room.b[1], room_id=blind_room.id)
    for user in (user_factory(), blind_room.b[1]):
        response = auth_client(user).post(blind_room.url("/read"), {"last_read_message_id": message_id}, format="json")
        assert response.status_code == 404
        assert response.json()["error"]["message"] == "메시지방을 찾을 수 없습니다."
    assert ChatMember.objects.get(room_id=blind_room.id, user=blind_room.b[1]).last_read_at is None


def test_a_members_whole_life_in_a_room(auth_client):
    summary, (a1, a2), (b1,) = open_room(a=2, b=1, display_mode="open")
    base = f"/api/v1/matching/chats/{summary.room_id}"
    a1_client, b1_client = auth_client(a1), auth_client(b1)

    # Opened: everyone sees it with the opening notice unread.
    listed = b1_client.get("/api/v1/matching/chats").json()["data"]["chat_rooms"]
    assert [(r["room_id"], r["members_count"], r["unread_count"]) for r in listed] == [(str(summary.room_id), 3, 1)]
    # Talk and read.
    hello = a1_client.post(f"{base}/messages", {"content": "hello"}, format="json").json()["data"]
    assert hello["sender_id"] == str(a1.public_id)  # open room: ids are shown to everyone
    assert b1_client.get("/api/v1/matching/chats").json()["data"]["chat_rooms"][0]["unread_count"] == 2
    assert b1_client.post(f"{base}/read", {"last_read_message_id": hello["message_id"]}, format="json").json()[
        "data"
    ]["unread_count"] == 0
    b1_client.post(f"{base}/messages", {"content": "hi!"}, format="json")
    # A2 leaves: gone for them, still open for the rest.
    assert auth_client(a2).post(f"{base}/leave").status_code == 200
    for method, path in (("get", base), ("get", f"{base}/messages"), ("post", f"{base}/leave")):
        assert getattr(auth_client(a2), method)(path).status_code == 404
    assert a1_client.get(base).json()["data"]["is_active"] is True
    # B1, the whole of group B, leaves: the room closes; A1 keeps its history, read-only.
    assert b1_client.post(f"{base}/leave").status_code == 200
    assert a1_client.get("/api/v1/matching/chats").json()["data"]["chat_rooms"] == []
    closed = a1_client.get("/api/v1/matching/chats", {"is_active": "false"}).json()["data"]["chat_rooms"]
    assert [(r["is_active"], r["members_count"], r["last_message"]["content"]) for r in closed] == [
        (False, 1, "B1님이 나갔습니다.")
    ]
    history = [m["content"] for m in a1_client.get(f"{base}/messages").json()["data"]["messages"]]
    assert history == [
        "매칭이 성사되었습니다! 서로 인사를 나눠 보세요.", "hello", "hi!", "A2님이 나갔습니다.", "B1님이 나갔습니다."
    ]
    assert a1_client.post(f"{base}/messages", {"content": "bye"}, format="json").json()["error"]["code"] == "ROOM_CLOSED"
    assert a1_client.post(f"{base}/leave").status_code == 200
    assert a1_client.get(base).status_code == 404
