"""``GET``/``POST /api/match/settings/``."""

import pytest

from matching.models import MatchSettings

URL = "/api/match/settings/"
DEFAULTS = {"preferred_gender": "all", "age_range": [18, 100], "radius_km": None}

pytestmark = pytest.mark.django_db


def test_defaults_before_anything_is_saved(user, auth_client):
    response = auth_client(user).get(URL)
    assert response.status_code == 200
    assert response.json() == DEFAULTS
    assert not MatchSettings.objects.filter(user=user).exists()


def test_save_then_read_back(user, auth_client):
    client = auth_client(user)
    body = {"preferred_gender": "female", "age_range": [20, 35], "radius_km": 30}
    response = client.post(URL, body, format="json")
    assert response.status_code == 200
    assert response.json() == {"message": "매칭 조건이 저장되었습니다."}
    assert client.get(URL).json() == body
    row = MatchSettings.objects.get(user=user)
    assert (row.preferred_gender, row.age_min, row.age_max, row.radius_km) == ("female", 20, 35, 30)


def test_radius_null_or_omitted_means_anywhere(user, auth_client):
    client = auth_client(user)
    client.post(URL, {"preferred_gender": "male", "age_range": [18, 18], "radius_km": 500}, format="json")
    response = client.post(URL, {"preferred_gender": "male", "age_range": [18, 18], "radius_km": None}, format="json")
    assert response.status_code == 200
    assert client.get(URL).json()["radius_km"] is None
    client.post(URL, {"preferred_gender": "male", "age_range": [18, 18], "radius_km": 1}, format="json")
    assert client.post(URL, {"preferred_gender": "all", "age_range": [100, 100]}, format="json").status_code == 200
    assert client.get(URL).json() == {"preferred_gender": "all", "age_range": [100, 100], "radius_km": None}


def test_english_message(user, auth_client):
    body = {"preferred_gender": "all", "age_range": [18, 100], "radius_km": None}
    response = auth_client(user).post(URL, body, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"message": "Your matching conditions have been saved."}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"preferred_gender": "other", "age_range": [20, 30]}, "preferred_gender"),
        ({"preferred_gender": "ALL", "age_range": [20, 30]}, "preferred_gender"),
        ({"preferred_gender": 1, "age_range": [20, 30]}, "preferred_gender"),
        ({"age_range": [20, 30]}, "preferred_gender"),
        ({"preferred_gender": "all", "age_range": [35, 20]}, "age_range"),
        ({"preferred_gender": "all", "age_range": [17, 30]}, "age_range"),
        ({"preferred_gender": "all", "age_range": [20, 101]}, "age_range"),
        ({"preferred_gender": "all", "age_range": [20]}, "age_range"),
        ({"preferred_gender": "all", "age_range": [20, 30, 40]}, "age_range"),
        ({"preferred_gender": "all", "age_range": ["x", 30]}, "age_range"),
        ({"preferred_gender": "all", "age_range": [20.5, 30]}, "age_range"),
        ({"preferred_gender": "all", "age_range": "20-30"}, "age_range"),
        ({"preferred_gender": "all"}, "age_range"),
        ({"preferred_gender": "all", "age_range": [20, 30], "radius_km": 0}, "radius_km"),
        ({"preferred_gender": "all", "age_range": [20, 30], "radius_km": 501}, "radius_km"),
        ({"preferred_gender": "all", "age_range": [20, 30], "radius_km": -5}, "radius_km"),
        ({"preferred_gender": "all", "age_range": [20, 30], "radius_km": "far"}, "radius_km"),
        ({"preferred_gender": "all", "age_range": [20, 30], "radius_km": 2.5}, "radius_km"),
        ({"preferred_gender": "all", "age_range": [20, 30], "radius_km": True}, "radius_km"),
        ({"preferred_gender": "all", "age_range": [20, 30], "radius_km": "5"}, "radius_km"),
        ({"preferred_gender": "all", "age_range": ["18", "30"]}, "age_range"),
        ({"preferred_gender": "all", "age_range": [20, "30"]}, "age_range"),
        ({"preferred_gender": "all", "age_range": [True, 30]}, "age_range"),
    ],
)
def test_invalid_conditions_are_refused_and_nothing_changes(user, auth_client, body, field):
    client = auth_client(user)
    saved = {"preferred_gender": "female", "age_range": [25, 30], "radius_km": 10}
    client.post(URL, saved, format="json")
    response = client.post(URL, body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert list(error["details"]) == [field]
    assert client.get(URL).json() == saved


def test_numbers_sent_as_strings_are_refused_by_type(user, auth_client):
    """JSON types are taken as they are: ``"5"`` is not the integer 5."""
    client = auth_client(user)
    body = {"preferred_gender": "all", "age_range": ["18", "30"], "radius_km": "5"}
    response = client.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert response.json()["error"]["details"] == {
        "age_range": ["0: 유효한 정수를 입력하세요.", "1: 유효한 정수를 입력하세요."],
        "radius_km": ["유효한 정수를 입력하세요."],
    }
    assert not MatchSettings.objects.filter(user=user).exists()


def test_reversed_age_range_message(user, auth_client):
    response = auth_client(user).post(URL, {"preferred_gender": "all", "age_range": [40, 30]}, format="json")
    assert response.json()["error"]["details"] == {"age_range": ["최소 나이는 최대 나이보다 클 수 없습니다."]}
    response = auth_client(user).post(
        URL, {"preferred_gender": "all", "age_range": [40, 30]}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.json()["error"]["details"] == {"age_range": ["The minimum age must not exceed the maximum."]}
    assert not MatchSettings.objects.filter(user=user).exists()


def test_malformed_json(user, auth_client):
    response = auth_client(user).post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MALFORMED_REQUEST"
    assert not MatchSettings.objects.filter(user=user).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_requires_a_token(api_client, method):
    response = getattr(api_client, method)(URL)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"


def test_settings_are_per_user(user_factory, auth_client):
    alice, bob = user_factory(), user_factory()
    auth_client(alice).post(URL, {"preferred_gender": "male", "age_range": [30, 40]}, format="json")
    assert auth_client(bob).get(URL).json() == DEFAULTS
