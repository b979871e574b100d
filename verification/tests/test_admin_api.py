"""Staff endpoints: the pending list and the review (with its ``verification.reviewed`` event)."""

import threading
import uuid
from datetime import timedelta

import pytest
import time_machine
from asgiref.sync import sync_to_async
from django.db import connection, transaction

from config import realtime
from config.errors import Forbidden
from config.testing import UserFactory, access_token_for, ws_connect, ws_receive_json
from verification import services
from verification.errors import AlreadyReviewed
from verification.models import Verification
from verification.tests.factories import (
    PENDING,
    TIMESTAMP,
    approved,
    rejected,
    review_path,
    staff_user,
    submit,
    url_of,
)

pytestmark = pytest.mark.django_db


def assert_error(response, status: int, code: str, message: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    if message is not None:
        assert body["error"]["message"] == message
    return body


@pytest.fixture
def staff():
    return staff_user()


@pytest.fixture
def sent_events(monkeypatch):
    """Every realtime message sent after commit, as (group, message). Wrap the action in
    ``django_capture_on_commit_callbacks(execute=True)``: the test transaction never commits."""
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(realtime, "group_send_now", lambda group, message: sent.append((group, message)))
    return sent


def submitted_over_time(count: int) -> list[Verification]:
    verifications = []
    start = "2026-01-01T09:00:00Z"
    for index in range(count):
        with time_machine.travel(start, tick=False) as clock:
            clock.shift(timedelta(minutes=index))
            verifications.append(submit(UserFactory(username=f"applicant_{index}")))
    return verifications


# --- GET /api/v1/admin/verification/pending ----------------------------------------------------


def test_pending_list_shows_the_seed_fields_oldest_first(auth_client, staff):
    first, second = submitted_over_time(2)
    approved(UserFactory())  # decided ones are not listed
    rejected(UserFactory())

    response = auth_client(staff).get(PENDING)

    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert [item["verification_id"] for item in data["verifications"]] == [
        str(first.verification_id),
        str(second.verification_id),
    ]
    documents = [link.document for link in first.document_links.all()]
    assert data["verifications"][0] == {
        "verification_id": str(first.verification_id),
        "user_id": str(first.user.public_id),
        "user_name": "applicant_0",
        "school_name": "서울대학교",
        "department": "컴퓨터공학과",
        "major_category": "공과대학",
        "grade": "3학년",
        "student_id": "2021-12345",
        "gender": "male",
        "documents": [url_of(document) for document in documents],
        "submitted_at": "2026-01-01T09:00:00Z",
    }
    assert {key: data[key] for key in ("total", "page", "per_page", "total_pages")} == {
        "total": 2,
        "page": 1,
        "per_page": 20,
        "total_pages": 1,
    }


def test_pending_list_pages(auth_client, staff):
    verifications = submitted_over_time(5)
    client = auth_client(staff)

    page_two = client.get(PENDING, {"page": 2, "per_page": 2}).json()["data"]
    past_the_end = client.get(PENDING, {"page": 4, "per_page": 2}).json()["data"]

    assert [item["verification_id"] for item in page_two["verifications"]] == [
        str(verifications[2].verification_id),
        str(verifications[3].verification_id),
    ]
    assert (page_two["total"], page_two["page"], page_two["per_page"], page_two["total_pages"]) == (5, 2, 2, 3)
    assert past_the_end["verifications"] == []
    assert past_the_end["total"] == 5


def test_pending_list_when_empty(auth_client, staff):
    data = auth_client(staff).get(PENDING + "/").json()["data"]
    assert data == {"verifications": [], "total": 0, "page": 1, "per_page": 20, "total_pages": 0}


def test_pending_list_runs_the_same_queries_for_one_or_many(auth_client, staff, django_assert_num_queries):
    client = auth_client(staff)
    submitted_over_time(1)
    # The token's user, the count, the page (with users joined), the document links of the page.
    with django_assert_num_queries(4):
        assert len(client.get(PENDING).json()["data"]["verifications"]) == 1
    for _ in range(6):
        submit(UserFactory())
    with django_assert_num_queries(4):
        assert len(client.get(PENDING).json()["data"]["verifications"]) == 7


@pytest.mark.parametrize(
    "query",
    [{"per_page": 101}, {"per_page": 0}, {"page": 0}, {"page": "x"}, {"per_page": "-5"}],
)
def test_pending_list_refuses_bad_paging(auth_client, staff, query):
    body = assert_error(auth_client(staff).get(PENDING, query), 400, "VALIDATION_ERROR")
    assert set(body["error"]["details"]) == set(query)


def test_pending_list_accepts_per_page_100(auth_client, staff):
    assert auth_client(staff).get(PENDING, {"per_page": 100}).json()["data"]["per_page"] == 100


def test_pending_list_is_forbidden_to_non_staff(auth_client, user):
    submit(user)
    body = assert_error(auth_client(user).get(PENDING), 403, "FORBIDDEN")
    assert "verifications" not in body


def test_pending_list_needs_a_token(api_client):
    assert_error(api_client.get(PENDING), 401, "UNAUTHORIZED")


# --- POST /api/v1/admin/verification/{id}/review -----------------------------------------------


def test_approving_records_the_decision_and_tells_the_user(
    auth_client, staff, user, sent_events, django_capture_on_commit_callbacks
):
    verification = submit(user)

    with time_machine.travel("2026-02-03T04:05:06Z", tick=False), django_capture_on_commit_callbacks(execute=True):
        response = auth_client(staff).post(
            review_path(verification.verification_id), {"approved": True, "admin_note": "서류 확인 완료"}, format="json"
        )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["message"] == "인증이 승인되었습니다."
    assert body["data"] == {
        "verification_id": str(verification.verification_id),
        "status": "approved",
        "verified_at": "2026-02-03T04:05:06Z",
        "message": "인증이 승인되었습니다.",
    }
    verification.refresh_from_db()
    assert verification.status == "approved"
    assert verification.reviewed_by == staff
    assert verification.admin_note == "서류 확인 완료"
    assert verification.reviewed_at == verification.verified_at
    assert sent_events == [
        (
            f"user.{user.public_id}",
            {
                "type": "user.event",
                "event": {
                    "type": "verification.reviewed",
                    "data": {
                        "verification_id": str(verification.verification_id),
                        "status": "approved",
                        "verified_at": "2026-02-03T04:05:06Z",
                        "admin_note": "서류 확인 완료",
                    },
                    "timestamp": "2026-02-03T04:05:06Z",
                },
            },
        )
    ]


def test_rejecting_records_the_decision_and_tells_the_user(
    auth_client, staff, user, sent_events, django_capture_on_commit_callbacks
):
    verification = submit(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client(staff).post(
            review_path(verification.verification_id), {"approved": False, "admin_note": "학생증이 흐립니다"}, format="json"
        )

    assert response.status_code == 200, response.content
    assert response.json()["data"] == {
        "verification_id": str(verification.verification_id),
        "status": "rejected",
        "verified_at": None,
        "message": "인증이 반려되었습니다.",
    }
    verification.refresh_from_db()
    assert (verification.status, verification.verified_at, verification.reviewed_by) == ("rejected", None, staff)
    assert verification.reviewed_at is not None
    assert [(group, message["event"]["data"]["status"]) for group, message in sent_events] == [
        (f"user.{user.public_id}", "rejected")
    ]


def test_admin_note_is_optional(auth_client, staff, user):
    verification = submit(user)
    response = auth_client(staff).post(review_path(verification.verification_id), {"approved": True}, format="json")
    assert response.status_code == 200, response.content
    verification.refresh_from_db()
    assert verification.admin_note == ""


def test_reviewing_twice_is_already_reviewed_and_changes_nothing(
    auth_client, staff, user, sent_events, django_capture_on_commit_callbacks
):
    verification = submit(user)
    client = auth_client(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review_path(verification.verification_id), {"approved": True, "admin_note": "ok"}, format="json")
    assert len(sent_events) == 1
    before = Verification.objects.values().get(pk=verification.pk)
    sent_events.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            review_path(verification.verification_id),
            {"approved": False, "admin_note": "changed my mind"},
            format="json",
        )

    assert_error(response, 400, "ALREADY_REVIEWED", "이미 검토가 완료된 인증 신청입니다.")
    assert Verification.objects.values().get(pk=verification.pk) == before
    assert sent_events == []


def test_reviewing_an_unknown_verification_is_not_found(auth_client, staff):
    response = auth_client(staff).post(review_path(uuid.uuid4()), {"approved": True}, format="json")
    assert_error(response, 404, "NOT_FOUND")


def test_a_malformed_verification_id_is_not_found(auth_client, staff):
    response = auth_client(staff).post("/api/v1/admin/verification/123/review", {"approved": True}, format="json")
    assert_error(response, 404, "NOT_FOUND")


def test_review_is_forbidden_to_non_staff_even_the_owner(
    auth_client, user, sent_events, django_capture_on_commit_callbacks
):
    verification = submit(user)
    for caller in (user, UserFactory()):
        with django_capture_on_commit_callbacks(execute=True):
            response = auth_client(caller).post(
                review_path(verification.verification_id), {"approved": True}, format="json"
            )
        assert_error(response, 403, "FORBIDDEN")
    verification.refresh_from_db()
    assert (verification.status, verification.reviewed_at) == ("pending", None)
    assert sent_events == []


def test_review_needs_a_token(api_client, user):
    verification = submit(user)
    response = api_client.post(review_path(verification.verification_id), {"approved": True}, format="json")
    assert_error(response, 401, "UNAUTHORIZED")
    verification.refresh_from_db()
    assert verification.status == "pending"


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"approved": "yes"},
        {"approved": 1},
        {"approved": None},
        {"approved": True, "admin_note": "x" * 1001},
        {"approved": True, "admin_note": 5},
    ],
)
def test_review_refuses_bad_input_and_changes_nothing(auth_client, staff, user, payload):
    verification = submit(user)
    response = auth_client(staff).post(review_path(verification.verification_id), payload, format="json")
    assert_error(response, 400, "VALIDATION_ERROR")
    verification.refresh_from_db()
    assert verification.status == "pending"


