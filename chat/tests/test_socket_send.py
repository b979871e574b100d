"""A text message sent from the event loop (``chat_message_send_async`` on PostgreSQL): the same
rows, facts, errors and order as the ORM's ``chat_message_send``, with races run for real."""

import asyncio
import random
import threading
import time

import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from chat import events, selectors, services
from chat.errors import RoomClosed, RoomNotFound
from chat.models import ChatAttachment, ChatRoom, Message
from chat.tests.factories import open_room
from config import asyncdb, realtime
from config.errors import ValidationFailed
from config.testing import UserFactory, access_token_for, image_upload, ws_connect, ws_receive_json

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TIMEOUT = 5


@pytest.fixture(autouse=True)
async def _close_thread_connections():
    yield
    await sync_to_async(lambda: connection.close())()


@pytest.fixture
def broadcast(monkeypatch):
    """Every ``chat.message`` broadcast, from the loop or from a thread, in the order sent; each
    takes up to 10 ms to reach the layer, time enough for another sender to overtake."""
    sent: list[dict] = []
    guard = threading.Lock()

    async def from_the_loop(room_id, fact):
        await asyncio.sleep(random.uniform(0, 0.01))
        with guard:
            sent.append(fact)

    def from_a_thread(group, message):
        time.sleep(random.uniform(0, 0.01))
        if message["type"] == "chat.message":
            with guard:
                sent.append(message["message"])

    monkeypatch.setattr(events, "send_message_created", from_the_loop)
    monkeypatch.setattr(realtime, "group_send_now", from_a_thread)
    return sent


@sync_to_async
def stored_order(room_id) -> list[str]:
    return [
        str(message_id)
        for message_id in Message.objects.filter(room_id=room_id)
        .order_by("created_at", "seq")
        .values_list("message_id", flat=True)
    ]


def in_a_thread(function, *args):
    """Runs ``function`` in a thread of its own context, hence with its own database connection."""
    return asyncio.get_running_loop().run_in_executor(None, function, *args)


def test_the_loop_path_runs_on_postgresql():
    assert asyncdb.available()


async def test_a_message_from_the_loop_is_stored_and_described_like_one_from_the_orm(broadcast):
    summary, users_a, _ = await sync_to_async(open_room)(a=2, b=1)
    from_loop = await services.chat_message_send_async(
        user=users_a[0], room_id=summary.room_id, message_type="text", content="안녕하세요"
    )
    from_orm = await sync_to_async(services.chat_message_send)(
        user=users_a[1], room_id=summary.room_id, message_type="text", content="반가워요"
    )

    @sync_to_async
    def stored():
        messages = Message.objects.select_related("sender__user").filter(room_id=summary.room_id, message_type="text")
        return (
            {str(m.message_id): selectors.message_fact(m, []) for m in messages},
            ChatRoom.objects.get(pk=summary.room_id).last_message.message_id,
        )

    facts, last_message_id = await stored()
    assert facts == {from_loop["message_id"]: from_loop, from_orm["message_id"]: from_orm}
    assert from_loop["sender"] == {"user_id": str(users_a[0].public_id), "display_name": "A1", "group": "A"}
    assert str(last_message_id) == from_orm["message_id"]
    assert broadcast == [from_loop, from_orm]
    # The loop's send also moved the room's last message when it was the newest.
    await services.chat_message_send_async(user=users_a[0], room_id=summary.room_id, message_type="text", content="!")
    assert str((await stored())[1]) == broadcast[-1]["message_id"]


async def test_the_loop_path_refuses_what_the_orm_refuses_and_stores_nothing(broadcast):
    summary, users_a, users_b = await sync_to_async(open_room)(a=2, b=1)
    stranger = await sync_to_async(UserFactory)()
    send = services.chat_message_send_async
    with pytest.raises(RoomNotFound):
        await send(user=stranger, room_id=summary.room_id, message_type="text", content="hi")
    with pytest.raises(ValidationFailed):
        await send(user=users_a[0], room_id=summary.room_id, message_type="text", content="")
    with pytest.raises(ValidationFailed):
        await send(user=users_a[0], room_id=summary.room_id, message_type="text", content="x" * 2001)
    with pytest.raises(ValidationFailed):
        await send(user=users_a[0], room_id=summary.room_id, message_type="system", content="hi")
    await sync_to_async(services.chat_room_leave)(user=users_a[1], room_id=summary.room_id)
    with pytest.raises(RoomNotFound):
        await send(user=users_a[1], room_id=summary.room_id, message_type="text", content="after leaving")
    # The last of group B leaves: the room closes.
    await sync_to_async(services.chat_room_leave)(user=users_b[0], room_id=summary.room_id)
    with pytest.raises(RoomClosed):
        await send(user=users_a[0], room_id=summary.room_id, message_type="text", content="too late")

    texts = await sync_to_async(lambda: Message.objects.filter(room_id=summary.room_id, message_type="text").count())()
    assert texts == 0
    assert [fact["content"] for fact in broadcast] == ["A2님이 나갔습니다.", "B1님이 나갔습니다."]


