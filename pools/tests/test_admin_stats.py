"""``GET /api/v1/admin/matching/stats?period=``: staff only, the contract's definitions."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from config.testing import UserFactory
from pools import services
from pools.tests.factories import BUSINESS, make_pool, matched_pair, proposed_pair, verified_user

URL = "/api/v1/admin/matching/stats"
NOW = datetime(2025, 12, 20, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    """Ten days ago a pair matched at once; two days ago two pairs were proposed, one matched six
    hours later and one was rejected; an hour ago one more pool arrived."""
    with time_machine.travel(NOW - timedelta(days=10), tick=False):
        matched_pair()
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        slow, slow_a, slow_b = proposed_pair(preferred_match_type="major_category", preferred_categories=[BUSINESS])
        rejected, rejected_a, _ = proposed_pair(preferred_match_type="same_department", department="경영학과")
        services.proposal_reject(user=rejected_a.creator, proposal_id=rejected.pk)
    with time_machine.travel(NOW - timedelta(days=2) + timedelta(hours=6), tick=False):
        services.proposal_accept(user=slow_a.creator, proposal_id=slow.pk)
        services.proposal_accept(user=slow_b.creator, proposal_id=slow.pk)
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        make_pool(gender="male", size=5)


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def staff_client(auth_client, staff):
    return auth_client(staff)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (
            "daily",
            {
                "total_pools_created": 1,
                "total_proposals_sent": 0,
                "total_matches_success": 0,
                "success_rate": 0.0,
                "average_match_time_hours": 0.0,
                "by_match_type": {"any": 1, "same_department": 0, "major_category": 0},
            },
        ),
        (
            "weekly",
            {
                "total_pools_created": 5,
                "total_proposals_sent": 2,
                "total_matches_success": 1,
                "success_rate": 50.0,
                # The two pools waited 6 h and 6 h 1 s.
                "average_match_time_hours": 6.0,
                "by_match_type": {"any": 3, "same_department": 1, "major_category": 1},
            },
        ),
        (
            "monthly",
            {
                "total_pools_created": 7,
                "total_proposals_sent": 3,
                "total_matches_success": 2,
                "success_rate": 66.67,
                # Also the pair matched within a second: (6 h + 6 h + ~0 + ~0) / 4.
                "average_match_time_hours": 3.0,
                "by_match_type": {"any": 5, "same_department": 1, "major_category": 1},
            },
        ),
    ],
)
def test_the_figures_of_each_period(history, staff, auth_client, django_assert_num_queries, period, expected):
    with time_machine.travel(NOW, tick=False):
        staff_client = auth_client(staff)
        # The token's user, pools, proposals, open chat rooms.
        with django_assert_num_queries(4):
            response = staff_client.get(URL, {"period": period})

    assert response.status_code == 200
    assert response.json()["data"] == {"period": period, "active_chat_rooms": 2, **expected}


def test_the_default_period_is_weekly(history, staff, auth_client):
    with time_machine.travel(NOW, tick=False):
        data = auth_client(staff).get(URL).json()["data"]
    assert (data["period"], data["total_pools_created"]) == ("weekly", 5)


def test_with_nothing_to_count_every_figure_is_zero(staff_client):
    assert staff_client.get(URL, {"period": "monthly"}).json()["data"] == {
        "period": "monthly",
        "total_pools_created": 0,
        "total_proposals_sent": 0,
        "total_matches_success": 0,
        "success_rate": 0.0,
        "average_match_time_hours": 0.0,
        "active_chat_rooms": 0,
        "by_match_type": {"any": 0, "same_department": 0, "major_category": 0},
    }


@pytest.mark.parametrize("period", ["yearly", "DAILY", "7"])
def test_an_unknown_period_is_a_validation_error(staff_client, period):
    response = staff_client.get(URL, {"period": period})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert list(response.json()["error"]["details"]) == ["period"]


def test_users_who_are_not_staff_are_forbidden(auth_client):
    response = auth_client(verified_user()).get(URL)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "FORBIDDEN"


def test_without_a_token_it_is_unauthorized(api_client):
    assert api_client.get(URL).json()["error"]["code"] == "UNAUTHORIZED"
