"""``pools.services.pool_cancel_for_user``, which moderation calls when it bans someone."""

from datetime import timedelta

import pytest
import time_machine

from pools import services
from pools.models import Pool, PoolMember, PoolStatus, Proposal, ProposalSide, ProposalStatus
from pools.tests.factories import make_pool, matched_pair, member_users, proposed_pair, verified_user

pytestmark = pytest.mark.django_db


def test_a_members_waiting_pool_is_cancelled_whoever_created_it():
    pool = make_pool(size=3)
    banned = member_users(pool)[2]

    services.pool_cancel_for_user(user=banned)

    pool.refresh_from_db()
    assert (pool.status, pool.closed_at is not None) == (PoolStatus.CANCELLED, True)
    assert not PoolMember.objects.filter(pool=pool, is_active=True).exists()


def test_a_proposed_pool_is_cancelled_and_the_other_pool_waits_again(pairing_enqueued, django_capture_on_commit_callbacks):
    proposal, pool_a, pool_b = proposed_pair()

    with django_capture_on_commit_callbacks(execute=True):
        services.pool_cancel_for_user(user=member_users(pool_b)[1])

    assert Proposal.objects.get(pk=proposal.pk).status == ProposalStatus.CANCELLED
    assert not ProposalSide.objects.filter(is_open=True).exists()
    assert dict(Pool.objects.values_list("pk", "status")) == {
        pool_a.pk: PoolStatus.WAITING,
        pool_b.pk: PoolStatus.CANCELLED,
    }
    assert pairing_enqueued == [()]


def test_calling_it_twice_or_for_someone_in_no_pool_does_nothing():
    pool = make_pool()
    services.pool_cancel_for_user(user=pool.creator)
    closed_at = Pool.objects.get(pk=pool.pk).closed_at

    services.pool_cancel_for_user(user=pool.creator)
    services.pool_cancel_for_user(user=verified_user())

    assert Pool.objects.get(pk=pool.pk).closed_at == closed_at


def test_a_matched_pool_is_left_alone():
    _, pool_a, _, _ = matched_pair()
    services.pool_cancel_for_user(user=pool_a.creator)
    assert Pool.objects.get(pk=pool_a.pk).status == PoolStatus.MATCHED


def test_an_overdue_pool_is_expired_rather_than_cancelled():
    pool = make_pool()
    with time_machine.travel(pool.expires_at + timedelta(seconds=1)):
        services.pool_cancel_for_user(user=pool.creator)
    assert Pool.objects.get(pk=pool.pk).status == PoolStatus.EXPIRED
