import threading

import pytest
from django.db import connection

from calls.tests.factories import CallSessionFactory, MatchedMatchFactory, ended_call
from config.testing import UserFactory, auth_client_for
from ratings.models import Rating, RatingSummary
from ratings.selectors import user_rating_averages

pytestmark = pytest.mark.django_db

URL = "/api/history/rate/"


def summary_of(user) -> tuple[int, int] | None:
    return RatingSummary.objects.filter(user=user).values_list("rating_count", "rating_sum").first()


def test_a_participant_rates_the_other_one():
    call = ended_call()

    response = auth_client_for(call.callee).post(URL, {"call_id": call.pk, "rating": 4, "comment": "즐거웠어요"}, format="json")

    assert response.status_code == 200
    assert response.json() == {"message": "평가가 등록되었습니다."}
    rating = Rating.objects.get()
    assert (rating.call_id, rating.rater, rating.rated, rating.score, rating.comment) == (
        call.pk, call.callee, call.caller, 4, "즐거웠어요",
    )
    assert summary_of(call.caller) == (1, 4)
    assert summary_of(call.callee) is None


def test_both_sides_rate_each_other_and_the_averages_follow():
    first, second = ended_call(), ended_call()
    popular = first.caller
    second_call = CallSessionFactory(match=MatchedMatchFactory(user_a=popular))

    auth_client_for(first.callee).post(URL, {"call_id": first.pk, "rating": 5}, format="json")
    auth_client_for(second_call.callee).post(URL, {"call_id": second_call.pk, "rating": 4, "comment": ""}, format="json")
    auth_client_for(popular).post(URL, {"call_id": first.pk, "rating": 2}, format="json")

    assert summary_of(popular) == (2, 9)
    assert summary_of(first.callee) == (1, 2)
    assert user_rating_averages([popular.pk, first.callee.pk, second.caller.pk]) == {
        popular.pk: 4.5,
        first.callee.pk: 2.0,
        second.caller.pk: None,
    }


def test_a_call_in_progress_can_be_rated():
    call = CallSessionFactory()

    response = auth_client_for(call.caller).post(URL, {"call_id": call.pk, "rating": 3}, format="json")

    assert response.status_code == 200
    assert summary_of(call.callee) == (1, 3)


def test_rating_the_same_call_twice_is_refused_and_changes_nothing():
    call = ended_call()
    client = auth_client_for(call.callee)
    client.post(URL, {"call_id": call.pk, "rating": 5, "comment": "first"}, format="json")

    response = client.post(URL, {"call_id": call.pk, "rating": 1, "comment": "second"}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "ALREADY_RATED"
    assert response.json()["error"]["message"] == "이미 평가한 통화입니다."
    assert list(Rating.objects.values_list("score", "comment")) == [(5, "first")]
    assert summary_of(call.caller) == (1, 5)


def test_someone_who_was_not_in_the_call_cannot_rate_it():
    call = ended_call()

    response = auth_client_for(UserFactory()).post(URL, {"call_id": call.pk, "rating": 1}, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert response.json()["error"]["message"] == "통화를 찾을 수 없습니다."
    assert not Rating.objects.exists()
    assert not RatingSummary.objects.exists()


def test_an_unknown_call_is_not_found(user):
    response = auth_client_for(user).post(URL, {"call_id": 424242, "rating": 3}, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rating": 3}, "call_id"),
        ({"call_id": "x", "rating": 3}, "call_id"),
        ({"call_id": 0, "rating": 3}, "call_id"),
        ({"call_id": 2**63, "rating": 3}, "call_id"),
        ({"call_id": "CALL"}, "rating"),
        ({"call_id": "CALL", "rating": 0}, "rating"),
        ({"call_id": "CALL", "rating": 6}, "rating"),
        ({"call_id": "CALL", "rating": -1}, "rating"),
        ({"call_id": "CALL", "rating": 3.5}, "rating"),
        ({"call_id": "CALL", "rating": "five"}, "rating"),
        ({"call_id": "CALL", "rating": None}, "rating"),
        ({"call_id": "CALL", "rating": 3, "comment": "x" * 501}, "comment"),
        ({"call_id": "CALL", "rating": 3, "comment": None}, "comment"),
        ({"call_id": "CALL", "rating": 3, "comment": ["a"]}, "comment"),
    ],
)
def test_invalid_input_is_refused_and_nothing_is_recorded(body, field):
    call = ended_call()
    body = {key: (call.pk if value == "CALL" else value) for key, value in body.items()}

    response = auth_client_for(call.callee).post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert list(response.json()["error"]["details"]) == [field]
    assert not Rating.objects.exists()
    assert not RatingSummary.objects.exists()


@pytest.mark.parametrize(
    ("body", "details"),
    [
        ({"call_id": "CALL_AS_STRING", "rating": 5}, {"call_id": ["유효한 정수를 입력하세요."]}),
        ({"call_id": "CALL", "rating": "5"}, {"rating": ["유효한 정수를 입력하세요."]}),
        ({"call_id": "CALL", "rating": True}, {"rating": ["유효한 정수를 입력하세요."]}),
        ({"call_id": "CALL", "rating": 5, "comment": 5}, {"comment": ["유효한 문자열이 아닙니다."]}),
    ],
)
def test_values_of_the_wrong_json_type_are_refused_and_nothing_is_recorded(body, details):
    call = ended_call()
    substitutes = {"CALL": call.pk, "CALL_AS_STRING": str(call.pk)}
    body = {key: substitutes.get(value, value) if isinstance(value, str) else value for key, value in body.items()}

    response = auth_client_for(call.callee).post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert response.json()["error"]["details"] == details
    assert not Rating.objects.exists()
    assert not RatingSummary.objects.exists()


def test_a_comment_of_exactly_500_characters_is_accepted():
    call = ended_call()

    response = auth_client_for(call.callee).post(URL, {"call_id": call.pk, "rating": 1, "comment": "가" * 500}, format="json")

    assert response.status_code == 200
    assert Rating.objects.get().comment == "가" * 500


def test_without_a_token_it_is_unauthorized(api_client):
    call = ended_call()

    response = api_client.post(URL, {"call_id": call.pk, "rating": 5}, format="json")

    assert response.status_code == 401
    assert not Rating.objects.exists()


def _run_together(targets) -> None:
    barrier = threading.Barrier(len(targets))

    def run(target):
        try:
            barrier.wait()
            target()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_ratings_of_one_call_at_the_same_instant_one_wins_one_gets_409():
    call = ended_call()
    statuses = []

    def rate(score):
        def post():
            response = auth_client_for(call.callee).post(URL, {"call_id": call.pk, "rating": score}, format="json")
            statuses.append((response.status_code, response.json().get("error", {}).get("code")))

        return post

    _run_together([rate(5), rate(1)])

    assert sorted(statuses) == [(200, None), (409, "ALREADY_RATED")]
    rating = Rating.objects.get()
    assert summary_of(call.caller) == (1, rating.score)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_ratings_of_one_user_are_all_counted_in_the_aggregate():
    rated = UserFactory()
    calls = [CallSessionFactory(match=MatchedMatchFactory(user_a=rated)) for _ in range(8)]
    scores = [5, 4, 3, 5, 1, 2, 5, 4]

    def rate(call, score):
        return lambda: auth_client_for(call.callee).post(URL, {"call_id": call.pk, "rating": score}, format="json")

    _run_together([rate(call, score) for call, score in zip(calls, scores)])

    assert Rating.objects.filter(rated=rated).count() == 8
    assert summary_of(rated) == (8, sum(scores))
    assert user_rating_averages([rated.pk]) == {rated.pk: 3.6}
