"""Races run for real: threads on PostgreSQL, each with its own connection, released together."""

import random
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from config.errors import AccountSuspended
from config.testing import UserFactory, run_together
from gems.errors import InsufficientGems
from gems.models import GemTransaction
from gems.selectors import gem_balance, gem_ledger_sum
from gems.services import gem_charge
from gems.tests.factories import GemProductFactory, dev_token
from matching import services
from matching.geo import distance_km
from matching.models import Match, MatchParticipant, MatchSettings, MatchStatus
from matching.tests.factories import give_gems, set_conditions

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]



def accepts(settings_row: MatchSettings, viewer, other) -> bool:
    """The pairing rules of contract §3 for one direction, written independently of the SQL."""
    if settings_row.preferred_gender != "all" and other.gender != settings_row.preferred_gender:
        return False
    if not settings_row.age_min <= other.age <= settings_row.age_max:
        return False
    if settings_row.radius_km is not None:
        if None in (viewer.last_lat, other.last_lat):
            return False
        return distance_km(viewer.last_lat, viewer.last_lng, other.last_lat, other.last_lng) <= settings_row.radius_km
    return True


def test_fifty_simultaneous_requests_pair_only_compatible_users_once(settings):
    settings.MATCH_SHOW_TIME_SEC = 60
    rng = random.Random(20260301)
    users = []
    for index in range(50):
        user = UserFactory(gender=rng.choice(["male", "female"]), age=rng.randint(18, 60))
        give_gems(user, 10)
        set_conditions(
            user,
            gender=rng.choice(["all", "all", "male", "female"]),
            ages=rng.choice([(18, 100), (18, 100), (20, 40), (30, 60)]),
            radius=rng.choice([None, None, 50, 300]),
        )
        users.append(user)
    # Seoul and Busan are ~325 km apart: some radii fit, some do not.
    locations = {user.pk: rng.choice([(37.5665, 126.9780), (37.45, 126.7), (35.1796, 129.0756)]) for user in users}

    results, errors = run_together(
        [
            lambda user=user: services.match_request(user=user, lat=locations[user.pk][0], lng=locations[user.pk][1])
            for user in users
        ]
    )
    assert errors == [None] * 50

    open_rows = Counter(MatchParticipant.objects.filter(is_open=True).values_list("user_id", flat=True))
    assert all(count == 1 for count in open_rows.values())
    pending = list(Match.objects.filter(status=MatchStatus.PENDING).select_related("user_a", "user_b"))
    # Simultaneous requesters pair with each other (they do not lock themselves while searching);
    # with this seed about 24 pairs form.
    assert len(pending) >= 10, "the race should pair a fair number of the 50"
    paired = Counter()
    for match in pending:
        a, b = match.user_a, match.user_b
        paired.update([a.pk, b.pk])
        open_in_match = MatchParticipant.objects.filter(match=match, is_open=True).values_list("user_id", flat=True)
        assert set(open_in_match) == {a.pk, b.pk}
        settings_a, settings_b = MatchSettings.objects.get(user=a), MatchSettings.objects.get(user=b)
        assert accepts(settings_a, a, b) and accepts(settings_b, b, a), f"incompatible pair in match {match.pk}"
    assert max(paired.values()) == 1
    assert set(paired) == set(open_rows)
    # Every caller got either its own pending match or "waiting"; nobody got a match they are not in.
    for user, result in zip(users, results):
        if result is not None:
            assert user.pk in (result.user_a_id, result.user_b_id)
            assert Match.objects.get(pk=result.pk).status == MatchStatus.PENDING
    assert Match.objects.exclude(status=MatchStatus.PENDING).count() == 0


def test_two_simultaneous_accepts_make_exactly_one_matched():
    for _round in range(5):
        a, b = UserFactory(), UserFactory()
        services.match_request(user=b)
        match = services.match_request(user=a)
        results, errors = run_together(
            [
                lambda user=user: services.match_decide(user=user, match_id=match.pk, decision="accept")
                for user in (a, b)
            ]
        )
        assert errors == [None, None]
        assert sorted(results) == ["matched", "waiting"]
        match.refresh_from_db()
        assert (match.status, match.decision_a, match.decision_b) == (MatchStatus.MATCHED, "accept", "accept")
        services.match_queue_leave(user=a)
        services.match_queue_leave(user=b)


