import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from calls.tests.factories import CallSessionFactory, MatchedMatchFactory, ended_call
from config.testing import UserFactory, auth_client_for
from ratings.serializers import CallHistoryItemSerializer
from ratings.services import rating_submit

pytestmark = pytest.mark.django_db

URL = "/api/history/recent/"


def test_the_history_lists_my_calls_from_either_side_newest_first(time_machine):
    time_machine.move_to("2025-12-12T13:00:00Z", tick=False)
    me = UserFactory()
    made = ended_call(match=MatchedMatchFactory(user_a=me), started_at=timezone.now() - timedelta(hours=2))
    received = CallSessionFactory(match=MatchedMatchFactory(user_b=me), started_at=timezone.now() - timedelta(minutes=1))
    CallSessionFactory()  # other people's call
    rating_submit(rater=me, call_id=made.pk, score=4)

    response = auth_client_for(me).get(URL)

    assert response.status_code == 200
    assert response.json() == [
        {
            "username": received.caller.username,
            "call_time": "2025-12-12T12:59:00Z",
            "call_id": received.pk,
            "user_id": str(received.caller.public_id),
            "call_session_id": str(received.session_id),
            "duration_seconds": None,
            "ended_at": None,
            "my_rating": None,
        },
        {
            "username": made.callee.username,
            "call_time": "2025-12-12T11:00:00Z",
            "call_id": made.pk,
            "user_id": str(made.callee.public_id),
            "call_session_id": str(made.session_id),
            "duration_seconds": 95,
            "ended_at": "2025-12-12T11:01:35Z",
            "my_rating": 4,
        },
    ]


def test_only_the_last_30_days_are_shown(time_machine):
    time_machine.move_to("2025-12-12T13:00:00Z", tick=False)
    me = UserFactory()
    now = timezone.now()
    inside = CallSessionFactory(match=MatchedMatchFactory(user_a=me), started_at=now - timedelta(days=30) + timedelta(seconds=1))
    CallSessionFactory(match=MatchedMatchFactory(user_a=me), started_at=now - timedelta(days=30, seconds=1))

    response = auth_client_for(me).get(URL)

    assert [item["call_id"] for item in response.json()] == [inside.pk]


def test_at_most_50_newest_calls_in_a_pinned_number_of_queries(django_assert_num_queries):
    me = UserFactory()
    now = timezone.now()
    calls = [
        CallSessionFactory(match=MatchedMatchFactory(**{"user_a" if index % 2 else "user_b": me}), started_at=now - timedelta(minutes=index))
        for index in range(55)
    ]
    for call in calls[:10]:
        rating_submit(rater=me, call_id=call.pk, score=5)
    client = auth_client_for(me)

    # Authentication (1), the calls with both participants and my ratings of them (1).
    with django_assert_num_queries(2):
        response = client.get(URL)

    body = response.json()
    assert [item["call_id"] for item in body] == [call.pk for call in calls[:50]]
    assert [item["username"] for item in body] == [
        (call.callee if call.caller == me else call.caller).username for call in calls[:50]
    ]
    assert [item["my_rating"] for item in body] == [5] * 10 + [None] * 40


def test_the_items_are_what_the_documented_serializer_gives(time_machine):
    """The view builds plain dicts for speed; CallHistoryItemSerializer documents them in the schema."""
    time_machine.move_to("2025-12-12T13:00:00Z", tick=False)
    me = UserFactory()
    made = ended_call(match=MatchedMatchFactory(user_a=me), started_at=timezone.now() - timedelta(hours=3))
    received = ended_call(match=MatchedMatchFactory(user_b=me), started_at=timezone.now() - timedelta(hours=2))
    still_open = CallSessionFactory(match=MatchedMatchFactory(user_b=me), started_at=timezone.now() - timedelta(seconds=7))
    rating_submit(rater=me, call_id=received.pk, score=2)
    rating_submit(rater=received.caller, call_id=received.pk, score=5)
    items = [
        SimpleNamespace(
            partner=call.callee if call.caller == me else call.caller,
            call_time=call.started_at,
            call_id=call.pk,
            call_session_id=call.session_id,
            duration_seconds=call.duration_seconds,
            ended_at=call.ended_at,
            my_rating=rating,
        )
        for call, rating in ((still_open, None), (received, 2), (made, None))
    ]
    expected = json.loads(JSONRenderer().render(CallHistoryItemSerializer(items, many=True).data))

    response = auth_client_for(me).get(URL)

    assert response.json() == expected
    assert list(response.json()[0]) == list(expected[0])


def test_an_empty_history_is_an_empty_list(user, django_assert_num_queries):
    client = auth_client_for(user)

    with django_assert_num_queries(2):
        response = client.get(URL)

    assert response.status_code == 200
    assert response.json() == []


def test_without_a_token_it_is_unauthorized(api_client):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_post_is_not_allowed(user):
    assert auth_client_for(user).post(URL, {}).status_code == 405
