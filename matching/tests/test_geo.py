"""The great-circle distance and the bounding box that prefilters by it on an index."""

import math

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st

from matching.geo import EARTH_RADIUS_KM, bounding_box_q, distance_km
from matching.selectors import match_candidates
from matching.tests.factories import set_conditions


def destination(lat: float, lng: float, bearing_deg: float, distance: float) -> tuple[float, float]:
    """The point ``distance`` km from (lat, lng) along ``bearing_deg`` on the sphere."""
    delta = distance / EARTH_RADIUS_KM
    phi1, lam1, theta = math.radians(lat), math.radians(lng), math.radians(bearing_deg)
    phi2 = math.asin(math.sin(phi1) * math.cos(delta) + math.cos(phi1) * math.sin(delta) * math.cos(theta))
    lam2 = lam1 + math.atan2(
        math.sin(theta) * math.sin(delta) * math.cos(phi1), math.cos(delta) - math.sin(phi1) * math.sin(phi2)
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


def in_box(q, lat: float, lng: float) -> bool:
    """Evaluates the bounding-box Q (ANDs and ORs of gte/lte/isnull lookups) in Python."""
    if not hasattr(q, "children"):
        field, value = q
        name, lookup = field.rsplit("__", 1)
        actual = lat if name == "last_lat" else lng
        return {"gte": actual >= value, "lte": actual <= value, "isnull": (actual is None) == value}[lookup]
    results = [in_box(child, lat, lng) for child in q.children]
    outcome = all(results) if q.connector == "AND" else any(results)
    return not outcome if q.negated else outcome


@hypothesis_settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(
    lat=st.floats(min_value=-89.9, max_value=89.9),
    lng=st.floats(min_value=-180, max_value=180),
    radius=st.integers(min_value=1, max_value=500),
    bearing=st.floats(min_value=0, max_value=360),
    fraction=st.floats(min_value=0, max_value=1),
)
def test_every_point_within_the_radius_is_inside_the_box(lat, lng, radius, bearing, fraction):
    point = destination(lat, lng, bearing, radius * fraction * 0.999)
    assert distance_km(lat, lng, *point) <= radius
    assert in_box(bounding_box_q(lat, lng, radius), *point)


def test_the_box_is_tight_away_from_the_poles():
    box = bounding_box_q(37.5, 127.0, 10)
    assert in_box(box, 37.5, 127.0)
    assert not in_box(box, 37.5, 127.3)  # ~26 km east
    assert not in_box(box, 37.7, 127.0)  # ~22 km north


def test_near_a_pole_every_longitude_is_in_the_box():
    box = bounding_box_q(89.5, 0.0, 100)
    assert in_box(box, 89.6, 180.0) and in_box(box, 89.6, -179.0)


@pytest.mark.django_db
def test_a_radius_search_prefilters_by_the_box_before_the_distance(user):
    set_conditions(user, radius=25)
    user.last_lat, user.last_lng = 37.5, 127.0
    sql = str(match_candidates(user=user, settings_row=user.match_settings, now=timezone.now()).query)
    assert '"accounts_user"."last_lat" >= ' in sql and '"accounts_user"."last_lat" <= ' in sql
    assert '"accounts_user"."last_lng" >= ' in sql and "ASIN" in sql.upper()
