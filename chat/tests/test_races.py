"""Races run for real: threads with their own PostgreSQL connections, started together."""

import random
import threading
import time

import pytest
from django.db import connection

from chat import services
from chat.models import ChatMember, ChatRoom, Message
from chat.tests.factories import add_messages, open_room

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*calls):
    """Runs each call in its own thread, released at once; returns (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def worker(call):
        try:
            barrier.wait()
            results.append(call())
        except BaseException as error:  # noqa: BLE001 (the test reports every failure)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_the_last_two_of_a_group_leaving_at_once_close_the_room():
    summary, users_a, users_b = open_room(a=2, b=2)
    results, errors = run_together(
        *(lambda user=user: services.chat_room_leave(user=user, room_id=summary.room_id) for user in users_b)
    )
    assert errors == []
    room = ChatRoom.objects.get(pk=summary.room_id)
    assert room.is_active is False and room.closed_at is not None
    assert sorted(r.room_closed for r in results) == [False, True]
    assert ChatMember.objects.filter(room=room, group="B", left_at__isnull=True).count() == 0
    notices = list(Message.objects.filter(room=room, message_type="system").values_list("content", flat=True))
    assert sorted(notices[1:]) == ["B1님이 나갔습니다.", "B2님이 나갔습니다."]


def test_one_member_leaving_twice_at_once_leaves_once():
    summary, users_a, _ = open_room(a=2, b=2)
    results, errors = run_together(
        *(lambda: services.chat_room_leave(user=users_a[0], room_id=summary.room_id) for _ in range(4))
    )
    assert len(results) == 1
    assert [type(e).__name__ for e in errors] == ["RoomNotFound"] * 3
    assert Message.objects.filter(room_id=summary.room_id, content="A1님이 나갔습니다.").count() == 1


def test_concurrent_reads_keep_the_newest_cursor():
    summary, users_a, users_b = open_room(a=1, b=1)
    rows = add_messages(summary.room_id, users_a[0], [f"m{i}" for i in range(8)])
    reader = users_b[0]
    results, errors = run_together(
        *(
            lambda row=row: services.chat_room_mark_read(
                user=reader, room_id=summary.room_id, last_read_message_id=row.message_id
            )
            for row in rows
        )
    )
    assert errors == []
    member = ChatMember.objects.get(room_id=summary.room_id, user=reader)
    assert member.last_read_message_id == rows[-1].seq
    assert services.selectors.unread_count(member=member) == 0


def test_concurrent_senders_are_broadcast_in_stored_order(monkeypatch):
    from config import realtime

    broadcast = []

    def send_over_a_slow_network(group, message):
        # Up to 10 ms to reach Redis: time enough for another sender to commit and overtake.
        time.sleep(random.uniform(0, 0.01))
        broadcast.append(message)

    monkeypatch.setattr(realtime, "group_send_now", send_over_a_slow_network)
    summary, users_a, users_b = open_room(a=2, b=2)
    senders = [*users_a, *users_b]

    def send_many(user):
        for i in range(10):
            services.chat_message_send(
                user=user, room_id=summary.room_id, message_type="text", content=f"{user.pk}-{i}"
            )

    _, errors = run_together(*(lambda user=user: send_many(user) for user in senders))

    assert errors == []
    stored = [
        str(m)
        for m in Message.objects.filter(room_id=summary.room_id, message_type="text")
        .order_by("created_at", "seq")
        .values_list("message_id", flat=True)
    ]
    assert len(stored) == 40
    assert [m["message"]["message_id"] for m in broadcast if m["type"] == "chat.message"] == stored


def test_concurrent_sends_leave_the_room_pointing_at_its_newest_message():
    summary, users_a, users_b = open_room(a=2, b=2)
    _, errors = run_together(
        *(
            lambda user=user, n=n: services.chat_message_send(
                user=user, room_id=summary.room_id, message_type="text", content=f"{user.pk}-{n}"
            )
            for user in [*users_a, *users_b]
            for n in range(3)
        )
    )
    assert errors == []
    newest = Message.objects.filter(room_id=summary.room_id).order_by("-created_at", "-seq").first()
    assert ChatRoom.objects.get(pk=summary.room_id).last_message_id == newest.pk
