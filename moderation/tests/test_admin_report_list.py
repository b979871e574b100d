"""``GET /api/v1/admin/reports``: staff only, filters, pagination, shape and a pinned query count."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.fields import DateTimeField

from moderation import services
from moderation.tests.factories import user_report

URL = "/api/v1/admin/reports"
pytestmark = pytest.mark.django_db


def make_reports(user_factory, count: int, *, start=None):
    """``count`` user reports, one minute apart, oldest first."""
    start = start or timezone.now() - timedelta(hours=1)
    reports = []
    for index in range(count):
        with time_machine.travel(start + timedelta(minutes=index), tick=False):
            reports.append(user_report(reporter=user_factory(), reported=user_factory(gender="female")))
    return reports


def as_json_time(moment) -> str:
    return DateTimeField().to_representation(moment)


def item(report):
    return {
        "report_id": str(report.id),
        "reporter_id": str(report.reporter.public_id),
        "reported_user_id": str(report.reported_user.public_id),
        "report_type": report.report_type,
        "reason": report.reason,
        "details": report.details,
        "evidence": report.evidence,
        "status": report.status,
        "created_at": as_json_time(report.created_at),
        "action_taken": report.action_taken or None,
        "resolution_note": report.resolution_note,
        "resolved_by_id": str(report.resolved_by.public_id) if report.resolved_by else None,
        "resolved_at": as_json_time(report.resolved_at) if report.resolved_at else None,
    }


def test_staff_sees_pending_reports_oldest_first_with_the_seed_shape(user_factory, staff, auth_client):
    reports = make_reports(user_factory, 3)
    services.report_resolve(actor=staff, report_id=reports[1].id, action="dismiss", note="fine")

    response = auth_client(staff).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["data"] == {
        "reports": [item(reports[0]), item(reports[2])],
        "total": 2,
        "page": 1,
        "per_page": 20,
        "total_pages": 1,
    }


def test_filters_by_status_and_type(user_factory, staff, auth_client):
    reports = make_reports(user_factory, 3)
    resolved = services.report_resolve(actor=staff, report_id=reports[0].id, action="warn", note="first strike")
    client = auth_client(staff)

    def ids(**params):
        response = client.get(URL, params)
        assert response.status_code == 200
        return [entry["report_id"] for entry in response.json()["data"]["reports"]]

    assert ids(status="resolved") == [str(reports[0].id)]
    assert ids(status="all") == [str(report.id) for report in reports]
    assert ids(status="all", type="user") == [str(report.id) for report in reports]
    assert ids(status="all", type="message") == []
    assert ids(type="all") == [str(reports[1].id), str(reports[2].id)]
    resolved_item = client.get(URL, {"status": "resolved"}).json()["data"]["reports"][0]
    resolved.refresh_from_db()
    assert resolved_item == item(resolved)
    assert resolved_item["action_taken"] == "warn"
    assert resolved_item["resolved_by_id"] == str(staff.public_id)


def test_pages(user_factory, staff, auth_client):
    reports = make_reports(user_factory, 5)
    response = auth_client(staff).get(URL, {"page": 2, "per_page": 2})
    data = response.json()["data"]
    assert [entry["report_id"] for entry in data["reports"]] == [str(reports[2].id), str(reports[3].id)]
    assert (data["total"], data["page"], data["per_page"], data["total_pages"]) == (5, 2, 2, 3)
    past_the_end = auth_client(staff).get(URL, {"page": 9, "per_page": 2}).json()["data"]
    assert (past_the_end["reports"], past_the_end["total"]) == ([], 5)


@pytest.mark.parametrize(
    "params",
    [{"status": "open"}, {"type": "call"}, {"page": 0}, {"page": "x"}, {"per_page": 101}, {"per_page": 0}],
)
def test_bad_query_parameters(staff, auth_client, params):
    response = auth_client(staff).get(URL, params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert set(response.json()["error"]["details"]) == set(params)


def test_query_count_does_not_grow_with_the_page(user_factory, staff, auth_client, django_assert_num_queries):
    make_reports(user_factory, 2)
    services.report_resolve(actor=staff, report_id=make_reports(user_factory, 1)[0].id, action="dismiss")
    client = auth_client(staff)
    # The caller, the count, the page (reports joined with reporter, reported user and resolver).
    with django_assert_num_queries(3):
        assert len(client.get(URL, {"status": "all"}).json()["data"]["reports"]) == 3
    make_reports(user_factory, 6)
    with django_assert_num_queries(3):
        assert len(client.get(URL, {"status": "all"}).json()["data"]["reports"]) == 9


def test_non_staff_get_403_and_anonymous_401(user, auth_client, api_client):
    forbidden = auth_client(user).get(URL)
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "FORBIDDEN"
    anonymous = api_client.get(URL)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "UNAUTHORIZED"