def test_twenty_simultaneous_filter_charges_and_top_ups_never_go_below_zero(settings):
    """One user accepts 20 filtered matches at once (the partners accepted already) while five
    top-ups land. The pending matches are laid out directly, since the queue would never give one
    user 20 open matches: this race is about the gem ledger, not the queue."""
    settings.MATCH_FILTER_GEM_COST = 5
    GemProductFactory(product_id="race_pack", gems=10)
    payer = UserFactory()
    give_gems(payer, 32)
    now = timezone.now()
    matches = [
        Match.objects.create(
            user_a=payer,
            user_b=UserFactory(),
            filter_cost_a=5,
            decision_b="accept",
            created_at=now,
            expires_at=now + timedelta(minutes=5),
        )
        for _ in range(20)
    ]
    decide_calls = [
        lambda match=match: services.match_decide(user=payer, match_id=match.pk, decision="accept") for match in matches
    ]
    top_up_calls = [lambda: gem_charge(user=payer, payment_token=dev_token("race_pack")) for _ in range(5)]
    results, errors = run_together(decide_calls + top_up_calls)

    decided, decide_errors = results[:20], errors[:20]
    assert all(error is None or isinstance(error, InsufficientGems) for error in decide_errors)
    assert errors[20:] == [None] * 5
    matched = [match for match, outcome in zip(matches, decided) if outcome == "matched"]
    assert len(matched) == sum(error is None for error in decide_errors)
    assert 6 <= len(matched) <= 16
    balance = gem_balance(user=payer)
    assert balance == 32 + 50 - 5 * len(matched) >= 0
    assert gem_ledger_sum(user=payer) == balance
    charged = set(
        GemTransaction.objects.filter(user=payer, reason="match_filter").values_list("reference", flat=True)
    )
    assert charged == {f"match:{match.pk}:{payer.public_id}" for match in matched}
    statuses = Counter(Match.objects.filter(pk__in=[m.pk for m in matches]).values_list("status", flat=True))
    assert statuses == Counter({MatchStatus.MATCHED: len(matched), MatchStatus.PENDING: 20 - len(matched)})
    # Every ledger row's balance_after is consistent with the order the rows were written in.
    running = 0
    rows = GemTransaction.objects.filter(user=payer).order_by("id").values_list("amount", "balance_after")
    for amount, balance_after in rows:
        running += amount
        assert balance_after == running >= 0


def test_cancel_racing_a_pairing_never_leaves_a_dequeued_user_in_a_match():
    waiting = [UserFactory() for _ in range(10)]
    requesters = [UserFactory() for _ in range(10)]
    for user in waiting:
        services.match_request(user=user)
    calls = []
    for w, r in zip(waiting, requesters):
        calls.append(lambda w=w: services.match_queue_leave(user=w))
        calls.append(lambda r=r: services.match_request(user=r))
    _results, errors = run_together(calls)
    assert errors == [None] * 20
    for user in waiting + requesters:
        user.refresh_from_db()
        in_open_match = MatchParticipant.objects.filter(user=user, is_open=True).exists()
        assert user.is_matching or not in_open_match, f"{user} left the queue but is in an open match"
    open_rows = Counter(MatchParticipant.objects.filter(is_open=True).values_list("user_id", flat=True))
    assert max(open_rows.values(), default=0) <= 1


def test_a_request_and_a_decision_on_the_same_stale_match_do_not_deadlock():
    for _round in range(8):
        a, b = UserFactory(), UserFactory()
        services.match_request(user=b)
        match = services.match_request(user=a)
        # Past its deadline, and nobody has swept it yet.
        Match.objects.filter(pk=match.pk).update(
            created_at=timezone.now() - timedelta(seconds=20), expires_at=timezone.now() - timedelta(seconds=10)
        )
        results, errors = run_together(
            [
                lambda: services.match_request(user=a),
                lambda: services.match_decide(user=b, match_id=match.pk, decision="accept"),
            ]
        )
        assert errors == [None, None]
        assert results[1] == "next"
        match.refresh_from_db()
        assert match.status == MatchStatus.EXPIRED
        services.match_queue_leave(user=a)
        services.match_queue_leave(user=b)


def test_a_candidate_locked_by_another_transaction_is_skipped_not_waited_for():
    waiting, requester = UserFactory(), UserFactory()
    services.match_request(user=waiting)
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        try:
            with transaction.atomic():
                get_user_model().objects.select_for_update(no_key=True).filter(pk=waiting.pk).get()
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        started = time.monotonic()
        assert services.match_request(user=requester) is None
        assert time.monotonic() - started < 2
    finally:
        release.set()
        holder.join(timeout=30)
    match = services.match_request(user=requester)
    assert match is not None and match.user_b_id == waiting.pk


def test_a_sanction_racing_the_users_own_request_does_not_deadlock():
    """Moderation updates the user row, then takes the user off the queue, in one transaction."""

    def suspend_and_dequeue(user):
        with transaction.atomic():
            get_user_model().objects.filter(pk=user.pk).update(suspended_until=timezone.now() + timedelta(days=7))
            services.match_queue_leave(user=user)

    for _round in range(8):
        user, other = UserFactory(), UserFactory()
        services.match_request(user=other)
        _results, errors = run_together([lambda: suspend_and_dequeue(user), lambda: services.match_request(user=user)])
        # The request either ran first or is refused: it read the sanction under the row lock.
        assert errors[0] is None
        assert errors[1] is None or isinstance(errors[1], AccountSuspended)
        user.refresh_from_db()
        in_open_match = MatchParticipant.objects.filter(user=user, is_open=True).exists()
        assert user.is_matching or not in_open_match
        services.match_queue_leave(user=user)
        services.match_queue_leave(user=other)
