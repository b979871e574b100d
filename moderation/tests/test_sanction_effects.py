"""Suspend and ban reach into the other apps: off the random-match queue, waiting pool cancelled."""

import pytest

from matching import services as matching_services
from matching.models import Match
from moderation import services
from moderation.models import ModerationAction
from moderation.tests.factories import user_report
from pools import services as pool_services
from pools.models import Pool
from verification.tests.factories import approved

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(user_factory):
    return user_factory(username="offender", gender="female", age=24)


def waiting_pool(creator, user_factory) -> Pool:
    friend = user_factory(gender=creator.gender)
    approved(creator, gender=creator.gender)
    approved(friend, gender=creator.gender)
    return pool_services.pool_create(
        creator=friend,
        member_ids=[creator.public_id],
        preferred_match_type="any",
        preferred_categories=[],
        matching_type="blind",
        message="안녕하세요",
    )


@pytest.mark.parametrize("action", ["suspend", "ban"])
def test_suspend_and_ban_take_the_user_off_the_queue_and_cancel_their_pool(
    action, reported, user_factory, staff
):
    report = user_report(reporter=user_factory(), reported=reported)
    pool = waiting_pool(reported, user_factory)
    partner = user_factory(gender="male", age=24)
    assert matching_services.match_request(user=partner) is None
    match = matching_services.match_request(user=reported)
    assert match is not None and match.status == "pending"

    services.report_resolve(actor=staff, report_id=report.id, action=action)

    reported.refresh_from_db()
    assert reported.is_matching is False
    match.refresh_from_db()
    assert match.status == "cancelled"
    pool.refresh_from_db()
    assert pool.status == "cancelled"


@pytest.mark.parametrize("action", ["dismiss", "warn"])
def test_dismiss_and_warn_leave_queue_and_pool_alone(action, reported, user_factory, staff):
    report = user_report(reporter=user_factory(), reported=reported)
    pool = waiting_pool(reported, user_factory)
    matching_services.match_request(user=reported)

    services.report_resolve(actor=staff, report_id=report.id, action=action)

    reported.refresh_from_db()
    pool.refresh_from_db()
    assert (reported.is_matching, pool.status) == (True, "waiting")


def test_direct_sanctions_have_the_same_effects_and_are_audited(reported, user_factory, staff):
    pool = waiting_pool(reported, user_factory)
    matching_services.match_request(user=reported)

    services.user_sanction(actor=staff, user=reported, action="ban", note="spam ring")

    reported.refresh_from_db()
    pool.refresh_from_db()
    assert (reported.is_banned, reported.is_matching, pool.status) == (True, False, "cancelled")
    audit = ModerationAction.objects.get()
    assert (audit.actor, audit.target_user, audit.action, audit.report, audit.note) == (
        staff, reported, "ban", None, "spam ring"
    )
    assert Match.objects.count() == 0


def test_unknown_sanction_is_a_programming_error(reported, staff):
    with pytest.raises(ValueError):
        services.user_sanction(actor=staff, user=reported, action="dismiss")
    assert ModerationAction.objects.count() == 0
