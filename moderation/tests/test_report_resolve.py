"""``POST /api/v1/admin/reports/{id}/resolve``: each action's effects, the audit trail and refusals."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from config.testing import DEFAULT_PASSWORD
from moderation import services
from moderation.models import ModerationAction, Report
from moderation.tests.factories import user_report

pytestmark = pytest.mark.django_db
NOW = timezone.now().replace(microsecond=0)


def url(report_id) -> str:
    return f"/api/v1/admin/reports/{report_id}/resolve"


@pytest.fixture
def reported(user_factory):
    return user_factory(username="offender", gender="female")


@pytest.fixture
def report(user_factory, reported):
    return user_report(reporter=user_factory(username="victim"), reported=reported)


def login(user) -> dict:
    response = APIClient().post("/api/auth/login/", {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    return response.json()


def resolve(client, report, action: str, note: str = "checked"):
    return client.post(url(report.id), {"action": action, "note": note}, format="json")


def test_dismiss_resolves_without_touching_the_user(report, reported, staff, auth_client):
    with time_machine.travel(NOW, tick=False):
        response = resolve(auth_client(staff), report, "dismiss", "not a violation")

    assert response.status_code == 200
    assert response.json()["data"] == {
        "report_id": str(report.id),
        "status": "resolved",
        "action_taken": "dismiss",
        "resolved_at": NOW.isoformat().replace("+00:00", "Z"),
    }
    assert response.json()["message"] == "신고가 처리되었습니다."
    report.refresh_from_db()
    assert (report.status, report.action_taken, report.resolution_note) == ("resolved", "dismiss", "not a violation")
    assert (report.resolved_by, report.resolved_at) == (staff, NOW)
    reported.refresh_from_db()
    assert (reported.warning_count, reported.suspended_until, reported.is_banned) == (0, None, False)
    audit = ModerationAction.objects.get()
    assert (audit.actor, audit.target_user, audit.action, audit.report, audit.note, audit.created_at) == (
        staff, reported, "dismiss", report, "not a violation", NOW
    )


def test_warn_counts_a_warning_and_records_it(report, reported, user_factory, staff, auth_client):
    second = user_report(reporter=user_factory(), reported=reported)
    client = auth_client(staff)

    assert resolve(client, report, "warn", "first").status_code == 200
    assert resolve(client, second, "warn", "second").status_code == 200

    reported.refresh_from_db()
    assert reported.warning_count == 2
    assert (reported.suspended_until, reported.is_banned) == (None, False)
    warnings = ModerationAction.objects.filter(target_user=reported, action="warn").order_by("created_at", "id")
    assert [(w.note, w.report_id, w.actor) for w in warnings] == [
        ("first", report.id, staff),
        ("second", second.id, staff),
    ]
    # A warning does not lock the user out.
    assert auth_client(reported).get("/api/user/profile/").status_code == 200


def test_suspend_blocks_for_suspension_days_and_revokes_tokens(report, reported, staff, auth_client):
    tokens = login(reported)
    with time_machine.travel(NOW, tick=False):
        response = resolve(auth_client(staff), report, "suspend")
    assert response.status_code == 200

    until = NOW + timedelta(days=7)
    reported.refresh_from_db()
    assert (reported.suspended_until, reported.is_banned) == (until, False)
    audit = ModerationAction.objects.get(report=report)
    assert (audit.action, audit.suspended_until, audit.actor) == ("suspend", until, staff)
    # The very next request is refused, with the end of the suspension.
    refused = APIClient().get("/api/user/profile/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "ACCOUNT_SUSPENDED"
    assert refused.json()["error"]["details"] == {"until": until.strftime("%Y-%m-%dT%H:%M:%SZ")}
    assert not OutstandingToken.objects.filter(user=reported, blacklistedtoken__isnull=True).exists()
    refresh = APIClient().post("/api/auth/refresh/", {"refresh": tokens["refresh"]})
    assert refresh.status_code == 401
    assert refresh.json()["error"]["code"] == "TOKEN_INVALID"


def test_suspension_length_follows_the_setting(report, reported, staff, auth_client, settings):
    settings.SUSPENSION_DAYS = 3
    with time_machine.travel(NOW, tick=False):
        assert resolve(auth_client(staff), report, "suspend").status_code == 200
    reported.refresh_from_db()
    assert reported.suspended_until == NOW + timedelta(days=3)


def test_suspension_ends_by_itself_but_revoked_tokens_stay_revoked(report, reported, staff, auth_client):
    tokens = login(reported)
    with time_machine.travel(NOW, tick=False):
        resolve(auth_client(staff), report, "suspend")
    with time_machine.travel(NOW + timedelta(days=7, seconds=1)):
        assert auth_client(reported).get("/api/user/profile/").status_code == 200
        stale = APIClient().post("/api/auth/refresh/", {"refresh": tokens["refresh"]})
        assert stale.status_code == 401
        assert stale.json()["error"]["code"] == "TOKEN_INVALID"


def test_ban_blocks_for_good(report, reported, staff, auth_client):
    tokens = login(reported)
    assert resolve(auth_client(staff), report, "ban").status_code == 200

    reported.refresh_from_db()
    assert reported.is_banned is True
    assert ModerationAction.objects.get(report=report).action == "ban"
    refused = APIClient().get("/api/user/profile/", HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "ACCOUNT_BANNED"
    assert BlacklistedToken.objects.filter(token__user=reported).count() == OutstandingToken.objects.filter(
        user=reported
    ).count() == 1
    login_again = APIClient().post("/api/auth/login/", {"username": "offender", "password": DEFAULT_PASSWORD})
    assert login_again.json()["error"]["code"] == "ACCOUNT_BANNED"
    with time_machine.travel(timezone.now() + timedelta(days=3650)):
        assert auth_client(reported).get("/api/user/profile/").status_code == 403


def test_resolving_a_resolved_report_is_refused_and_changes_nothing(report, reported, staff, auth_client):
    client = auth_client(staff)
    assert resolve(client, report, "warn").status_code == 200
    report.refresh_from_db()
    before = (report.action_taken, report.resolved_at, report.resolution_note)

    for action in ("warn", "ban", "dismiss"):
        again = resolve(client, report, action, "again")
        assert again.status_code == 400
        assert again.json()["error"]["code"] == "ALREADY_RESOLVED"
        assert again.json()["error"]["message"] == "이미 처리된 신고입니다."

    report.refresh_from_db()
    reported.refresh_from_db()
    assert (report.action_taken, report.resolved_at, report.resolution_note) == before
    assert (reported.warning_count, reported.is_banned) == (1, False)
    assert ModerationAction.objects.count() == 1


def test_unknown_report_is_404(staff, auth_client):
    response = auth_client(staff).post(url(uuid.uuid4()), {"action": "ban"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"
    not_a_uuid = auth_client(staff).post("/api/v1/admin/reports/123/resolve", {"action": "ban"}, format="json")
    assert not_a_uuid.status_code == 404


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"action": "delete"}, {"action"}),
        ({}, {"action"}),
        ({"action": "ban", "note": "x" * 1001}, {"note"}),
        ({"action": ["ban"]}, {"action"}),
    ],
)
def test_bad_bodies_change_nothing(report, reported, staff, auth_client, body, fields):
    response = auth_client(staff).post(url(report.id), body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert set(response.json()["error"]["details"]) == fields
    report.refresh_from_db()
    reported.refresh_from_db()
    assert report.status == "pending"
    assert (reported.is_banned, ModerationAction.objects.count()) == (False, 0)


def test_note_is_optional(report, staff, auth_client):
    response = auth_client(staff).post(url(report.id), {"action": "dismiss"}, format="json")
    assert response.status_code == 200
    assert Report.objects.get().resolution_note == ""


def test_only_staff_may_resolve(report, reported, user_factory, auth_client, api_client):
    reporter_client = auth_client(report.reporter)
    forbidden = reporter_client.post(url(report.id), {"action": "ban"}, format="json")
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "FORBIDDEN"
    anonymous = api_client.post(url(report.id), {"action": "ban"}, format="json")
    assert anonymous.status_code == 401
    report.refresh_from_db()
    reported.refresh_from_db()
    assert (report.status, reported.is_banned, ModerationAction.objects.count()) == ("pending", False, 0)


def test_unsuspend_lifts_a_suspension_and_is_audited(report, reported, staff, auth_client):
    assert resolve(auth_client(staff), report, "suspend").status_code == 200
    reported.refresh_from_db()

    services.user_sanction(actor=staff, user=reported, action="unsuspend", note="appeal accepted")

    reported.refresh_from_db()
    assert reported.suspended_until is None
    assert auth_client(reported).get("/api/user/profile/").status_code == 200
    assert list(
        ModerationAction.objects.filter(target_user=reported).order_by("id").values_list("action", "note")
    ) == [("suspend", "checked"), ("unsuspend", "appeal accepted")]
