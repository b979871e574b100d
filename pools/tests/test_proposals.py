"""Proposals: the list, accept and reject, the whole life cycle, expiry with time-machine."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from chat.models import ChatMember, ChatRoom, Message
from pools import services
from pools.models import Pool, PoolMember, PoolStatus, Proposal, ProposalSide, ProposalStatus
from pools.tests.factories import BUSINESS, make_pool, matched_pair, member_users, proposed_pair, verified_user

LIST = "/api/v1/matching/proposals"
pytestmark = pytest.mark.django_db


def accept_url(proposal_id) -> str:
    return f"/api/v1/matching/proposals/{proposal_id}/accept"


def reject_url(proposal_id) -> str:
    return f"/api/v1/matching/proposals/{proposal_id}/reject"


def state(proposal):
    """Everything an answer can change, to check that a refusal changed nothing."""
    return (
        Proposal.objects.filter(pk=proposal.pk).values_list("status", "closed_at").get(),
        list(ProposalSide.objects.filter(proposal=proposal).values_list("side", "response", "responded_at", "is_open")),
        sorted(Pool.objects.filter(pk__in=[proposal.pool_a_id, proposal.pool_b_id]).values_list("pk", "status")),
        PoolMember.objects.filter(pool__in=[proposal.pool_a_id, proposal.pool_b_id], is_active=True).count(),
        ChatRoom.objects.count(),
    )


# --- GET /matching/proposals -------------------------------------------------------------------


def test_each_side_sees_the_proposal_from_its_own_pool(auth_client, django_assert_num_queries):
    with time_machine.travel("2025-12-12T13:34:54Z", tick=False):
        proposal, pool_a, pool_b = proposed_pair(message="공대생이에요")
        client = auth_client(pool_a.creator)
        # The token's user, then one query for the list.
        with django_assert_num_queries(2):
            response = client.get(LIST)
        other_side = auth_client(member_users(pool_b)[1]).get(LIST)

    assert response.status_code == 200
    assert response.json()["data"] == {
        "proposals": [
            {
                "proposal_id": str(proposal.pk),
                "my_pool": {"pool_id": str(pool_a.pk), "member_count": 2, "department": "컴퓨터공학과"},
                "matched_pool": {
                    "pool_id": str(pool_b.pk),
                    "member_count": 2,
                    "department": "경영학과",
                    "message": "즐겁게 만나요!",
                    "matching_type": "blind",
                },
                "my_status": "pending",
                "other_status": "pending",
                "final_status": "pending",
                "created_at": "2025-12-12T13:34:54Z",
                "expires_at": "2025-12-13T13:34:54Z",
            }
        ],
        "total": 1,
    }
    # A member who is not the creator sees it too, from their pool's side.
    item = other_side.json()["data"]["proposals"][0]
    assert (item["my_pool"]["pool_id"], item["matched_pool"]["pool_id"]) == (str(pool_b.pk), str(pool_a.pk))
    assert item["matched_pool"]["message"] == "공대생이에요"


def test_the_answers_show_as_my_status_and_other_status(auth_client):
    proposal, pool_a, pool_b = proposed_pair()
    services.proposal_accept(user=pool_a.creator, proposal_id=proposal.pk)

    mine = auth_client(pool_a.creator).get(LIST).json()["data"]["proposals"][0]
    theirs = auth_client(pool_b.creator).get(LIST).json()["data"]["proposals"][0]

    assert (mine["my_status"], mine["other_status"]) == ("accepted", "pending")
    assert (theirs["my_status"], theirs["other_status"]) == ("pending", "accepted")


def test_the_status_filter(auth_client):
    rejected, rejected_a, rejected_b = proposed_pair()
    services.proposal_reject(user=rejected_a.creator, proposal_id=rejected.pk)
    services.pool_cancel(user=rejected_a.creator, pool_id=rejected_a.pk)
    services.pool_cancel(user=rejected_b.creator, pool_id=rejected_b.pk)
    creator = rejected_a.creator
    # The same creator's next pool is matched, and a third one has a pending proposal.
    matched = _pair_for(creator)
    services.proposal_accept(user=creator, proposal_id=matched.pk)
    services.proposal_accept(user=matched.pool_b.creator, proposal_id=matched.pk)
    pending = _pair_for(creator)
    client = auth_client(creator)

    def ids(status=None):
        response = client.get(LIST, {"status": status} if status else {})
        assert response.status_code == 200
        data = response.json()["data"]
        assert data["total"] == len(data["proposals"])
        return [item["proposal_id"] for item in data["proposals"]]

    assert ids() == [str(pending.pk)]
    assert ids("pending") == [str(pending.pk)]
    assert ids("accepted") == [str(matched.pk)]
    assert ids("rejected") == [str(rejected.pk)]
    # Newest first.
    assert ids("all") == [str(pending.pk), str(matched.pk), str(rejected.pk)]


def _pair_for(creator):
    mine = make_pool(creator=creator, members=[verified_user()])
    make_pool(gender="female")
    services.pool_pairing_run()
    return Proposal.objects.get(pool_a=mine)


def test_a_proposal_past_its_deadline_reads_expired_at_once(auth_client):
    proposal, pool_a, _ = proposed_pair()
    with time_machine.travel(proposal.expires_at + timedelta(seconds=1)):
        client = auth_client(pool_a.creator)
        assert client.get(LIST).json()["data"] == {"proposals": [], "total": 0}
        items = client.get(LIST, {"status": "all"}).json()["data"]["proposals"]
    assert [item["final_status"] for item in items] == ["expired"]
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.PENDING


def test_strangers_see_no_proposals(auth_client):
    proposed_pair()
    assert auth_client(verified_user()).get(LIST, {"status": "all"}).json()["data"] == {"proposals": [], "total": 0}


@pytest.mark.parametrize("status", ["open", "PENDING", "expired"])
def test_an_unknown_status_filter_is_a_validation_error(auth_client, status):
    response = auth_client(verified_user()).get(LIST, {"status": status})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert list(response.json()["error"]["details"]) == ["status"]


def test_the_list_needs_a_token_and_counts_as_a_matching_read(api_client, auth_client):
    assert api_client.get(LIST).status_code == 401
    response = auth_client(verified_user()).get(LIST)
    assert response["X-RateLimit-Limit"] == "100"


# --- POST .../accept --------------------------------------------------------------------------


def test_the_first_acceptance_waits_for_the_other_side(auth_client, sent_events, django_capture_on_commit_callbacks):
    proposal, pool_a, _ = proposed_pair()

    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client(pool_a.creator).post(accept_url(proposal.pk))

    assert response.status_code == 200
    assert response.json()["data"] == {
        "proposal_id": str(proposal.pk),
        "my_status": "accepted",
        "other_status": "pending",
        "message": "수락했습니다. 상대방의 응답을 기다리고 있습니다.",
    }
    assert response.json()["message"] == "수락했습니다. 상대방의 응답을 기다리고 있습니다."
    side = ProposalSide.objects.get(proposal=proposal, side="a")
    assert (side.response, side.responded_at is not None, side.is_open) == ("accepted", True, True)
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.PENDING
    assert ChatRoom.objects.count() == 0
    assert sent_events == {}


def test_both_acceptances_match_the_pools_and_open_one_chat_room(
    auth_client, sent_events, django_capture_on_commit_callbacks
):
    proposal, pool_a, pool_b = proposed_pair(size=3)
    services.proposal_accept(user=pool_a.creator, proposal_id=proposal.pk)

    with time_machine.travel("2025-12-12T16:00:00Z", tick=False), django_capture_on_commit_callbacks(execute=True):
        response = auth_client(pool_b.creator).post(accept_url(proposal.pk))

    assert response.status_code == 200
    room = ChatRoom.objects.get()
    expected_room = {
        "room_id": str(room.pk),
        # The date in Asia/Seoul: 16:00 UTC is already the 13th there.
        "room_name": "과팅 매칭 - 2025.12.13",
        "display_mode": "blind",
        "members_count": 6,
    }
    assert response.json()["data"] == {
        "proposal_id": str(proposal.pk),
        "my_status": "accepted",
        "other_status": "accepted",
        "final_status": "matched",
        "chat_room": expected_room,
        "message": "매칭이 성사되었습니다! 단체 메시지방이 개설되었습니다.",
    }
    assert room.proposal_id == proposal.pk
    seats = list(ChatMember.objects.filter(room=room).order_by("group", "position").values_list("user_id", "display_name"))
    assert seats == [
        *[(user.pk, f"A{number}") for number, user in enumerate(member_users(pool_a), 1)],
        *[(user.pk, f"B{number}") for number, user in enumerate(member_users(pool_b), 1)],
    ]
    assert (room.group_a_department, room.group_b_department) == ("컴퓨터공학과", "경영학과")
    assert Message.objects.filter(room=room, message_type="system").count() == 1

    proposal.refresh_from_db()
    assert (proposal.status, proposal.closed_at is not None) == (ProposalStatus.MATCHED, True)
    assert not ProposalSide.objects.filter(proposal=proposal, is_open=True).exists()
    for pool in (pool_a, pool_b):
        pool.refresh_from_db()
        assert (pool.status, pool.matched_at, pool.closed_at) == (PoolStatus.MATCHED, proposal.closed_at, proposal.closed_at)
        assert not pool.members.filter(is_active=True).exists()

    everyone = [*member_users(pool_a), *member_users(pool_b)]
    assert set(sent_events) == {str(user.public_id) for user in everyone}
    for user in everyone:
        assert sent_events[str(user.public_id)] == [
            {
                "type": "proposal.matched",
                "data": {"proposal_id": str(proposal.pk), "final_status": "matched", "chat_room": expected_room},
                "timestamp": "2025-12-12T16:00:00Z",
            }
        ]


@pytest.mark.parametrize(
    ("a_type", "b_type", "mode"), [("open", "open", "open"), ("open", "blind", "blind"), ("blind", "open", "blind")]
)
def test_the_room_is_blind_if_either_pool_is_blind(a_type, b_type, mode):
    pool_a = make_pool(gender="male", matching_type=a_type)
    pool_b = make_pool(gender="female", matching_type=b_type)
    services.pool_pairing_run()
    proposal = Proposal.objects.get()
    services.proposal_accept(user=pool_b.creator, proposal_id=proposal.pk)
    outcome = services.proposal_accept(user=pool_a.creator, proposal_id=proposal.pk)
    assert outcome.chat_room.display_mode == mode
    assert ChatRoom.objects.get().display_mode == mode


def test_a_member_who_is_not_the_creator_cannot_answer(auth_client):
    proposal, pool_a, _ = proposed_pair()
    member = member_users(pool_a)[1]
    before = state(proposal)

    for url in (accept_url(proposal.pk), reject_url(proposal.pk)):
        response = auth_client(member).post(url)
        assert response.status_code == 403
        assert response.json()["error"] == {
            "code": "FORBIDDEN",
            "message": "풀 생성자만 제안에 응답할 수 있습니다.",
            "details": {},
        }
    assert state(proposal) == before


@pytest.mark.parametrize("who", ["stranger", "unknown proposal"])
def test_someone_elses_proposal_or_an_unknown_one_is_not_found(auth_client, who):
    proposal, _, _ = proposed_pair()
    before = state(proposal)
    target = proposal.pk if who == "stranger" else uuid.uuid4()

    for url in (accept_url(target), reject_url(target)):
        response = auth_client(verified_user()).post(url)
        assert response.status_code == 404
        assert response.json()["error"] == {"code": "NOT_FOUND", "message": "제안을 찾을 수 없음", "details": {}}
    assert state(proposal) == before


def test_a_former_pool_member_is_still_refused_for_another_pools_proposal(auth_client):
    proposal, _, _ = proposed_pair()
    assert auth_client(verified_user()).post(accept_url(proposal.pk)).status_code == 404


def test_answering_twice_is_already_responded(auth_client):
    proposal, pool_a, _ = proposed_pair()
    client = auth_client(pool_a.creator)
    assert client.post(accept_url(proposal.pk)).status_code == 200
    before = state(proposal)

    again = client.post(accept_url(proposal.pk))
    rejected = client.post(reject_url(proposal.pk))

    for response in (again, rejected):
        assert response.status_code == 400
        assert response.json()["error"] == {
            "code": "ALREADY_RESPONDED",
            "message": "이미 응답한 제안",
            "details": {"my_status": "accepted", "final_status": "pending"},
        }
    assert state(proposal) == before


def test_answering_after_the_other_side_rejected_is_already_responded(auth_client):
    proposal, pool_a, pool_b = proposed_pair()
    services.proposal_reject(user=pool_b.creator, proposal_id=proposal.pk)
    before = state(proposal)

    response = auth_client(pool_a.creator).post(accept_url(proposal.pk))

    assert response.json()["error"]["code"] == "ALREADY_RESPONDED"
    assert response.json()["error"]["details"] == {"my_status": "pending", "final_status": "rejected"}
    assert state(proposal) == before


def test_answering_a_matched_proposal_again_is_already_responded(auth_client):
    proposal, pool_a, _, _ = matched_pair()
    response = auth_client(pool_a.creator).post(reject_url(proposal.pk))
    assert response.json()["error"]["code"] == "ALREADY_RESPONDED"
    assert ChatRoom.objects.count() == 1


@pytest.mark.parametrize("answer", ["accept", "reject"])
def test_answering_after_the_deadline_is_expired_and_expires_it_for_real(
    auth_client, answer, pairing_enqueued, django_capture_on_commit_callbacks
):
    proposal, pool_a, pool_b = proposed_pair()
    services.proposal_accept(user=pool_b.creator, proposal_id=proposal.pk)
    url = accept_url(proposal.pk) if answer == "accept" else reject_url(proposal.pk)

    with time_machine.travel(proposal.expires_at + timedelta(seconds=1)):
        with django_capture_on_commit_callbacks(execute=True):
            response = auth_client(pool_a.creator).post(url)
        again = auth_client(pool_a.creator).post(url)

    for reply in (response, again):
        assert reply.status_code == 400
        assert reply.json()["error"] == {"code": "EXPIRED", "message": "만료된 제안", "details": {}}
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.EXPIRED
    assert ProposalSide.objects.get(proposal=proposal, side="a").response == "pending"
    assert set(Pool.objects.values_list("status", flat=True)) == {PoolStatus.WAITING}
    assert ChatRoom.objects.count() == 0
    assert pairing_enqueued == [()]


def test_accepting_is_limited_to_ten_an_hour(auth_client):
    client = auth_client(verified_user())
    for _ in range(10):
        assert client.post(accept_url(uuid.uuid4())).status_code == 404
    response = client.post(accept_url(uuid.uuid4()))
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert response["X-RateLimit-Limit"] == "10"


def test_answers_need_a_token(api_client):
    proposal, _, _ = proposed_pair()
    before = state(proposal)
    assert api_client.post(accept_url(proposal.pk)).json()["error"]["code"] == "UNAUTHORIZED"
    assert api_client.post(reject_url(proposal.pk)).json()["error"]["code"] == "UNAUTHORIZED"
    assert state(proposal) == before


# --- POST .../reject --------------------------------------------------------------------------


def test_a_rejection_closes_the_proposal_and_both_pools_wait_again(
    auth_client, pairing_enqueued, django_capture_on_commit_callbacks
):
    proposal, pool_a, pool_b = proposed_pair()
    services.proposal_accept(user=pool_a.creator, proposal_id=proposal.pk)

    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client(pool_b.creator).post(reject_url(proposal.pk), {"reason": "시간이 맞지 않아요"}, format="json")

    assert response.status_code == 200
    assert response.json()["data"] == {
        "proposal_id": str(proposal.pk),
        "my_status": "rejected",
        "final_status": "rejected",
        "message": "매칭 제안을 거절했습니다.",
    }
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED
    side = ProposalSide.objects.get(proposal=proposal, side="b")
    assert (side.response, side.reason, side.is_open) == ("rejected", "시간이 맞지 않아요", False)
    assert set(Pool.objects.values_list("status", flat=True)) == {PoolStatus.WAITING}
    assert PoolMember.objects.filter(is_active=True).count() == 4
    assert pairing_enqueued == [()]


def test_a_rejection_without_a_body_is_fine(auth_client):
    proposal, pool_a, _ = proposed_pair()
    response = auth_client(pool_a.creator).post(reject_url(proposal.pk))
    assert response.status_code == 200
    assert ProposalSide.objects.get(proposal=proposal, side="a").reason == ""


@pytest.mark.parametrize("reason", ["가" * 501, 42, ["no"]])
def test_a_bad_reason_is_a_validation_error(auth_client, reason):
    proposal, pool_a, _ = proposed_pair()
    before = state(proposal)
    response = auth_client(pool_a.creator).post(reject_url(proposal.pk), {"reason": reason}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert state(proposal) == before


# --- The life cycle ----------------------------------------------------------------------------


def test_rejected_pools_wait_and_each_is_proposed_to_another_pool_never_to_each_other():
    proposal, pool_a, pool_b = proposed_pair()
    services.proposal_reject(user=pool_a.creator, proposal_id=proposal.pk)

    # Alone together, the rejected pair is never proposed again.
    assert services.pool_pairing_run().proposed == 0

    newcomer_woman = make_pool(gender="female")
    newcomer_man = make_pool(gender="male", department="경영학과", major_category=BUSINESS)
    assert services.pool_pairing_run().proposed == 2

    assert set(Proposal.objects.filter(status=ProposalStatus.PENDING).values_list("pool_a_id", "pool_b_id")) == {
        (pool_a.pk, newcomer_woman.pk),
        (pool_b.pk, newcomer_man.pk),
    }
    assert Proposal.objects.filter(pool_a=pool_a, pool_b=pool_b).count() == 1


def test_the_expiry_job_returns_pools_of_an_unanswered_proposal_and_they_pair_elsewhere(pairing_enqueued):
    proposal, pool_a, pool_b = proposed_pair()

    with time_machine.travel(proposal.expires_at - timedelta(seconds=1)):
        assert services.pools_expire_overdue() == services.ExpiryResult(proposals_expired=0, pools_expired=0)
    with time_machine.travel(proposal.expires_at + timedelta(seconds=30)):
        assert services.pools_expire_overdue() == services.ExpiryResult(proposals_expired=1, pools_expired=0)
        assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.EXPIRED
        assert set(Pool.objects.values_list("status", flat=True)) == {PoolStatus.WAITING}
        # An unanswered pair is not proposed again either; a new pool is.
        assert services.pool_pairing_run().proposed == 0
        newcomer = make_pool(gender="female")
        services.pool_pairing_run()
        assert Proposal.objects.get(status=ProposalStatus.PENDING).pool_b_id == newcomer.pk


def test_the_expiry_job_expires_pools_after_seven_days():
    waiting = make_pool(gender="male", size=4)
    proposal, pool_a, pool_b = proposed_pair()
    # Another pool that expires later stays.
    with time_machine.travel(waiting.created_at + timedelta(days=3)):
        later = make_pool(gender="male", size=5)

    with time_machine.travel(pool_b.expires_at + timedelta(seconds=1)):
        result = services.pools_expire_overdue()
        again = services.pools_expire_overdue()

    assert result == services.ExpiryResult(proposals_expired=1, pools_expired=1)
    assert again == services.ExpiryResult(proposals_expired=0, pools_expired=0)
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.EXPIRED
    statuses = dict(Pool.objects.values_list("pk", "status"))
    assert statuses == {
        waiting.pk: PoolStatus.EXPIRED,
        pool_a.pk: PoolStatus.EXPIRED,
        pool_b.pk: PoolStatus.EXPIRED,
        later.pk: PoolStatus.WAITING,
    }
    assert set(PoolMember.objects.filter(is_active=True).values_list("pool_id", flat=True)) == {later.pk}
    assert Pool.objects.filter(closed_at__isnull=True).count() == 1


def test_the_expiry_task_reports_counts():
    from pools import tasks

    pool = make_pool()
    with time_machine.travel(pool.expires_at + timedelta(seconds=1)):
        assert tasks.pools_expire_overdue.apply().get() == {"proposals_expired": 0, "pools_expired": 1}


def test_a_matched_pool_never_expires():
    _, pool_a, _, _ = matched_pair()
    with time_machine.travel(timezone.now() + timedelta(days=30)):
        assert services.pools_expire_overdue() == services.ExpiryResult(proposals_expired=0, pools_expired=0)
    assert Pool.objects.get(pk=pool_a.pk).status == PoolStatus.MATCHED
