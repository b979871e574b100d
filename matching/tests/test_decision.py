"""``POST /api/match/decision/``: waiting, matched, next, expiry, IDOR and the filter charge."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from gems.models import GemTransaction
from gems.selectors import gem_balance, gem_ledger_sum
from gems.services import gem_wallet_debit
from matching import selectors, services
from matching.models import Match, MatchParticipant, MatchStatus
from matching.tests.factories import give_gems, pending_match, queue, set_conditions

URL = "/api/match/decision/"

pytestmark = pytest.mark.django_db


def decide(auth_client, user, match_id, decision, **extra):
    return auth_client(user).post(URL, {"match_id": match_id, "decision": decision}, format="json", **extra)


def snapshot(match: Match) -> tuple:
    match.refresh_from_db()
    return (match.status, match.decision_a, match.decision_b, match.matched_at, match.closed_at)


def queued(user) -> bool:
    user.refresh_from_db()
    return user.is_matching


@pytest.fixture
def pair(user_factory):
    requester, waiting = user_factory(), user_factory()
    return requester, waiting, pending_match(requester, waiting)


def test_requires_a_token(api_client):
    response = api_client.post(URL, {"match_id": 1, "decision": "accept"}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_accept_then_accept_makes_it_matched(pair, auth_client):
    a, b, match = pair
    response = decide(auth_client, a, match.pk, "accept")
    assert response.status_code == 200 and response.json() == {"status": "waiting"}
    assert snapshot(match)[:3] == (MatchStatus.PENDING, "accept", "")
    assert queued(a) and queued(b)

    response = decide(auth_client, b, match.pk, "accept")
    assert response.json() == {"status": "matched"}
    status, decision_a, decision_b, matched_at, closed_at = snapshot(match)
    assert (status, decision_a, decision_b) == (MatchStatus.MATCHED, "accept", "accept")
    assert matched_at is not None and matched_at == closed_at
    assert not queued(a) and not queued(b)
    assert not MatchParticipant.objects.filter(is_open=True).exists()
    assert selectors.match_get_matched_for_participant(user=a, match_id=match.pk) == match
    assert selectors.match_partner(match=match, user=a) == b


def test_reject_means_next_and_both_stay_queued(pair, auth_client):
    a, b, match = pair
    assert decide(auth_client, b, match.pk, "reject").json() == {"status": "next"}
    assert snapshot(match)[:3] == (MatchStatus.REJECTED, "", "reject")
    assert queued(a) and queued(b)
    assert not MatchParticipant.objects.filter(is_open=True).exists()
    # The partner deciding afterwards learns it is over.
    assert decide(auth_client, a, match.pk, "accept").json() == {"status": "next"}
    assert snapshot(match)[:3] == (MatchStatus.REJECTED, "accept", "reject")


def test_accept_after_the_partner_rejected_is_next(pair, auth_client):
    a, b, match = pair
    decide(auth_client, a, match.pk, "reject")
    assert decide(auth_client, b, match.pk, "accept").json() == {"status": "next"}
    assert snapshot(match)[0] == MatchStatus.REJECTED


def test_after_the_deadline_it_is_expired_even_without_the_job(pair, auth_client):
    a, b, match = pair
    with time_machine.travel(match.expires_at + timedelta(milliseconds=1)):
        assert decide(auth_client, a, match.pk, "accept").json() == {"status": "next"}
    assert snapshot(match)[:3] == (MatchStatus.EXPIRED, "accept", "")
    assert queued(a) and queued(b)
    assert not MatchParticipant.objects.filter(is_open=True).exists()


def test_the_waiting_side_cannot_complete_an_expired_match(pair, auth_client):
    a, b, match = pair
    decide(auth_client, a, match.pk, "accept")
    with time_machine.travel(match.expires_at):
        assert decide(auth_client, b, match.pk, "accept").json() == {"status": "next"}
    assert snapshot(match)[0] == MatchStatus.EXPIRED
    assert selectors.match_get_matched_for_participant(user=a, match_id=match.pk) is None


@pytest.mark.parametrize(("first", "second"), [("accept", "accept"), ("accept", "reject"), ("reject", "accept")])
def test_deciding_twice_is_a_conflict(pair, auth_client, first, second):
    a, b, match = pair
    decide(auth_client, a, match.pk, first)
    before = snapshot(match)
    response = decide(auth_client, a, match.pk, second, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "ALREADY_DECIDED"
    assert response.json()["error"]["message"] == "You have already decided on this match."
    assert snapshot(match) == before


def test_deciding_twice_after_matched_is_a_conflict(pair, auth_client):
    a, b, match = pair
    decide(auth_client, a, match.pk, "accept")
    decide(auth_client, b, match.pk, "accept")
    assert decide(auth_client, b, match.pk, "reject").status_code == 409
    assert snapshot(match)[0] == MatchStatus.MATCHED


def test_a_third_user_cannot_decide_on_someone_elses_match(pair, user_factory, auth_client):
    a, b, match = pair
    before = snapshot(match)
    response = decide(auth_client, user_factory(), match.pk, "reject")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    assert response.json()["error"]["message"] == "매칭을 찾을 수 없습니다."
    assert snapshot(match) == before


def test_an_unknown_match_is_not_found(user, auth_client):
    assert decide(auth_client, user, 999_999, "accept").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"match_id": 1, "decision": "maybe"}, "decision"),
        ({"match_id": 1, "decision": "ACCEPT"}, "decision"),
        ({"match_id": 1}, "decision"),
        ({"decision": "accept"}, "match_id"),
        ({"match_id": "one", "decision": "accept"}, "match_id"),
        ({"match_id": 0, "decision": "accept"}, "match_id"),
        ({"match_id": 1.5, "decision": "accept"}, "match_id"),
        ({"match_id": 2**63, "decision": "accept"}, "match_id"),
        ({"match_id": None, "decision": "accept"}, "match_id"),
    ],
)
def test_bad_input_is_refused_and_nothing_changes(pair, auth_client, body, field):
    a, b, match = pair
    before = snapshot(match)
    response = auth_client(a).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert list(response.json()["error"]["details"]) == [field]
    assert snapshot(match) == before


@pytest.mark.parametrize("match_id", ["MATCH", True])
def test_a_match_id_that_is_not_a_json_integer_is_refused_and_nothing_changes(pair, auth_client, match_id):
    a, b, match = pair
    before = snapshot(match)
    sent = str(match.pk) if match_id == "MATCH" else match_id
    response = auth_client(a).post(URL, {"match_id": sent, "decision": "accept"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert response.json()["error"]["details"] == {"match_id": ["유효한 정수를 입력하세요."]}
    assert snapshot(match) == before


def test_matched_users_can_queue_again_later(pair, auth_client):
    a, b, match = pair
    decide(auth_client, a, match.pk, "accept")
    decide(auth_client, b, match.pk, "accept")
    queue(b)
    new = queue(a)
    assert new is not None and new.pk != match.pk


# --- the filter charge --------------------------------------------------------------------------
def test_the_filtered_side_pays_when_the_match_becomes_matched(user_factory, auth_client, settings):
    settings.MATCH_FILTER_GEM_COST = 5
    filtered, plain = user_factory(gender="male"), user_factory(gender="female")
    give_gems(filtered, 12)
    set_conditions(filtered, gender="female")
    match = pending_match(filtered, plain)
    decide(auth_client, filtered, match.pk, "accept")
    assert gem_balance(user=filtered) == 12
    assert decide(auth_client, plain, match.pk, "accept").json() == {"status": "matched"}
    assert gem_balance(user=filtered) == 7 and gem_ledger_sum(user=filtered) == 7
    assert gem_balance(user=plain) == 0
    charge = GemTransaction.objects.get(user=filtered, reason="match_filter")
    assert (charge.amount, charge.balance_after, charge.reference) == (-5, 7, f"match:{match.pk}:{filtered.public_id}")


def test_both_filtered_sides_pay(user_factory, auth_client, settings):
    settings.MATCH_FILTER_GEM_COST = 3
    a, b = user_factory(), user_factory()
    for user in (a, b):
        give_gems(user, 3)
        set_conditions(user, ages=(20, 30))
    match = pending_match(a, b)
    decide(auth_client, b, match.pk, "accept")
    assert decide(auth_client, a, match.pk, "accept").json() == {"status": "matched"}
    assert (gem_balance(user=a), gem_balance(user=b)) == (0, 0)


@pytest.mark.parametrize("ending", ["rejected", "expired"])
def test_matches_that_end_without_a_call_cost_nothing(user_factory, auth_client, ending):
    a, b = user_factory(), user_factory()
    give_gems(a, 5)
    set_conditions(a, ages=(20, 30))
    match = pending_match(a, b)
    decide(auth_client, a, match.pk, "accept")
    if ending == "rejected":
        assert decide(auth_client, b, match.pk, "reject").json() == {"status": "next"}
    else:
        with time_machine.travel(match.expires_at):
            assert decide(auth_client, b, match.pk, "accept").json() == {"status": "next"}
    assert snapshot(match)[0] == ending
    assert gem_balance(user=a) == 5
    assert not GemTransaction.objects.filter(reason="match_filter").exists()


def test_a_decider_who_can_no_longer_pay_gets_402_and_nothing_changes(user_factory, auth_client, settings):
    settings.MATCH_FILTER_GEM_COST = 5
    a, b = user_factory(), user_factory()
    for user in (a, b):
        give_gems(user, 5)
        set_conditions(user, ages=(20, 30))
    match = pending_match(a, b)
    decide(auth_client, b, match.pk, "accept")
    gem_wallet_debit(user=a, amount=1, reason="match_filter", reference="spent-elsewhere")
    before = snapshot(match)
    response = decide(auth_client, a, match.pk, "accept")
    assert response.status_code == 402
    assert response.json()["error"]["code"] == "INSUFFICIENT_GEMS"
    assert snapshot(match) == before
    assert (gem_balance(user=a), gem_balance(user=b)) == (4, 5)
    assert queued(a) and queued(b)
    # Topping up before the deadline lets the same accept through.
    give_gems(a, 1)
    assert decide(auth_client, a, match.pk, "accept").json() == {"status": "matched"}
    assert (gem_balance(user=a), gem_balance(user=b)) == (0, 0)


def test_a_partner_who_can_no_longer_pay_cancels_the_match_and_nobody_pays(user_factory, auth_client, settings):
    settings.MATCH_FILTER_GEM_COST = 5
    a, b = user_factory(), user_factory()
    for user in (a, b):
        give_gems(user, 5)
        set_conditions(user, ages=(20, 30))
    match = pending_match(a, b)
    decide(auth_client, b, match.pk, "accept")
    gem_wallet_debit(user=b, amount=1, reason="match_filter", reference="spent-elsewhere")
    assert decide(auth_client, a, match.pk, "accept").json() == {"status": "next"}
    assert snapshot(match)[:3] == (MatchStatus.CANCELLED, "accept", "accept")
    assert (gem_balance(user=a), gem_balance(user=b)) == (5, 4)
    assert queued(a) and queued(b)


def test_query_count_of_a_matching_accept(pair, django_assert_num_queries):
    a, b, match = pair
    services.match_decide(user=a, match_id=match.pk, decision="accept")
    # lock both users, lock the match, users off the queue, the match, its participants, +2 savepoint
    with django_assert_num_queries(7):
        assert services.match_decide(user=b, match_id=match.pk, decision="accept") == "matched"


# --- selectors other apps use -----------------------------------------------------------------
def test_match_get_matched_for_participant(pair, user_factory):
    a, b, match = pair
    assert selectors.match_get_matched_for_participant(user=a, match_id=match.pk) is None  # pending
    services.match_decide(user=a, match_id=match.pk, decision="accept")
    services.match_decide(user=b, match_id=match.pk, decision="accept")
    assert selectors.match_get_matched_for_participant(user=b, match_id=match.pk) == match
    assert selectors.match_get_matched_for_participant(user=user_factory(), match_id=match.pk) is None
    assert selectors.match_get_matched_for_participant(user=a, match_id=match.pk + 1000) is None


def test_match_partner(pair, user_factory):
    a, b, match = pair
    assert selectors.match_partner(match=match, user=a) == b
    assert selectors.match_partner(match=match, user=b) == a
    with pytest.raises(ValueError):
        selectors.match_partner(match=match, user=user_factory())


def test_the_effective_status_of_a_stale_match_is_expired(pair):
    _, _, match = pair
    assert selectors.match_effective_status(match) == MatchStatus.PENDING
    assert selectors.match_effective_status(match, timezone.now() + timedelta(seconds=11)) == MatchStatus.EXPIRED
