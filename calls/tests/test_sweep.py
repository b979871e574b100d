import threading
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from calls.models import CallSession
from calls.services import call_close_expired, call_end
from calls.tasks import close_expired_calls
from calls.tests.factories import CallSessionFactory, ended_call

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _max_duration(settings):
    settings.CALL_MAX_DURATION_SECONDS = 3600


def test_calls_open_past_the_maximum_are_closed_and_both_sides_told(time_machine, monkeypatch):
    time_machine.move_to("2025-12-12T15:00:00Z", tick=False)
    now = timezone.now()
    stale = CallSessionFactory(started_at=now - timedelta(seconds=3601))
    at_limit = CallSessionFactory(started_at=now - timedelta(seconds=3600))
    fresh = CallSessionFactory(started_at=now - timedelta(seconds=3599))
    already_ended = ended_call(started_at=now - timedelta(hours=5))
    sent = []
    monkeypatch.setattr(
        "config.realtime.send_user_event_on_commit", lambda ids, kind, data: sent.append((set(ids), kind, data))
    )

    closed = call_close_expired()

    assert closed == 2
    stale.refresh_from_db()
    at_limit.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.ended_at, stale.duration_seconds, stale.end_reason, stale.ended_by) == (now, 3601, "timeout", None)
    assert (at_limit.ended_at, at_limit.duration_seconds, at_limit.end_reason) == (now, 3600, "timeout")
    assert fresh.ended_at is None
    assert CallSession.objects.get(pk=already_ended.pk).duration_seconds == 95
    assert sorted(data["call_id"] for _, _, data in sent) == sorted([stale.pk, at_limit.pk])
    for ids, kind, data in sent:
        call = stale if data["call_id"] == stale.pk else at_limit
        assert ids == {call.caller.public_id, call.callee.public_id}
        assert kind == "call.ended"
        assert (data["reason"], data["ended_by"]) == ("timeout", None)


def test_running_the_job_again_closes_nothing_more(time_machine):
    time_machine.move_to("2025-12-12T15:00:00Z", tick=False)
    stale = CallSessionFactory(started_at=timezone.now() - timedelta(hours=2))
    assert close_expired_calls() == 1
    stale.refresh_from_db()
    first_end = stale.ended_at

    time_machine.move_to("2025-12-12T15:01:00Z", tick=False)
    assert close_expired_calls() == 0
    stale.refresh_from_db()
    assert stale.ended_at == first_end


def test_many_stale_calls_are_closed_in_batches():
    started = timezone.now() - timedelta(hours=3)
    CallSessionFactory.create_batch(5, started_at=started)

    assert call_close_expired(batch_size=2) == 5
    assert not CallSession.objects.filter(ended_at__isnull=True).exists()


def test_the_job_is_scheduled_every_minute():
    assert django_settings.CELERY_BEAT_SCHEDULE["calls-close-expired"] == {
        "task": "calls.tasks.close_expired_calls",
        "schedule": 60.0,
    }


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_and_a_hangup_at_once_end_each_call_once():
    started = timezone.now() - timedelta(hours=3)
    calls = CallSessionFactory.create_batch(6, started_at=started)
    barrier = threading.Barrier(3)
    counts: list[int] = []

    def sweep():
        try:
            barrier.wait()
            counts.append(call_close_expired(batch_size=2))
        finally:
            connection.close()

    def hangup():
        try:
            barrier.wait()
            call_end(user=calls[0].callee, call_session_id=calls[0].session_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep), threading.Thread(target=sweep), threading.Thread(target=hangup)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not CallSession.objects.filter(ended_at__isnull=True).exists()
    first = CallSession.objects.get(pk=calls[0].pk)
    hung_up = first.end_reason == "hangup"
    assert sum(counts) == 6 - (1 if hung_up else 0)
    assert CallSession.objects.filter(end_reason="timeout").count() == sum(counts)
