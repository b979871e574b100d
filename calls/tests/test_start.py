import base64
import hashlib
import hmac
import threading
import uuid

import pytest
from django.db import connection

from calls.models import CallSession
from calls.tests.factories import CallSessionFactory, MatchedMatchFactory, PendingMatchFactory, ended_call
from config.testing import UserFactory, auth_client_for

pytestmark = pytest.mark.django_db

URL = "/api/call/start/"


@pytest.fixture(autouse=True)
def _ice_settings(settings):
    settings.CALL_STUN_URLS = ["stun:stun.example.org:3478"]
    settings.CALL_TURN_URLS = ["turn:turn.example.org:3478"]
    settings.CALL_TURN_SECRET = "turn-shared-secret"
    settings.CALL_TURN_CREDENTIAL_TTL_SECONDS = 600


def _expected_turn(user, now: int) -> dict:
    username = f"{now + 600}:{user.public_id}"
    credential = base64.b64encode(hmac.new(b"turn-shared-secret", username.encode(), hashlib.sha1).digest()).decode()
    return {"urls": ["turn:turn.example.org:3478"], "username": username, "credential": credential}


def test_a_participant_starts_the_call_of_a_matched_match(time_machine):
    time_machine.move_to("2025-12-12T13:34:54Z", tick=False)
    match = MatchedMatchFactory()

    response = auth_client_for(match.user_b).post(URL, {"match_id": match.pk}, format="json")

    assert response.status_code == 200
    call = CallSession.objects.get()
    assert response.json() == {
        "call_session_id": str(call.session_id),
        "call_id": call.pk,
        "ice_servers": [{"urls": ["stun:stun.example.org:3478"]}, _expected_turn(match.user_b, 1765546494)],
    }
    assert (call.match_id, call.caller, call.callee) == (match.pk, match.user_b, match.user_a)
    assert call.ended_at is None


def test_starting_again_while_open_returns_the_same_call_with_fresh_credentials(time_machine):
    time_machine.move_to("2025-12-12T13:34:54Z", tick=False)
    match = MatchedMatchFactory()
    first = auth_client_for(match.user_a).post(URL, {"match_id": match.pk}, format="json").json()

    time_machine.move_to("2025-12-12T13:35:54Z", tick=False)
    again = auth_client_for(match.user_a).post(URL, {"match_id": match.pk}, format="json")
    partner = auth_client_for(match.user_b).post(URL, {"match_id": match.pk}, format="json")

    assert again.status_code == partner.status_code == 200
    assert again.json()["call_session_id"] == partner.json()["call_session_id"] == first["call_session_id"]
    assert again.json()["ice_servers"][1] == _expected_turn(match.user_a, 1765546554)
    assert partner.json()["ice_servers"][1] == _expected_turn(match.user_b, 1765546554)
    call = CallSession.objects.get()
    assert (call.caller, call.callee) == (match.user_a, match.user_b)


def test_an_ended_call_cannot_be_started_again():
    call = ended_call()

    response = auth_client_for(call.callee).post(URL, {"match_id": call.match_id}, format="json")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "CALL_ALREADY_ENDED"
    assert CallSession.objects.count() == 1


def test_someone_else_s_match_is_not_found_and_nothing_is_created():
    match = MatchedMatchFactory()

    response = auth_client_for(UserFactory()).post(URL, {"match_id": match.pk}, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert response.json()["error"]["message"] == "매칭된 매치를 찾을 수 없습니다."
    assert not CallSession.objects.exists()


def test_a_match_that_is_not_matched_cannot_be_called():
    match = PendingMatchFactory()

    response = auth_client_for(match.user_a).post(URL, {"match_id": match.pk}, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert not CallSession.objects.exists()


def test_an_unknown_match_is_not_found(user):
    response = auth_client_for(user).post(URL, {"match_id": 987654}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json()["error"] == {
        "code": "NOT_FOUND",
        "message": "No matched match with this id was found for you.",
        "details": {},
    }


@pytest.mark.parametrize(
    "body",
    [{}, {"match_id": None}, {"match_id": "abc"}, {"match_id": 0}, {"match_id": -3}, {"match_id": 2**63}, {"match_id": [1]}],
)
def test_a_bad_match_id_is_a_validation_error(user, body):
    response = auth_client_for(user).post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "match_id" in response.json()["error"]["details"]
    assert not CallSession.objects.exists()


@pytest.mark.parametrize("match_id", ["MATCH", True, 1.0])
def test_a_match_id_that_is_not_a_json_integer_is_refused_and_nothing_is_created(match_id):
    match = MatchedMatchFactory()
    sent = str(match.pk) if match_id == "MATCH" else match_id

    response = auth_client_for(match.user_a).post(URL, {"match_id": sent}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert response.json()["error"]["details"] == {"match_id": ["유효한 정수를 입력하세요."]}
    assert not CallSession.objects.exists()


def test_malformed_json_is_refused(user):
    response = auth_client_for(user).post(URL, "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MALFORMED_REQUEST"


def test_without_a_token_it_is_unauthorized(api_client):
    match = MatchedMatchFactory()

    response = api_client.post(URL, {"match_id": match.pk}, format="json")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"
    assert not CallSession.objects.exists()


def test_get_is_not_allowed(user):
    assert auth_client_for(user).get(URL).status_code == 405


def test_english_on_request():
    response = auth_client_for(UserFactory()).post(URL, {"match_id": 1}, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.json()["error"]["message"] == "No matched match with this id was found for you."


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_both_participants_starting_at_the_same_instant_share_one_call():
    match = MatchedMatchFactory()
    barrier = threading.Barrier(2)
    results: dict = {}

    def start(user):
        client = auth_client_for(user)
        try:
            barrier.wait()
            results[user.pk] = client.post(URL, {"match_id": match.pk}, format="json")
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(user,)) for user in (match.user_a, match.user_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [response.status_code for response in results.values()] == [200, 200]
    session_ids = {response.json()["call_session_id"] for response in results.values()}
    call = CallSession.objects.get()
    assert session_ids == {str(call.session_id)}
    assert {call.caller_id, call.callee_id} == {match.user_a_id, match.user_b_id}


def test_a_call_of_an_existing_session_is_unaffected_by_another_match():
    open_call = CallSessionFactory()
    other = MatchedMatchFactory(user_a=open_call.caller)

    response = auth_client_for(open_call.caller).post(URL, {"match_id": other.pk}, format="json")

    assert response.status_code == 200
    assert uuid.UUID(response.json()["call_session_id"]) != open_call.session_id
    assert CallSession.objects.count() == 2
