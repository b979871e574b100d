"""The pairing job over the database: proposals, events, the rules it must keep, its locks, and
the constraints that hold whatever runs."""

import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import DataError, IntegrityError, connection, transaction
from django.utils import timezone

from pools import services, tasks
from pools.models import Pool, PoolMember, PoolStatus, Proposal, ProposalSide, ProposalStatus
from pools.tests.factories import BUSINESS, make_pool, member_users, proposed_pair, verified_user

pytestmark = pytest.mark.django_db


def test_a_run_proposes_compatible_pools_and_tells_every_member(sent_events, django_capture_on_commit_callbacks):
    with time_machine.travel("2025-12-12T10:00:00Z", tick=False):
        men = make_pool(gender="male", size=3, message="공대생 셋")
    with time_machine.travel("2025-12-12T11:00:00Z", tick=False):
        women = make_pool(gender="female", size=3, department="경영학과", major_category=BUSINESS, matching_type="open")
        with django_capture_on_commit_callbacks(execute=True):
            result = services.pool_pairing_run()

    assert result == services.PairingResult(waiting=2, planned=1, proposed=1)
    proposal = Proposal.objects.get()
    # The pool that waited longer is side a.
    assert (proposal.pool_a, proposal.pool_b, proposal.status) == (men, women, ProposalStatus.PENDING)
    assert proposal.created_at.isoformat() == "2025-12-12T11:00:00+00:00"
    assert proposal.expires_at.isoformat() == "2025-12-13T11:00:00+00:00"
    sides = list(ProposalSide.objects.filter(proposal=proposal).values_list("side", "pool_id", "response", "is_open"))
    assert sides == [("a", men.pk, "pending", True), ("b", women.pk, "pending", True)]
    assert set(Pool.objects.values_list("status", flat=True)) == {PoolStatus.PROPOSED}

    for member in member_users(men):
        assert sent_events[str(member.public_id)] == [
            {
                "type": "proposal.received",
                "data": {
                    "proposal_id": str(proposal.pk),
                    "my_pool": {"pool_id": str(men.pk), "member_count": 3, "department": "컴퓨터공학과"},
                    "matched_pool": {
                        "pool_id": str(women.pk),
                        "member_count": 3,
                        "department": "경영학과",
                        "message": "즐겁게 만나요!",
                        "matching_type": "open",
                    },
                    "my_status": "pending",
                    "other_status": "pending",
                    "created_at": "2025-12-12T11:00:00Z",
                    "expires_at": "2025-12-13T11:00:00Z",
                },
                "timestamp": "2025-12-12T11:00:00Z",
            }
        ]
    for member in member_users(women):
        data = sent_events[str(member.public_id)][0]["data"]
        assert (data["my_pool"]["pool_id"], data["matched_pool"]["pool_id"]) == (str(women.pk), str(men.pk))
        assert data["matched_pool"]["message"] == "공대생 셋"
    assert len(sent_events) == 6


def test_a_second_run_changes_nothing(sent_events, django_capture_on_commit_callbacks):
    make_pool(gender="male")
    make_pool(gender="female")
    services.pool_pairing_run()

    with django_capture_on_commit_callbacks(execute=True):
        again = services.pool_pairing_run()

    assert again == services.PairingResult(waiting=0, planned=0, proposed=0)
    assert Proposal.objects.count() == 1
    assert sent_events == {}


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"gender": "male"}, {"gender": "male"}),
        ({"gender": "male", "size": 2}, {"gender": "female", "size": 3}),
        (
            {"gender": "male", "preferred_match_type": "same_department"},
            {"gender": "female", "department": "경영학과"},
        ),
        (
            {"gender": "male", "preferred_match_type": "major_category", "preferred_categories": ["사회과학대학"]},
            {"gender": "female", "major_category": BUSINESS},
        ),
    ],
    ids=["same-gender", "other-size", "department-refused", "category-refused"],
)
def test_incompatible_pools_are_left_waiting(first, second):
    make_pool(**first)
    make_pool(**second)
    assert services.pool_pairing_run().proposed == 0
    assert set(Pool.objects.values_list("status", flat=True)) == {PoolStatus.WAITING}


def test_mutual_preferences_that_meet_are_paired():
    make_pool(gender="male", preferred_match_type="same_department", department="경영학과")
    make_pool(
        gender="female", preferred_match_type="major_category", preferred_categories=["공과대학"],
        department="경영학과", major_category="공과대학",
    )
    assert services.pool_pairing_run().proposed == 1


