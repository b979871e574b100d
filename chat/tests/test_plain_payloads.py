"""The hot endpoints build plain dicts; the DRF serializers stay their schema. These tests hold the
two equal, byte for byte once rendered, so the schema and the payload cannot drift apart."""

import json

import pytest

from chat import selectors, serializers, services
from chat.models import ChatRoom, Message
from chat.tests.factories import open_room
from config.testing import image_upload

pytestmark = pytest.mark.django_db


def _json(data) -> str:
    # Key order and value types (str vs UUID, int vs bool) both show in the rendered text.
    return json.dumps(data, ensure_ascii=False)


def _send(user, room_id, text):
    return services.chat_message_send(user=user, room_id=room_id, message_type="text", content=text)


def _send_image(user, room_id, caption):
    ids = [
        services.chat_attachment_upload(user=user, room_id=room_id, upload=image_upload(fmt=fmt))["attachment_id"]
        for fmt in ("PNG", "JPEG")
    ]
    return services.chat_message_send(
        user=user, room_id=room_id, message_type="image", content=caption, attachment_ids=ids
    )


@pytest.fixture(params=["blind", "open"])
def busy_room(request):
    """A room with the opening notice, text from both groups, an image message with two
    attachments (one without a caption), and a leave notice."""
    summary, users_a, users_b = open_room(a=2, b=2, display_mode=request.param)
    _send(users_a[0], summary.room_id, "안녕하세요")
    _send(users_b[0], summary.room_id, "반가워요")
    _send_image(users_a[0], summary.room_id, "사진")
    _send_image(users_b[0], summary.room_id, "")
    services.chat_room_leave(user=users_b[1], room_id=summary.room_id)
    return summary, users_a, users_b


@pytest.mark.parametrize("limit", [3, 50])
def test_message_page_output_equals_the_serializers_for_every_viewer(busy_room, limit):
    summary, users_a, users_b = busy_room
    page = selectors.messages_page(room_id=summary.room_id, limit=limit, before=None)
    assert page.has_more is (limit == 3)
    for user in (users_a[0], users_b[0]):
        viewer = selectors.room_viewer(user=user, room_id=summary.room_id)
        expected = serializers.ChatMessagesPageOutputSerializer(page, context={"viewer": viewer}).data
        assert _json(serializers.messages_page_output(viewer, page)) == _json(expected)


def test_message_page_shows_and_hides_senders_as_the_serializer_does(busy_room):
    summary, users_a, users_b = busy_room
    page = selectors.messages_page(room_id=summary.room_id, limit=50, before=None)
    viewer = selectors.room_viewer(user=users_a[0], room_id=summary.room_id)
    shown = serializers.messages_page_output(viewer, page)["messages"]
    kinds = {(m["message_type"], m["sender_id"] is None, bool(m["attachments"])) for m in shown}
    hidden = viewer.display_mode == "blind"
    # The case list this file relies on: system notices, both groups' text, images with attachments.
    assert kinds == {("system", True, False), ("text", False, False), ("text", hidden, False),
                     ("image", False, True), ("image", hidden, True)}


def test_message_page_facts_equal_message_fact_of_the_stored_rows(busy_room):
    summary, _, _ = busy_room
    page = selectors.messages_page(room_id=summary.room_id, limit=50, before=None)
    stored = Message.objects.filter(room_id=summary.room_id).select_related("sender__user").order_by("created_at", "seq")
    assert _json(page.messages) == _json([selectors.message_fact(m) for m in stored])


def test_socket_message_frame_equals_the_serializers(busy_room):
    summary, users_a, users_b = busy_room
    for message in Message.objects.filter(room_id=summary.room_id).select_related("sender__user"):
        fact = selectors.message_fact(message)
        for user in (users_a[0], users_b[0]):
            viewer = selectors.room_viewer(user=user, room_id=summary.room_id)
            frame = serializers.room_event_frame(viewer, {"type": "chat.message", "message": fact})
            expected = serializers.ChatMessageOutputSerializer(fact, context={"viewer": viewer}).data
            assert _json(frame) == _json({"type": "message", **expected})


def test_room_list_items_equal_the_serializers():
    """Blind and open rooms, a closed one, a system notice as last message, one with no message,
    unread counts both zero and not."""
    me = open_room(a=2, b=2, display_mode="blind")[1][0]
    blind, _, blind_b = open_room(users_a=[me, open_room()[1][0]], display_mode="blind")
    _send(blind_b[0], blind.room_id, "안녕하세요")
    opened, _, _ = open_room(users_b=[me, open_room()[2][0]], display_mode="open")
    mine = _send(me, opened.room_id, "저부터")
    services.chat_room_mark_read(user=me, room_id=opened.room_id, last_read_message_id=mine["message_id"])
    closed, _, closed_b = open_room(users_a=[me], b=1, display_mode="open")
    services.chat_room_leave(user=closed_b[0], room_id=closed.room_id)
    silent, _, _ = open_room(users_a=[me])
    ChatRoom.objects.filter(pk=silent.room_id).update(last_message=None)

    rooms = selectors.room_list(user=me, is_active=None)
    payload = {"chat_rooms": rooms, "total": len(rooms)}
    assert _json(payload) == _json(serializers.ChatRoomListOutputSerializer(payload).data)
    assert len(rooms) == 5
    assert {r["is_active"] for r in rooms} == {True, False}
    assert {r["unread_count"] for r in rooms} == {0, 1, 2}
    assert None in [r["last_message"] for r in rooms]
    assert None in [r["last_message"]["sender_name"] for r in rooms if r["last_message"]]


def test_every_write_that_adds_a_message_points_the_room_at_it(blind_room):
    def last():
        return ChatRoom.objects.get(pk=blind_room.id).last_message

    assert last().content == "매칭이 성사되었습니다! 서로 인사를 나눠 보세요."
    sent = _send(blind_room.a[0], blind_room.id, "안녕")
    assert str(last().message_id) == sent["message_id"]
    services.chat_room_leave(user=blind_room.b[0], room_id=blind_room.id)
    assert last().content == "B1님이 나갔습니다."
    services.chat_room_leave(user=blind_room.b[1], room_id=blind_room.id)
    room = ChatRoom.objects.get(pk=blind_room.id)
    assert room.last_message.content == "B2님이 나갔습니다." and room.is_active is False
