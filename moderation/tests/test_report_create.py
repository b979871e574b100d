"""``POST /api/v1/reports``: who may report whom, message evidence, and the matching block."""

import uuid

import pytest

from calls.tests.factories import ended_call
from chat.models import Message
from moderation.models import Report
from moderation.tests.factories import pair_blocked, room_together

URL = "/api/v1/reports"
pytestmark = pytest.mark.django_db


def send_text(client_for, user, room_id, text: str) -> str:
    response = client_for(user).post(
        f"/api/v1/matching/chats/{room_id}/messages", {"message_type": "text", "content": text}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["data"]["message_id"]


@pytest.fixture
def pair(user_factory):
    return user_factory(username="reporter"), user_factory(username="reported", gender="female")


def user_report_body(reported, **overrides):
    return {"reported_user_id": str(reported.public_id), "report_type": "user", "reason": "rude", **overrides}


def assert_nothing_filed(reporter, reported):
    assert Report.objects.count() == 0
    assert not pair_blocked(reporter, reported)


def test_user_report_after_sharing_a_room_is_filed_and_blocks_the_pair(pair, auth_client):
    reporter, reported = pair
    room_together(reporter, reported)

    response = auth_client(reporter).post(
        URL, user_report_body(reported, reason="부적절한 행동", details="욕설 사용"), format="json"
    )

    assert response.status_code == 201
    body = response.json()
    report = Report.objects.get()
    assert body["success"] is True
    assert body["data"] == {"report_id": str(report.id), "status": "pending"}
    assert body["message"] == "신고가 접수되었습니다."
    assert (report.reporter, report.reported_user, report.report_type) == (reporter, reported, "user")
    assert (report.reason, report.details, report.message_id, report.evidence) == ("부적절한 행동", "욕설 사용", None, None)
    assert pair_blocked(reporter, reported)


def test_user_report_after_a_call_is_filed(pair, auth_client):
    reporter, reported = pair
    ended_call(match__user_a=reported, match__user_b=reporter)

    response = auth_client(reporter).post(URL, user_report_body(reported), format="json")

    assert response.status_code == 201
    assert Report.objects.get().reported_user == reported


def test_reporting_someone_never_met_is_refused(pair, user_factory, auth_client):
    reporter, reported = pair
    # Both have met other people, just never each other.
    room_together(reporter, user_factory())
    ended_call(match__user_a=reported, match__user_b=user_factory())

    response = auth_client(reporter).post(URL, user_report_body(reported), format="json")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "REPORT_NOT_ALLOWED"
    assert response.json()["error"]["message"] == "함께 채팅방이나 통화를 한 적이 있는 사용자만 신고할 수 있습니다."
    assert_nothing_filed(reporter, reported)


def test_reporting_an_unknown_user_looks_like_never_met(pair, auth_client):
    reporter, _ = pair
    response = auth_client(reporter).post(
        URL, {"reported_user_id": str(uuid.uuid4()), "report_type": "user", "reason": "rude"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "REPORT_NOT_ALLOWED"
    assert Report.objects.count() == 0


def test_reporting_yourself_is_refused(pair, auth_client):
    reporter, _ = pair
    response = auth_client(reporter).post(URL, user_report_body(reporter), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "CANNOT_REPORT_SELF"
    assert Report.objects.count() == 0


def test_message_report_snapshots_evidence_that_survives_later_changes(pair, auth_client):
    reporter, reported = pair
    room_id = room_together(reporter, reported)
    message_id = send_text(auth_client, reported, room_id, "nasty words")

    response = auth_client(reporter).post(
        URL, user_report_body(reported, report_type="message", message_id=message_id), format="json"
    )

    assert response.status_code == 201
    message = Message.objects.get(message_id=message_id)
    expected = {
        "message_id": message_id,
        "content": "nasty words",
        "message_type": "text",
        "sender_user_id": str(reported.public_id),
        "room_id": str(room_id),
        "created_at": message.created_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    report = Report.objects.get()
    assert report.evidence == expected
    # The sender (or anyone) changing or deleting the message later does not touch the evidence.
    Message.objects.filter(pk=message.pk).update(content="sorry, nothing to see")
    Message.objects.filter(pk=message.pk).delete()
    report.refresh_from_db()
    assert report.evidence == expected
    assert str(report.message_id) == message_id


def test_message_report_in_a_blind_room_may_name_only_the_message(pair, auth_client):
    """Blind rooms hide the other group's user ids, so the sender is taken from the message."""
    reporter, reported = pair
    room_id = room_together(reporter, reported)
    message_id = send_text(auth_client, reported, room_id, "nasty words")
    listed = auth_client(reporter).get(f"/api/v1/matching/chats/{room_id}/messages").json()["data"]["messages"]
    assert [m["sender_id"] for m in listed if m["message_id"] == message_id] == [None]

    body = {"report_type": "message", "message_id": message_id, "reason": "rude"}
    response = auth_client(reporter).post(URL, body, format="json")

    assert response.status_code == 201, response.content
    report = Report.objects.get()
    assert report.reported_user == reported
    assert report.evidence["content"] == "nasty words"
    assert pair_blocked(reporter, reported)


def test_message_report_of_an_invisible_message_without_a_user_is_not_found(pair, auth_client):
    reporter, _ = pair
    body = {"report_type": "message", "message_id": "00000000-0000-0000-0000-000000000001", "reason": "rude"}
    response = auth_client(reporter).post(URL, body, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "MESSAGE_NOT_FOUND"
    assert Report.objects.count() == 0


def test_user_report_needs_the_user(pair, auth_client):
    reporter, reported = pair
    room_together(reporter, reported)
    response = auth_client(reporter).post(URL, {"report_type": "user", "reason": "rude"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["reported_user_id"]
    assert_nothing_filed(reporter, reported)


def test_message_report_needs_message_id(pair, auth_client):
    reporter, reported = pair
    room_together(reporter, reported)
    response = auth_client(reporter).post(URL, user_report_body(reported, report_type="message"), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert list(response.json()["error"]["details"]) == ["message_id"]
    assert_nothing_filed(reporter, reported)


def test_message_from_someone_else_is_refused(pair, user_factory, auth_client):
    reporter, reported = pair
    bystander = user_factory()
    room_id = room_together(reporter, reported, bystander)
    message_id = send_text(auth_client, bystander, room_id, "hello")

    response = auth_client(reporter).post(
        URL, user_report_body(reported, report_type="message", message_id=message_id), format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "MESSAGE_NOT_FROM_REPORTED_USER"
    assert_nothing_filed(reporter, reported)


def test_message_in_a_room_the_reporter_never_joined_is_not_found(pair, user_factory, auth_client):
    reporter, reported = pair
    room_together(reporter, reported)
    other_room = room_together(user_factory(), reported)
    message_id = send_text(auth_client, reported, other_room, "private")

    for candidate in (message_id, str(uuid.uuid4())):
        response = auth_client(reporter).post(
            URL, user_report_body(reported, report_type="message", message_id=candidate), format="json"
        )
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "MESSAGE_NOT_FOUND"
    assert_nothing_filed(reporter, reported)


def test_the_same_thing_cannot_be_reported_twice(pair, auth_client):
    reporter, reported = pair
    room_id = room_together(reporter, reported)
    message_id = send_text(auth_client, reported, room_id, "spam")
    client = auth_client(reporter)
    for body in (user_report_body(reported), user_report_body(reported, report_type="message", message_id=message_id)):
        assert client.post(URL, body, format="json").status_code == 201
        again = client.post(URL, body, format="json")
        assert again.status_code == 409
        assert again.json()["error"]["code"] == "ALREADY_REPORTED"
    assert Report.objects.count() == 2


def test_no_token_is_401(pair, api_client):
    _, reported = pair
    response = api_client.post(URL, user_report_body(reported), format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHORIZED"
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"report_type": "spam"}, "report_type"),
        ({"reported_user_id": "not-a-uuid"}, "reported_user_id"),
        ({"reported_user_id": 42}, "reported_user_id"),
        ({"reason": ""}, "reason"),
        ({"reason": "x" * 201}, "reason"),
        ({"reason": ["a list"]}, "reason"),
        ({"details": "x" * 2001}, "details"),
        ({"message_id": "nope"}, "message_id"),
    ],
)
def test_bad_input_is_a_validation_error(pair, auth_client, overrides, field):
    reporter, reported = pair
    room_together(reporter, reported)
    response = auth_client(reporter).post(URL, user_report_body(reported, **overrides), format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "VALIDATION_ERROR"
    assert field in response.json()["error"]["details"]
    assert_nothing_filed(reporter, reported)


def test_missing_fields_and_malformed_json(pair, auth_client):
    reporter, _ = pair
    client = auth_client(reporter)
    missing = client.post(URL, {}, format="json")
    assert missing.status_code == 400
    # reported_user_id is required only for user reports (test_user_report_needs_the_user).
    assert set(missing.json()["error"]["details"]) == {"report_type", "reason"}
    malformed = client.post(URL, "{not json", content_type="application/json")
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "MALFORMED_REQUEST"
    assert Report.objects.count() == 0


def test_english_messages_on_request(pair, auth_client):
    reporter, reported = pair
    response = auth_client(reporter).post(URL, user_report_body(reported), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["message"] == (
        "You can only report someone you have shared a chat room or a call with."
    )


def test_trailing_slash_is_accepted(pair, auth_client):
    reporter, reported = pair
    room_together(reporter, reported)
    assert auth_client(reporter).post(URL + "/", user_report_body(reported), format="json").status_code == 201


def test_filing_reports_is_rate_limited(user_factory, auth_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "report_create": "2/d"}
    reporter = user_factory(username="serial_reporter")
    others = [user_factory(username=f"other_{index}", gender="female") for index in range(3)]
    for other in others:
        room_together(reporter, other)
    client = auth_client(reporter)
    for other in others[:2]:
        response = client.post(URL, user_report_body(other), format="json")
        assert response.status_code == 201
        assert response["X-RateLimit-Limit"] == "2"
    refused = client.post(URL, user_report_body(others[2]), format="json")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
    assert Report.objects.count() == 2
