"""GET /api/v1/verification/status and PATCH /api/v1/verification/settings."""

import pytest

from verification.models import Verification
from verification.tests.factories import SETTINGS, STATUS, TIMESTAMP, approved, rejected, submit, url_of

pytestmark = pytest.mark.django_db

STATUS_FIELDS = {
    "verification_id",
    "status",
    "school_name",
    "department",
    "major_category",
    "grade",
    "gender",
    "badge_visible",
    "department_visible",
    "verified_at",
    "submitted_at",
    "student_id",
    "documents",
    "admin_note",
}


def assert_error(response, status: int, code: str, message: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    if message is not None:
        assert body["error"]["message"] == message
    return body


def test_status_without_any_request_is_all_null(auth_client, user):
    response = auth_client(user).get(STATUS)
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["data"] == dict.fromkeys(STATUS_FIELDS)


def test_status_of_a_pending_request(auth_client, user):
    verification = submit(user)
    documents = [link.document for link in verification.document_links.all()]

    data = auth_client(user).get(STATUS).json()["data"]

    assert data == {
        "verification_id": str(verification.verification_id),
        "status": "pending",
        "school_name": "서울대학교",
        "department": "컴퓨터공학과",
        "major_category": "공과대학",
        "grade": "3학년",
        "gender": "male",
        "badge_visible": True,
        "department_visible": True,
        "verified_at": None,
        "submitted_at": data["submitted_at"],
        "student_id": "2021-12345",
        "documents": [url_of(document) for document in documents],
        "admin_note": None,
    }
    assert TIMESTAMP.match(data["submitted_at"])


def test_status_of_an_approved_request(auth_client, user):
    verification = approved(user)
    data = auth_client(user).get(STATUS).json()["data"]
    assert data["status"] == "approved"
    assert data["verification_id"] == str(verification.verification_id)
    assert TIMESTAMP.match(data["verified_at"])
    assert data["admin_note"] == "서류 확인 완료"


def test_status_shows_the_latest_request_after_a_rejection(auth_client, user):
    rejected(user, school_name="연세대학교")
    assert auth_client(user).get(STATUS).json()["data"]["status"] == "rejected"
    latest = submit(user, school_name="고려대학교")

    data = auth_client(user).get(STATUS).json()["data"]

    assert (data["verification_id"], data["status"], data["school_name"]) == (
        str(latest.verification_id),
        "pending",
        "고려대학교",
    )


def test_status_is_per_user(auth_client, user, user_factory):
    submit(user_factory())
    assert auth_client(user).get(STATUS).json()["data"]["status"] is None


def test_status_without_a_token_is_unauthorized(api_client):
    assert_error(api_client.get(STATUS), 401, "UNAUTHORIZED")


def test_status_queries_are_bounded(auth_client, user, django_assert_num_queries):
    submit(user)
    client = auth_client(user)
    # The token's user, the verification, its document links.
    with django_assert_num_queries(3):
        assert client.get(STATUS).status_code == 200


def test_settings_change_both_flags(auth_client, user):
    verification = approved(user)

    response = auth_client(user).patch(SETTINGS, {"badge_visible": False, "department_visible": False}, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["message"] == "설정이 변경되었습니다."
    assert body["data"] == {"badge_visible": False, "department_visible": False, "message": "설정이 변경되었습니다."}
    verification.refresh_from_db()
    assert (verification.badge_visible, verification.department_visible) == (False, False)


def test_settings_change_one_flag_leaves_the_other(auth_client, user):
    verification = submit(user)
    response = auth_client(user).patch(SETTINGS + "/", {"department_visible": False}, format="json")
    assert response.json()["data"] == {"badge_visible": True, "department_visible": False, "message": "설정이 변경되었습니다."}
    verification.refresh_from_db()
    assert (verification.badge_visible, verification.department_visible) == (True, False)


def test_settings_apply_to_the_latest_request_only(auth_client, user):
    old = rejected(user)
    latest = submit(user)
    auth_client(user).patch(SETTINGS, {"badge_visible": False}, format="json")
    old.refresh_from_db()
    latest.refresh_from_db()
    assert (old.badge_visible, latest.badge_visible) == (True, False)


def test_settings_show_in_the_status(auth_client, user):
    approved(user)
    client = auth_client(user)
    client.patch(SETTINGS, {"badge_visible": False}, format="json")
    data = client.get(STATUS).json()["data"]
    assert (data["badge_visible"], data["department_visible"]) == (False, True)


def test_settings_without_a_request_are_not_found(auth_client, user):
    response = auth_client(user).patch(SETTINGS, {"badge_visible": False}, format="json")
    assert_error(response, 404, "NOT_FOUND", "인증 신청 내역이 없습니다.")
    assert not Verification.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [{}, {"badge_visible": "yes"}, {"badge_visible": 1}, {"badge_visible": "true"}, {"department_visible": None}],
)
def test_settings_refuse_empty_and_non_boolean_values(auth_client, user, payload):
    verification = submit(user)
    response = auth_client(user).patch(SETTINGS, payload, format="json")
    assert_error(response, 400, "VALIDATION_ERROR")
    verification.refresh_from_db()
    assert (verification.badge_visible, verification.department_visible) == (True, True)


def test_empty_settings_message_is_korean_and_english_on_request(auth_client, user):
    verification = submit(user)
    response = auth_client(user).patch(SETTINGS, {}, format="json")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["error"]["details"] == {
        "non_field_errors": ["badge_visible 또는 department_visible 중 하나 이상을 보내 주세요."]
    }
    english = auth_client(user).patch(SETTINGS, {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["details"] == {"non_field_errors": ["Send badge_visible and/or department_visible."]}
    verification.refresh_from_db()
    assert (verification.badge_visible, verification.department_visible) == (True, True)


def test_settings_without_a_token_are_unauthorized(api_client, user):
    verification = submit(user)
    assert_error(api_client.patch(SETTINGS, {"badge_visible": False}, format="json"), 401, "UNAUTHORIZED")
    verification.refresh_from_db()
    assert verification.badge_visible is True


def test_settings_only_change_the_callers_own_request(auth_client, user, user_factory):
    other = user_factory()
    theirs = submit(other)
    mine = submit(user)
    auth_client(user).patch(SETTINGS, {"badge_visible": False}, format="json")
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert (theirs.badge_visible, mine.badge_visible) == (True, False)


def test_settings_with_put_are_not_allowed(auth_client, user):
    submit(user)
    assert_error(auth_client(user).put(SETTINGS, {"badge_visible": False}, format="json"), 405, "METHOD_NOT_ALLOWED")
