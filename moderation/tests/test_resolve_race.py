"""Two moderators resolving one report at the same instant: the sanction is applied once."""

import threading

import pytest
from django.db import connection

from moderation import services
from moderation.errors import AlreadyResolved
from moderation.models import ModerationAction, Report
from moderation.tests.factories import user_report


def resolve_concurrently(report_id, actors, actions) -> list:
    barrier = threading.Barrier(len(actors))
    outcomes: list = [None] * len(actors)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=5)
            services.report_resolve(actor=actors[index], report_id=report_id, action=actions[index], note=str(index))
            outcomes[index] = "resolved"
        except AlreadyResolved:
            outcomes[index] = "already"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(actors))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("actions", [("warn", "warn"), ("warn", "suspend"), ("ban", "dismiss")])
def test_double_resolve_applies_one_action(user_factory, actions):
    reported = user_factory(gender="female")
    report = user_report(reporter=user_factory(), reported=reported)
    moderators = [user_factory(is_staff=True), user_factory(is_staff=True)]

    for _ in range(3):
        outcomes = resolve_concurrently(report.id, moderators, actions)
        assert sorted(outcomes) == ["already", "resolved"]
        winner = outcomes.index("resolved")
        report.refresh_from_db()
        reported.refresh_from_db()
        assert report.action_taken == actions[winner]
        assert report.resolved_by == moderators[winner]
        audit = ModerationAction.objects.get(report=report)
        assert (audit.action, audit.actor) == (actions[winner], moderators[winner])
        assert reported.warning_count == (1 if actions[winner] == "warn" else 0)
        assert reported.is_banned == (actions[winner] == "ban")
        assert (reported.suspended_until is not None) == (actions[winner] == "suspend")
        # Reset for the next round: a fresh report about a fresh user.
        reported = user_factory(gender="female")
        report = user_report(reporter=user_factory(), reported=reported)
    assert Report.objects.filter(status="resolved").count() == 3
    assert ModerationAction.objects.count() == 3


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_warnings_from_different_reports_all_count(user_factory):
    reported = user_factory(gender="female")
    reports = [user_report(reporter=user_factory(), reported=reported) for _ in range(4)]
    moderator = user_factory(is_staff=True)
    barrier = threading.Barrier(len(reports))

    def run(report_id) -> None:
        try:
            barrier.wait(timeout=5)
            services.report_resolve(actor=moderator, report_id=report_id, action="warn")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(report.id,)) for report in reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    reported.refresh_from_db()
    assert reported.warning_count == 4
    assert ModerationAction.objects.filter(target_user=reported, action="warn").count() == 4
