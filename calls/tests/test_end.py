import threading
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.utils import timezone

from calls.models import CallSession
from calls.tests.factories import CallSessionFactory
from config.testing import UserFactory, access_token_for, auth_client_for, ws_connect, ws_receive_json

URL = "/api/call/end/"


@pytest.mark.django_db
def test_a_participant_ends_the_call_and_its_duration_is_recorded(time_machine):
    time_machine.move_to("2025-12-12T13:00:00Z", tick=False)
    call = CallSessionFactory()
    time_machine.move_to("2025-12-12T13:02:05Z", tick=False)

    response = auth_client_for(call.callee).post(URL, {"call_session_id": str(call.session_id)}, format="json")

    assert response.status_code == 200
    assert response.json() == {"message": "통화가 종료되었습니다."}
    call.refresh_from_db()
    assert call.ended_at == timezone.now()
    assert (call.duration_seconds, call.end_reason, call.ended_by) == (125, "hangup", call.callee)


@pytest.mark.django_db
def test_ending_twice_is_idempotent_and_keeps_the_first_end(time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to("2025-12-12T13:00:00Z", tick=False)
    call = CallSessionFactory()
    time_machine.move_to("2025-12-12T13:00:30Z", tick=False)
    auth_client_for(call.caller).post(URL, {"call_session_id": str(call.session_id)}, format="json")
    time_machine.move_to("2025-12-12T13:05:00Z", tick=False)

    with django_capture_on_commit_callbacks() as callbacks:
        response = auth_client_for(call.callee).post(URL, {"call_session_id": str(call.session_id)}, format="json")

    assert response.status_code == 200
    assert response.json() == {"message": "통화가 종료되었습니다."}
    assert callbacks == []
    call.refresh_from_db()
    assert (call.duration_seconds, call.ended_by, call.end_reason) == (30, call.caller, "hangup")


@pytest.mark.django_db
def test_someone_else_s_call_is_not_found_and_stays_open():
    call = CallSessionFactory()

    response = auth_client_for(UserFactory()).post(URL, {"call_session_id": str(call.session_id)}, format="json")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert response.json()["error"]["message"] == "통화를 찾을 수 없습니다."
    call.refresh_from_db()
    assert call.ended_at is None


@pytest.mark.django_db
def test_an_unknown_call_is_not_found(user):
    body = {"call_session_id": "8a4f7ae6-3b1c-4d2e-9f10-1a2b3c4d5e6f"}
    response = auth_client_for(user).post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 404
    assert response.json()["error"] == {"code": "NOT_FOUND", "message": "The call was not found.", "details": {}}


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"call_session_id": "abc"}, {"call_session_id": 12}, {"call_session_id": None}])
def test_a_bad_call_session_id_is_a_validation_error(user, body):
    response = auth_client_for(user).post(URL, body, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert "call_session_id" in response.json()["error"]["details"]


@pytest.mark.django_db
def test_without_a_token_it_is_unauthorized_and_the_call_stays_open(api_client):
    call = CallSessionFactory()

    response = api_client.post(URL, {"call_session_id": str(call.session_id)}, format="json")

    assert response.status_code == 401
    call.refresh_from_db()
    assert call.ended_at is None


@pytest.fixture
def call_with_tokens(db):
    call = CallSessionFactory(started_at=timezone.now() - timedelta(seconds=42))
    return call, access_token_for(call.caller), access_token_for(call.callee)


@pytest.mark.django_db(transaction=True)
async def test_the_peer_gets_call_ended_on_the_events_socket_and_the_ender_does_not(call_with_tokens):
    call, caller_token, callee_token = call_with_tokens
    caller_events, _ = await ws_connect("/ws/events/", caller_token)
    callee_events, _ = await ws_connect("/ws/events/", callee_token)

    response = await database_sync_to_async(
        lambda: auth_client_for(call.caller).post(URL, {"call_session_id": str(call.session_id)}, format="json")
    )()

    assert response.status_code == 200
    ended = await database_sync_to_async(CallSession.objects.get)(pk=call.pk)
    event = await ws_receive_json(callee_events)
    assert event == {
        "type": "call.ended",
        "data": {
            "call_session_id": str(call.session_id),
            "call_id": call.pk,
            "reason": "hangup",
            "ended_by": str(call.caller.public_id),
            "duration_seconds": ended.duration_seconds,
            "ended_at": ended.ended_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
        "timestamp": event["timestamp"],
    }
    assert ended.duration_seconds in (42, 43)
    assert await caller_events.receive_nothing(0.3)
    await caller_events.disconnect()
    await callee_events.disconnect()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_both_ending_at_the_same_instant_record_one_end_and_tell_once(monkeypatch):
    call = CallSessionFactory(started_at=timezone.now() - timedelta(seconds=10))
    barrier = threading.Barrier(2)
    told, statuses = [], []
    monkeypatch.setattr("calls.services.send_call_ended_on_commit", lambda ended, notify: told.append(notify))

    def end(user):
        try:
            barrier.wait()
            response = auth_client_for(user).post(URL, {"call_session_id": str(call.session_id)}, format="json")
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=end, args=(user,)) for user in (call.caller, call.callee)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [200, 200]
    call.refresh_from_db()
    assert call.end_reason == "hangup"
    assert call.ended_by in (call.caller, call.callee)
    assert len(told) == 1
    assert told[0] == [call.callee if call.ended_by == call.caller else call.caller]
