"""Races run for real on PostgreSQL with threads: parallel pairing runs, simultaneous acceptances,
a cancellation meeting an acceptance."""

import threading
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Count

from chat.models import ChatRoom
from config.errors import ApiError
from pools import services
from pools.models import Pool, PoolStatus, Proposal, ProposalSide, ProposalStatus
from pools.tests.factories import make_pool, member_users, proposed_pair

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*calls):
    """Runs the calls in threads released at the same instant; returns their results (or errors)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except ApiError as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_two_pairing_runs_in_parallel_never_put_a_pool_in_two_proposals(sent_events):
    for _ in range(100):
        make_pool(gender="male")
        make_pool(gender="female")
    assert Pool.objects.filter(status=PoolStatus.WAITING).count() == 200

    # Small batches so the two runs interleave, each taking the batches the other is not holding.
    first, second = run_together(
        lambda: services.pool_pairing_run(batch_size=5), lambda: services.pool_pairing_run(batch_size=5)
    )

    assert first.planned == second.planned == 100
    proposed_in_parallel = first.proposed + second.proposed
    assert 0 < proposed_in_parallel <= 100
    _assert_consistent(open_proposals=proposed_in_parallel)
    # Pairs a run skipped because the other held a pool are made by the next run.
    services.pool_pairing_run()
    _assert_consistent(open_proposals=100)
    assert not Pool.objects.filter(status=PoolStatus.WAITING).exists()


def _assert_consistent(*, open_proposals: int) -> None:
    seats = Counter(ProposalSide.objects.filter(is_open=True).values_list("pool_id", flat=True))
    assert all(count == 1 for count in seats.values())
    assert Proposal.objects.filter(status=ProposalStatus.PENDING).count() == open_proposals
    assert len(seats) == 2 * open_proposals
    assert set(seats) == set(Pool.objects.filter(status=PoolStatus.PROPOSED).values_list("pk", flat=True))
    sides_per_proposal = Proposal.objects.annotate(n=Count("sides")).values_list("n", flat=True)
    assert set(sides_per_proposal) <= {2}


def test_both_creators_accepting_at_the_same_instant_open_exactly_one_room(
    sent_events, django_capture_on_commit_callbacks
):
    proposal, pool_a, pool_b = proposed_pair(size=2)
    sent_events.clear()

    outcomes = run_together(
        lambda: services.proposal_accept(user=pool_a.creator, proposal_id=proposal.pk),
        lambda: services.proposal_accept(user=pool_b.creator, proposal_id=proposal.pk),
    )

    assert sorted(outcome.final_status for outcome in outcomes) == ["matched", "pending"]
    matched = next(outcome for outcome in outcomes if outcome.final_status == "matched")
    assert [outcome.chat_room for outcome in outcomes if outcome is not matched] == [None]
    room = ChatRoom.objects.get()
    assert (room.proposal_id, room.pk) == (proposal.pk, matched.chat_room.room_id)
    assert set(Pool.objects.values_list("status", flat=True)) == {PoolStatus.MATCHED}
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.MATCHED
    everyone = [*member_users(pool_a), *member_users(pool_b)]
    assert {key: [frame["type"] for frame in frames] for key, frames in sent_events.items()} == {
        str(user.public_id): ["proposal.matched"] for user in everyone
    }


def test_a_cancellation_meeting_an_acceptance_ends_the_same_whichever_wins(sent_events):
    proposal, pool_a, pool_b = proposed_pair()

    cancel, accept = run_together(
        lambda: services.pool_cancel(user=pool_a.creator, pool_id=pool_a.pk),
        lambda: services.proposal_accept(user=pool_b.creator, proposal_id=proposal.pk),
    )

    assert cancel is None
    # Either the acceptance came first (and waited), or it met the cancelled proposal.
    assert (getattr(accept, "final_status", None) == "pending") or getattr(accept, "code", None) == "ALREADY_RESPONDED"
    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.CANCELLED
    assert dict(Pool.objects.values_list("pk", "status")) == {
        pool_a.pk: PoolStatus.CANCELLED,
        pool_b.pk: PoolStatus.WAITING,
    }
    assert not ProposalSide.objects.filter(is_open=True).exists()
    assert ChatRoom.objects.count() == 0