async def test_sends_from_the_loop_and_from_threads_are_broadcast_in_stored_order(broadcast):
    summary, users_a, users_b = await sync_to_async(open_room)(a=2, b=2)
    per_sender = 10

    async def from_the_loop(user):
        for i in range(per_sender):
            await services.chat_message_send_async(
                user=user, room_id=summary.room_id, message_type="text", content=f"loop {user.pk}-{i}"
            )

    def from_a_thread(user):
        try:
            for i in range(per_sender):
                services.chat_message_send(
                    user=user, room_id=summary.room_id, message_type="text", content=f"orm {user.pk}-{i}"
                )
        finally:
            connection.close()

    await asyncio.gather(
        *(from_the_loop(user) for user in users_a),
        *(in_a_thread(from_a_thread, user) for user in users_b),
    )

    stored = await stored_order(summary.room_id)
    assert len(stored) == 1 + 4 * per_sender  # the room's greeting, then every message
    assert [fact["message_id"] for fact in broadcast] == stored[1:]
    last = await sync_to_async(lambda: str(ChatRoom.objects.get(pk=summary.room_id).last_message.message_id))()
    assert last == stored[-1]


async def test_a_send_racing_the_senders_leave_lands_before_the_notice_or_is_refused(broadcast):
    for _ in range(5):
        summary, users_a, _ = await sync_to_async(open_room)(a=2, b=1)
        leaver = users_a[0]
        outcomes = []

        async def keep_sending():
            for i in range(20):
                try:
                    await services.chat_message_send_async(
                        user=leaver, room_id=summary.room_id, message_type="text", content=f"m{i}"
                    )
                    outcomes.append("stored")
                except RoomNotFound:
                    outcomes.append("refused")

        def leave():
            try:
                services.chat_room_leave(user=leaver, room_id=summary.room_id)
            finally:
                connection.close()

        await asyncio.gather(keep_sending(), in_a_thread(leave))

        @sync_to_async
        def contents_in_order():
            return list(
                Message.objects.filter(room_id=summary.room_id)
                .order_by("created_at", "seq")
                .values_list("content", flat=True)
            )

        contents = await contents_in_order()
        notice = contents.index("A1님이 나갔습니다.")
        assert all(content.startswith("m") for content in contents[1:notice])
        assert contents[notice + 1 :] == []
        # Once refused, every later send is refused too; none is stored after the notice.
        assert outcomes == sorted(outcomes, key=lambda outcome: outcome == "refused")
        assert outcomes.count("stored") == notice - 1


async def test_a_cancelled_sender_does_not_cut_the_send_in_half(broadcast):
    summary, users_a, _ = await sync_to_async(open_room)(a=1, b=1)
    sending = asyncio.create_task(
        services.chat_message_send_async(user=users_a[0], room_id=summary.room_id, message_type="text", content="1")
    )
    await asyncio.sleep(0)
    sending.cancel()
    with pytest.raises(asyncio.CancelledError):
        await sending

    async def broadcast_count(expected):
        while len(broadcast) < expected:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(broadcast_count(1), TIMEOUT)
    # Stored and broadcast as a whole, and the room's order lock was released: the next send goes.
    await asyncio.wait_for(
        services.chat_message_send_async(user=users_a[0], room_id=summary.room_id, message_type="text", content="2"),
        TIMEOUT,
    )
    stored = await stored_order(summary.room_id)
    assert [fact["message_id"] for fact in broadcast] == stored[1:]
    assert [fact["content"] for fact in broadcast] == ["1", "2"]


async def test_an_image_message_frame_takes_the_orm_path_with_its_attachment():
    summary, users_a, users_b = await sync_to_async(open_room)(a=1, b=1)
    sender, reader = users_a[0], users_b[0]
    uploaded = await sync_to_async(services.chat_attachment_upload)(
        user=sender, room_id=summary.room_id, upload=image_upload()
    )
    tokens = await sync_to_async(lambda: [access_token_for(reader), access_token_for(sender)])()
    reader_socket, _ = await ws_connect(f"/ws/matching/chats/{summary.room_id}", tokens[0])
    sender_socket, _ = await ws_connect(f"/ws/matching/chats/{summary.room_id}", tokens[1])
    try:
        await sender_socket.send_json_to(
            {"type": "message", "message_type": "image", "content": "", "attachments": [uploaded["attachment_id"]]}
        )
        frame = await ws_receive_json(reader_socket, TIMEOUT)
        assert frame["type"] == "message" and frame["message_type"] == "image"
        assert [a["attachment_id"] for a in frame["attachments"]] == [uploaded["attachment_id"]]
        claimed = await sync_to_async(
            lambda: ChatAttachment.objects.get(pk=uploaded["attachment_id"]).message.message_id
        )()
        assert str(claimed) == frame["message_id"]
    finally:
        await reader_socket.disconnect()
        await sender_socket.disconnect()
