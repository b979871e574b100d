import threading
import uuid
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from chat.models import ChatMember, ChatRoom, Message
from chat.services import RoomGroupSpec, RoomSummary, chat_room_open_for_proposal, room_name_for
from chat.tests.factories import open_room
from config.testing import UserFactory

pytestmark = pytest.mark.django_db


def test_open_room_seats_both_groups_in_order_with_a_system_message():
    summary, users_a, users_b = open_room(a=3, b=2, display_mode="blind")

    room = ChatRoom.objects.get(pk=summary.room_id)
    assert summary == RoomSummary(
        room_id=room.id, room_name=room.room_name, display_mode="blind", members_count=5
    )
    assert room.room_name.startswith("과팅 매칭 - ")
    assert room.is_active is True and room.closed_at is None
    assert (room.group_a_department, room.group_a_grade) == ("컴퓨터공학과", "3학년")
    assert (room.group_b_department, room.group_b_grade) == ("경영학과", "2학년")
    seats = list(ChatMember.objects.filter(room=room).values_list("user_id", "group", "display_name"))
    assert seats == [
        (users_a[0].pk, "A", "A1"), (users_a[1].pk, "A", "A2"), (users_a[2].pk, "A", "A3"),
        (users_b[0].pk, "B", "B1"), (users_b[1].pk, "B", "B2"),
    ]
    messages = list(Message.objects.filter(room=room))
    assert [(m.message_type, m.sender_id, m.content) for m in messages] == [
        ("system", None, "매칭이 성사되었습니다! 서로 인사를 나눠 보세요.")
    ]


def test_room_name_uses_the_seoul_date():
    # 16:30 UTC on Dec 11 is already Dec 12 in Seoul (UTC+9).
    assert room_name_for(datetime(2025, 12, 11, 16, 30, tzinfo=UTC)) == "과팅 매칭 - 2025.12.12"
    assert room_name_for(datetime(2025, 12, 11, 14, 59, tzinfo=UTC)) == "과팅 매칭 - 2025.12.11"


def test_opening_twice_for_one_proposal_returns_the_same_room():
    proposal_id = uuid.uuid4()
    first, users_a, users_b = open_room(proposal_id=proposal_id)
    second, _, _ = open_room(proposal_id=proposal_id, users_a=users_a, users_b=users_b)

    assert second == first
    assert ChatRoom.objects.filter(proposal_id=proposal_id).count() == 1
    assert ChatMember.objects.filter(room_id=first.room_id).count() == 4
    assert Message.objects.filter(room_id=first.room_id).count() == 1


def test_open_room_runs_inside_the_callers_transaction():
    users = [UserFactory() for _ in range(2)]
    proposal_id = uuid.uuid4()
    with pytest.raises(RuntimeError), transaction.atomic():
        chat_room_open_for_proposal(
            proposal_id=proposal_id,
            group_a=RoomGroupSpec(user_ids=[users[0].pk], department="d", grade="g"),
            group_b=RoomGroupSpec(user_ids=[users[1].pk], department="d", grade="g"),
            display_mode="open",
        )
        raise RuntimeError("the caller fails after opening the room")
    assert not ChatRoom.objects.filter(proposal_id=proposal_id).exists()


@pytest.mark.parametrize(
    "a_ids, b_ids, mode",
    [([1], [2], "secret"), ([], [2], "blind"), ([1], [1], "blind"), ([1, 1], [2], "open")],
)
def test_open_room_refuses_impossible_specs(a_ids, b_ids, mode):
    with pytest.raises(ValueError):
        chat_room_open_for_proposal(
            proposal_id=uuid.uuid4(),
            group_a=RoomGroupSpec(user_ids=a_ids, department="d", grade="g"),
            group_b=RoomGroupSpec(user_ids=b_ids, department="d", grade="g"),
            display_mode=mode,
        )
    assert ChatRoom.objects.count() == 0


def test_the_database_refuses_a_second_room_for_a_proposal():
    summary, _, _ = open_room()
    with pytest.raises(IntegrityError), transaction.atomic():
        ChatRoom.objects.create(
            proposal_id=ChatRoom.objects.get(pk=summary.room_id).proposal_id, room_name="x", display_mode="open"
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_openings_of_one_proposal_make_exactly_one_room():
    users_a = [UserFactory() for _ in range(2)]
    users_b = [UserFactory(gender="female") for _ in range(2)]
    proposal_id = uuid.uuid4()
    threads_count = 6
    barrier = threading.Barrier(threads_count)
    results: list[RoomSummary] = []
    errors: list[BaseException] = []

    def open_it():
        try:
            barrier.wait()
            with transaction.atomic():
                results.append(
                    chat_room_open_for_proposal(
                        proposal_id=proposal_id,
                        group_a=RoomGroupSpec(user_ids=[u.pk for u in users_a], department="d", grade="g"),
                        group_b=RoomGroupSpec(user_ids=[u.pk for u in users_b], department="d", grade="g"),
                        display_mode="blind",
                    )
                )
        except BaseException as error:  # noqa: BLE001 (the test reports every failure)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_it) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(results) == threads_count
    assert len({r.room_id for r in results}) == 1
    assert all(r.members_count == 4 for r in results)
    assert ChatRoom.objects.filter(proposal_id=proposal_id).count() == 1
    assert ChatMember.objects.filter(room__proposal_id=proposal_id).count() == 4
    assert Message.objects.filter(room__proposal_id=proposal_id).count() == 1