def test_pools_past_their_expiry_are_not_paired_even_before_the_expiry_job():
    old = make_pool(gender="male")
    with time_machine.travel(old.expires_at + timedelta(seconds=1)):
        make_pool(gender="female")
        assert services.pool_pairing_run().proposed == 0
    assert Pool.objects.get(pk=old.pk).status == PoolStatus.WAITING


def test_a_proposal_never_outlives_its_pools():
    old = make_pool(gender="male")
    with time_machine.travel(old.created_at + timedelta(days=6, hours=12)):
        make_pool(gender="female")
        services.pool_pairing_run()
    assert Proposal.objects.get().expires_at == old.expires_at


def test_the_task_runs_the_service_and_reports_counts():
    make_pool(gender="male")
    make_pool(gender="female")
    assert tasks.pool_pairing_run.apply().get() == {"waiting": 2, "planned": 1, "proposed": 1}
    assert tasks.pool_pairing_run.apply().get() == {"waiting": 0, "planned": 0, "proposed": 0}


def test_the_tasks_are_declared_for_late_ack_with_time_limits():
    for task in (tasks.pool_pairing_run, tasks.pools_expire_overdue):
        assert task.acks_late is True
        assert (task.soft_time_limit, task.time_limit) == (240, 300)


def test_beat_runs_pairing_and_expiry_every_minute(settings):
    assert settings.CELERY_BEAT_SCHEDULE["pools-pairing"]["task"] == "pools.tasks.pool_pairing_run"
    assert settings.CELERY_BEAT_SCHEDULE["pools-expiry"]["task"] == "pools.tasks.pools_expire_overdue"
    assert {settings.CELERY_BEAT_SCHEDULE[name]["schedule"] for name in ("pools-pairing", "pools-expiry")} == {60.0}


# --- The database's word ----------------------------------------------------------------------


def test_a_pool_cannot_sit_in_two_open_proposals():
    proposal, pool_a, _ = proposed_pair()
    third = make_pool(gender="female")
    other = Proposal.objects.create(pool_a=pool_a, pool_b=third, expires_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalSide.objects.create(proposal=other, pool=pool_a, side="a")
    # Once the first proposal is closed, its seat is free.
    ProposalSide.objects.filter(proposal=proposal).update(is_open=False)
    ProposalSide.objects.create(proposal=other, pool=pool_a, side="a")


def test_two_pools_are_proposed_to_each_other_at_most_once_in_either_order():
    proposal, pool_a, pool_b = proposed_pair()
    for first, second in ((pool_a, pool_b), (pool_b, pool_a)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Proposal.objects.create(pool_a=first, pool_b=second, expires_at=timezone.now() + timedelta(hours=1))


def test_a_user_cannot_be_active_in_two_pools():
    pool = make_pool()
    other = make_pool()
    with pytest.raises(IntegrityError), transaction.atomic():
        PoolMember.objects.create(pool=other, user=pool.creator, position=9)


@pytest.mark.parametrize(
    "change",
    [
        {"member_count": 9},
        {"member_count": 1},
        {"status": "lost"},
        {"message": ""},
        {"message": "가" * 201},
        {"status": "matched"},
        {"status": "cancelled"},
        {"gender": "other"},
        {"preferred_match_type": "best"},
    ],
)
def test_pool_rows_that_break_the_rules_are_refused(change):
    pool = make_pool()
    # PostgreSQL's varchar(200) refuses an overlong message (DataError) before the check constraint.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        Pool.objects.filter(pk=pool.pk).update(**change)


# --- Locks --------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_run_skips_pools_another_transaction_holds_and_pairs_them_later(sent_events):
    held = make_pool(gender="male")
    make_pool(gender="female")
    locked, release, done = threading.Event(), threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                list(Pool.objects.select_for_update().filter(pk=held.pk))
                locked.set()
                release.wait(10)
        finally:
            connection.close()
            done.set()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        # The run neither waits for the held row nor proposes around it.
        assert services.pool_pairing_run() == services.PairingResult(waiting=2, planned=1, proposed=0)
        assert Proposal.objects.count() == 0
    finally:
        release.set()
        holder.join()

    assert services.pool_pairing_run().proposed == 1
    assert Pool.objects.get(pk=held.pk).status == PoolStatus.PROPOSED


def test_members_of_the_same_user_count_once():
    creator = verified_user()
    pool = make_pool(creator=creator, members=[verified_user(), creator])
    assert pool.member_count == 2