def test_the_service_refuses_a_non_staff_reviewer(user):
    verification = submit(user)
    with pytest.raises(Forbidden):
        services.verification_review(reviewer=user, verification_id=verification.pk, approved=True, admin_note="")
    verification.refresh_from_db()
    assert verification.status == "pending"


def test_no_event_is_sent_when_the_transaction_rolls_back(user, staff, sent_events, django_capture_on_commit_callbacks):
    verification = submit(user)

    class Abort(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Abort), transaction.atomic():
            services.verification_review(reviewer=staff, verification_id=verification.pk, approved=True, admin_note="")
            raise Abort

    verification.refresh_from_db()
    assert verification.status == "pending"
    assert callbacks == []
    assert sent_events == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_decide_once(user_factory):
    verification = submit(user_factory())
    reviewers = [staff_user(), staff_user()]
    barrier = threading.Barrier(2)
    outcomes: dict[bool, str] = {}

    def review(reviewer, approve: bool):
        try:
            barrier.wait()
            services.verification_review(
                reviewer=reviewer, verification_id=verification.pk, approved=approve, admin_note=str(approve)
            )
            outcomes[approve] = "decided"
        except AlreadyReviewed:
            outcomes[approve] = "already"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=review, args=(reviewers[0], True)),
        threading.Thread(target=review, args=(reviewers[1], False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes.values()) == ["already", "decided"]
    winner = next(approve for approve, outcome in outcomes.items() if outcome == "decided")
    verification.refresh_from_db()
    assert verification.status == ("approved" if winner else "rejected")
    assert verification.admin_note == str(winner)
    assert verification.reviewed_by == reviewers[0 if winner else 1]


def close_thread_connection():
    connection.close()


@pytest.mark.django_db(transaction=True)
async def test_the_user_receives_verification_reviewed_on_the_events_socket():
    @sync_to_async
    def setup():
        owner, other = UserFactory(), UserFactory()
        return owner, other, submit(owner), staff_user(), access_token_for(owner), access_token_for(other)

    owner, other, verification, reviewer, owner_token, other_token = await setup()
    owner_socket, owner_connected = await ws_connect("/ws/events/", owner_token)
    other_socket, other_connected = await ws_connect("/ws/events/", other_token)
    assert owner_connected and other_connected

    await sync_to_async(services.verification_review)(
        reviewer=reviewer, verification_id=verification.pk, approved=True, admin_note="확인"
    )

    frame = await ws_receive_json(owner_socket)
    assert frame["type"] == "verification.reviewed"
    assert frame["data"]["verification_id"] == str(verification.verification_id)
    assert frame["data"]["status"] == "approved"
    assert frame["data"]["admin_note"] == "확인"
    assert TIMESTAMP.match(frame["data"]["verified_at"]) and TIMESTAMP.match(frame["timestamp"])
    assert await other_socket.receive_nothing(timeout=0.3)
    await owner_socket.disconnect()
    await other_socket.disconnect()
    # The ORM ran in asgiref's worker thread: close its connection so the test database can be dropped.
    await sync_to_async(close_thread_connection)()
