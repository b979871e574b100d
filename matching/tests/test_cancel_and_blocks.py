"""``POST /api/match/cancel/``, ``match_queue_leave`` (moderation) and ``match_block_pair``."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings

from matching import services
from matching.models import MatchBlock, MatchParticipant, MatchStatus
from matching.selectors import match_pair_is_blocked
from matching.tests.factories import pending_match, queue

URL = "/api/match/cancel/"

pytestmark = pytest.mark.django_db


def state(user) -> tuple:
    user.refresh_from_db()
    return (user.is_matching, user.matching_since, user.matching_heartbeat_at)


def test_requires_a_token(api_client):
    response = api_client.post(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_cancel_leaves_the_queue_with_the_seed_message(user, auth_client):
    queue(user)
    response = auth_client(user).post(URL)
    assert response.status_code == 200
    assert response.json() == {"message": "매칭 상태가 해제되었습니다."}
    assert state(user) == (False, None, None)


def test_english_message(user, auth_client):
    response = auth_client(user).post(URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"message": "Matching status has been cleared."}


def test_cancel_is_idempotent(user, auth_client):
    client = auth_client(user)
    assert client.post(URL).status_code == 200
    queue(user)
    assert client.post(URL).status_code == 200
    assert client.post(URL).json() == {"message": "매칭 상태가 해제되었습니다."}
    assert state(user) == (False, None, None)


def test_cancel_ends_the_pending_match_and_the_partner_stays_queued(user_factory, auth_client):
    a, b = user_factory(), user_factory()
    match = pending_match(a, b)
    auth_client(b).post(URL)
    match.refresh_from_db()
    assert match.status == MatchStatus.CANCELLED and match.closed_at is not None
    assert not MatchParticipant.objects.filter(is_open=True).exists()
    assert state(b)[0] is False
    assert state(a)[0] is True
    # The partner can be paired again at once.
    c = user_factory()
    assert queue(c) is not None


def test_cancel_does_not_touch_a_matched_match(user_factory, auth_client):
    a, b = user_factory(), user_factory()
    match = pending_match(a, b)
    services.match_decide(user=a, match_id=match.pk, decision="accept")
    services.match_decide(user=b, match_id=match.pk, decision="accept")
    auth_client(a).post(URL)
    match.refresh_from_db()
    assert match.status == MatchStatus.MATCHED


def test_cancel_of_a_stale_match_marks_it_expired(user_factory, auth_client):
    a, b = user_factory(), user_factory()
    match = pending_match(a, b)
    with time_machine.travel(match.expires_at + timedelta(seconds=1)):
        auth_client(a).post(URL)
    match.refresh_from_db()
    assert match.status == MatchStatus.EXPIRED


def test_moderation_takes_a_user_off_the_queue(user_factory):
    a, b = user_factory(), user_factory()
    match = pending_match(a, b)
    services.match_queue_leave(user=a)
    services.match_queue_leave(user=a)
    match.refresh_from_db()
    assert match.status == MatchStatus.CANCELLED
    assert state(a) == (False, None, None)


# --- blocks --------------------------------------------------------------------------------------
def test_block_pair_is_idempotent_and_symmetric(user_factory):
    a, b, c = user_factory(), user_factory(), user_factory()
    services.match_block_pair(user=b, other=a)
    services.match_block_pair(user=a, other=b)
    services.match_block_pair(user=b, other=a)
    block = MatchBlock.objects.get()
    assert (block.user_low_id, block.user_high_id, block.created_by_id) == (min(a.pk, b.pk), max(a.pk, b.pk), b.pk)
    assert match_pair_is_blocked(user=a, other=b) and match_pair_is_blocked(user=b, other=a)
    assert not match_pair_is_blocked(user=a, other=c)


def test_blocking_oneself_does_nothing(user):
    services.match_block_pair(user=user, other=user)
    assert not MatchBlock.objects.exists()


def test_a_block_cancels_a_pending_match_between_the_pair(user_factory):
    a, b, c = user_factory(), user_factory(), user_factory()
    match = pending_match(a, b)
    services.match_block_pair(user=a, other=b)
    match.refresh_from_db()
    assert match.status == MatchStatus.CANCELLED
    assert state(a)[0] and state(b)[0]
    new = queue(c)
    assert new is not None and c.pk in (new.user_a_id, new.user_b_id)


def test_a_block_leaves_other_matches_alone(user_factory):
    a, b, c = user_factory(), user_factory(), user_factory()
    match = pending_match(a, b)
    services.match_block_pair(user=a, other=c)
    match.refresh_from_db()
    assert match.status == MatchStatus.PENDING


# --- the periodic job ----------------------------------------------------------------------------
def test_cleanup_is_scheduled():
    entry = django_settings.CELERY_BEAT_SCHEDULE["matching-cleanup"]
    assert entry["task"] == "matching.tasks.match_cleanup"
    assert entry["schedule"] <= 60


def test_cleanup_expires_stale_matches_and_drops_idle_users(user_factory, settings):
    from matching.tasks import match_cleanup

    settings.MATCH_QUEUE_HEARTBEAT_TIMEOUT_SEC = 120
    a, b = user_factory(), user_factory()
    stale = pending_match(a, b)
    idle, active = user_factory(gender="female"), user_factory(gender="female")
    queue(idle)
    services.match_block_pair(user=idle, other=active)
    with time_machine.travel(stale.created_at + timedelta(seconds=100)):
        queue(active)  # a fresh heartbeat
    with time_machine.travel(stale.created_at + timedelta(seconds=130)):
        assert match_cleanup() == {"expired_matches": 1, "dropped_idle_users": 3}
        assert match_cleanup() == {"expired_matches": 0, "dropped_idle_users": 0}
    stale.refresh_from_db()
    assert stale.status == MatchStatus.EXPIRED
    assert not MatchParticipant.objects.filter(is_open=True).exists()
    assert [state(user)[0] for user in (a, b, idle, active)] == [False, False, False, True]


def test_cleanup_keeps_users_deciding_on_a_live_match(user_factory, settings):
    from matching.tasks import match_cleanup

    settings.MATCH_QUEUE_HEARTBEAT_TIMEOUT_SEC = 120
    waiting, requester = user_factory(), user_factory()
    with time_machine.travel("2026-03-01 10:00:00 +0000", tick=False):
        queue(waiting)
    with time_machine.travel("2026-03-01 10:01:59 +0000", tick=False):
        match = queue(requester)
    with time_machine.travel("2026-03-01 10:02:05 +0000", tick=False):
        assert match_cleanup() == {"expired_matches": 0, "dropped_idle_users": 0}
    match.refresh_from_db()
    assert match.status == MatchStatus.PENDING
    assert state(waiting)[0] is True


def test_the_expiry_job_works_in_batches(user_factory, settings):
    settings.MATCH_EXPIRY_BATCH_SIZE = 2
    matches = [pending_match(user_factory(), user_factory()) for _ in range(5)]
    with time_machine.travel(matches[-1].expires_at + timedelta(seconds=1)):
        assert services.match_expire_stale_matches() == 5
    assert all(match.status == MatchStatus.EXPIRED for match in type(matches[0]).objects.all())
