"""``GET /matching/pools/my``, ``DELETE /matching/pools/{id}``, ``GET /matching/pools/stats``."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from pools import services
from pools.models import Pool, PoolMember, PoolStatus, Proposal, ProposalSide, ProposalStatus
from pools.tests.factories import make_pool, matched_pair, member_users, proposed_pair, verified_user

MY = "/api/v1/matching/pools/my"
STATS = "/api/v1/matching/pools/stats"
pytestmark = pytest.mark.django_db


def pool_url(pool_id) -> str:
    return f"/api/v1/matching/pools/{pool_id}"


def snapshot(*pools):
    """Everything a refusal must leave as it was."""
    return [
        (
            Pool.objects.filter(pk=pool.pk).values_list("status", "closed_at", "matched_at").get(),
            list(PoolMember.objects.filter(pool=pool).values_list("user_id", "is_active").order_by("position")),
            list(ProposalSide.objects.filter(pool=pool).values_list("proposal_id", "is_open", "response")),
        )
        for pool in pools
    ]


# --- GET /matching/pools/my ----------------------------------------------------------------


def test_my_pool_without_one_is_404_with_a_null_pool(auth_client):
    response = auth_client(verified_user()).get(MY)

    assert response.status_code == 404
    body = response.json()
    assert body["success"] is False
    assert body["data"] == {"pool": None}
    assert body["error"] == {"code": "NOT_FOUND", "message": "등록된 매칭 풀이 없습니다.", "details": {}}


def test_my_pool_for_the_creator_and_for_a_member(auth_client, django_assert_num_queries):
    creator = verified_user(department="컴퓨터공학과", grade="3학년")
    shy = verified_user(department="전자공학과", grade="2학년", department_visible=False)
    with time_machine.travel("2025-12-12T13:34:54Z", tick=False):
        pool = make_pool(
            creator=creator, members=[shy], preferred_match_type="major_category",
            preferred_categories=["공과대학"], message="즐겁게 만나요!",
        )
        client = auth_client(creator)
        # The token's user, the pool, its members, their verified profiles.
        with django_assert_num_queries(4):
            response = client.get(MY)
        as_member = auth_client(shy).get(MY).json()["data"]["pool"]

    assert response.status_code == 200
    assert response.json()["data"] == {
        "pool": {
            "pool_id": str(pool.pk),
            "member_count": 2,
            "members": [
                {"user_id": str(creator.public_id), "name": creator.username, "department": "컴퓨터공학과", "grade": "3학년"},
                # This member hides their department from the others.
                {"user_id": str(shy.public_id), "name": shy.username, "department": None, "grade": "2학년"},
            ],
            "preferred_match_type": "major_category",
            "preferred_categories": ["공과대학"],
            "matching_type": "blind",
            "message": "즐겁게 만나요!",
            "status": "waiting",
            "created_at": "2025-12-12T13:34:54Z",
            "expires_at": "2025-12-19T13:34:54Z",
        }
    }
    assert as_member["pool_id"] == str(pool.pk)
    # Their own department shows to themselves.
    assert as_member["members"][1]["department"] == "전자공학과"


def test_my_pool_reads_proposed_then_waiting_once_the_proposal_deadline_passes(auth_client):
    proposal, pool_a, _ = proposed_pair()
    client = auth_client(pool_a.creator)
    assert client.get(MY).json()["data"]["pool"]["status"] == "proposed"

    with time_machine.travel(proposal.expires_at + timedelta(seconds=1)):
        response = auth_client(pool_a.creator).get(MY)

    assert response.json()["data"]["pool"]["status"] == "waiting"
    # Nothing was written by the read.
    assert Pool.objects.get(pk=pool_a.pk).status == PoolStatus.PROPOSED


def test_my_pool_past_its_expiry_is_gone_at_once(auth_client):
    pool = make_pool()
    with time_machine.travel(pool.expires_at + timedelta(seconds=1)):
        response = auth_client(pool.creator).get(MY)
    assert response.status_code == 404
    assert response.json()["data"] == {"pool": None}


@pytest.mark.parametrize("ending", ["cancelled", "matched"])
def test_my_pool_after_it_ended_is_404(auth_client, ending):
    if ending == "cancelled":
        pool = make_pool()
        services.pool_cancel(user=pool.creator, pool_id=pool.pk)
    else:
        _, pool, _, _ = matched_pair()
    assert auth_client(pool.creator).get(MY).status_code == 404


def test_my_pool_needs_a_token_and_is_rate_limited_as_a_matching_read(api_client, auth_client):
    assert api_client.get(MY).json()["error"]["code"] == "UNAUTHORIZED"
    response = auth_client(verified_user()).get(MY)
    assert (response["X-RateLimit-Limit"], response["X-RateLimit-Remaining"]) == ("100", "99")


# --- DELETE /matching/pools/{pool_id} --------------------------------------------------------


def test_the_creator_cancels_a_waiting_pool(auth_client):
    pool = make_pool(size=3)
    with time_machine.travel("2026-01-02T03:04:05Z", tick=False):
        response = auth_client(pool.creator).delete(pool_url(pool.pk))

    assert response.status_code == 200
    assert response.json()["data"] == {"message": "매칭 풀이 취소되었습니다."}
    assert response.json()["message"] == "매칭 풀이 취소되었습니다."
    pool.refresh_from_db()
    assert pool.status == PoolStatus.CANCELLED
    assert pool.closed_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert not PoolMember.objects.filter(pool=pool, is_active=True).exists()


def test_cancelling_twice_answers_the_same(auth_client):
    pool = make_pool()
    client = auth_client(pool.creator)
    assert client.delete(pool_url(pool.pk)).status_code == 200
    closed_at = Pool.objects.get(pk=pool.pk).closed_at

    again = client.delete(pool_url(pool.pk))

    assert again.status_code == 200
    assert Pool.objects.get(pk=pool.pk).closed_at == closed_at


def test_a_member_who_did_not_create_the_pool_is_forbidden(auth_client):
    pool = make_pool(size=3)
    member = member_users(pool)[1]
    before = snapshot(pool)

    response = auth_client(member).delete(pool_url(pool.pk))

    assert response.status_code == 403
    assert response.json()["error"] == {"code": "FORBIDDEN", "message": "풀 생성자만 취소 가능", "details": {}}
    assert snapshot(pool) == before


@pytest.mark.parametrize("who", ["stranger", "unknown pool"])
def test_someone_elses_pool_or_an_unknown_one_is_not_found(auth_client, who):
    pool = make_pool()
    before = snapshot(pool)
    target = pool.pk if who == "stranger" else uuid.uuid4()

    response = auth_client(verified_user()).delete(pool_url(target))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert response.json()["error"]["message"] == "풀을 찾을 수 없음"
    assert snapshot(pool) == before


def test_a_pool_id_that_is_not_a_uuid_is_not_found(auth_client):
    response = auth_client(verified_user()).delete(pool_url("my-pool"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


def test_a_matched_pool_cannot_be_cancelled(auth_client):
    _, pool_a, pool_b, _ = matched_pair()
    before = snapshot(pool_a, pool_b)

    response = auth_client(pool_a.creator).delete(pool_url(pool_a.pk))

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "ALREADY_MATCHED",
        "message": "이미 매칭된 풀은 취소 불가",
        "details": {},
    }
    assert snapshot(pool_a, pool_b) == before


def test_a_pool_past_its_expiry_answers_expired_and_is_expired_for_real(auth_client):
    pool = make_pool()
    with time_machine.travel(pool.expires_at + timedelta(minutes=1)):
        response = auth_client(pool.creator).delete(pool_url(pool.pk))

    assert response.status_code == 400
    assert response.json()["error"] == {"code": "EXPIRED", "message": "만료된 매칭 풀입니다.", "details": {}}
    pool.refresh_from_db()
    assert pool.status == PoolStatus.EXPIRED
    assert not PoolMember.objects.filter(pool=pool, is_active=True).exists()


def test_cancelling_a_proposed_pool_cancels_the_proposal_and_the_other_pool_waits_again(
    auth_client, pairing_enqueued, django_capture_on_commit_callbacks
):
    proposal, pool_a, pool_b = proposed_pair()

    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client(pool_b.creator).delete(pool_url(pool_b.pk))

    assert response.status_code == 200
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.CANCELLED
    assert not ProposalSide.objects.filter(proposal=proposal, is_open=True).exists()
    assert Pool.objects.get(pk=pool_a.pk).status == PoolStatus.WAITING
    assert Pool.objects.get(pk=pool_b.pk).status == PoolStatus.CANCELLED
    # The pool waiting again is offered to the pairing job at once.
    assert pairing_enqueued == [()]


def test_cancel_needs_a_token(api_client):
    pool = make_pool()
    assert api_client.delete(pool_url(pool.pk)).status_code == 401
    assert Pool.objects.get(pk=pool.pk).status == PoolStatus.WAITING


# --- GET /matching/pools/stats --------------------------------------------------------------


def test_stats_count_the_waiting_pools_only(auth_client, django_assert_num_queries):
    start = datetime(2025, 12, 12, 0, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        make_pool(size=2, gender="male")
        make_pool(size=2, gender="male")
        cancelled = make_pool(size=5, gender="female")
        services.pool_cancel(user=cancelled.creator, pool_id=cancelled.pk)
    with time_machine.travel(start + timedelta(hours=10), tick=False):
        make_pool(size=4, gender="female")
        # A proposed pair does not count as waiting.
        proposed_pair(size=3)
    with time_machine.travel(start + timedelta(hours=20), tick=False):
        client = auth_client(verified_user())
        # The token's user, then one aggregate.
        with django_assert_num_queries(2):
            response = client.get(STATS)

    assert response.status_code == 200
    # Ages 20 h, 20 h and 10 h: a mean of 16.666... hours.
    assert response.json()["data"] == {
        "total_waiting": 3,
        "by_member_count": {"2": 2, "4": 1},
        "by_gender": {"male": 2, "female": 1},
        "average_wait_time_hours": 16.7,
    }


def test_stats_leave_out_pools_past_their_expiry(auth_client):
    pool = make_pool()
    with time_machine.travel(pool.expires_at + timedelta(seconds=1)):
        data = auth_client(verified_user()).get(STATS).json()["data"]
    assert data == {
        "total_waiting": 0,
        "by_member_count": {},
        "by_gender": {"male": 0, "female": 0},
        "average_wait_time_hours": 0.0,
    }


def test_stats_need_a_token(api_client):
    assert api_client.get(STATS).status_code == 401


def test_stats_are_not_shadowed_by_the_pool_id_route(auth_client):
    # "stats" and "my" are not pool ids; DELETE on them is not allowed.
    client = auth_client(verified_user())
    assert client.delete(STATS).status_code == 405
    assert client.delete(MY).status_code == 405


def test_proposals_statuses_are_untouched_by_reads(auth_client):
    proposal, pool_a, _ = proposed_pair()
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        auth_client(pool_a.creator).get(MY)
        auth_client(pool_a.creator).get(STATS)
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.PENDING
