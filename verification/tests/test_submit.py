"""POST /api/v1/verification/submit and the one-open-verification invariant."""

import threading
import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from config.testing import UserFactory
from verification import services
from verification.errors import AlreadySubmitted
from verification.models import Verification, VerificationDocumentLink, VerificationStatus
from verification.tests.factories import (
    SUBMISSION,
    SUBMIT,
    TIMESTAMP,
    approved,
    rejected,
    submit,
    upload_documents,
    url_of,
)

pytestmark = pytest.mark.django_db


def submission(uploaded, **overrides) -> dict:
    return {**SUBMISSION, "documents": [url_of(document) for document in uploaded], **overrides}


def submission_with_urls(urls: list) -> dict:
    return {**SUBMISSION, "documents": urls}


def assert_error(response, status: int, code: str, message: str | None = None) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    if message is not None:
        assert body["error"]["message"] == message
    return body


def test_submit_files_a_pending_verification(auth_client, user):
    documents = upload_documents(user, count=2)

    response = auth_client(user).post(SUBMIT, submission(documents), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    verification = Verification.objects.get(user=user)
    message = "인증 신청이 제출되었습니다. 관리자 검토 후 결과를 알려드립니다."
    assert body["message"] == message
    assert body["data"] == {
        "verification_id": str(verification.verification_id),
        "status": "pending",
        "submitted_at": body["data"]["submitted_at"],
        "message": message,
    }
    assert TIMESTAMP.match(body["data"]["submitted_at"])
    assert verification.status == VerificationStatus.PENDING
    assert (verification.school_name, verification.department, verification.major_category) == (
        "서울대학교",
        "컴퓨터공학과",
        "공과대학",
    )
    assert (verification.grade, verification.student_id, verification.gender) == ("3학년", "2021-12345", "male")
    assert (verification.reviewed_at, verification.verified_at, verification.reviewed_by) == (None, None, None)
    links = list(VerificationDocumentLink.objects.filter(verification=verification).order_by("position"))
    assert [(link.position, link.document_id) for link in links] == [
        (0, documents[0].document_id),
        (1, documents[1].document_id),
    ]


def test_submit_accepts_the_document_path_without_host_and_with_a_trailing_slash(auth_client, user):
    first, second = upload_documents(user, count=2)
    data = submission_with_urls(
        [f"/api/v1/verification/documents/{first.document_id}", f"{url_of(second)}/"]
    )
    assert auth_client(user).post(SUBMIT, data, format="json").status_code == 201
    links = VerificationDocumentLink.objects.order_by("position").values_list("document_id", flat=True)
    assert list(links) == [first.document_id, second.document_id]


def test_submit_message_in_english(auth_client, user):
    documents = upload_documents(user)
    response = auth_client(user).post(SUBMIT, submission(documents), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["data"]["message"] == (
        "Your verification request has been submitted. "
        "You will be notified of the result after an administrator reviews it."
    )


def test_submit_without_a_token_is_unauthorized(api_client, user):
    documents = upload_documents(user)
    assert_error(api_client.post(SUBMIT, submission(documents), format="json"), 401, "UNAUTHORIZED")
    assert not Verification.objects.exists()


def test_another_users_document_url_is_an_invalid_document(auth_client, user):
    mine = upload_documents(user)
    theirs = upload_documents(UserFactory())

    response = auth_client(user).post(SUBMIT, submission([*mine, *theirs]), format="json")

    body = assert_error(response, 400, "INVALID_DOCUMENT", "잘못된 서류 형식")
    assert body["error"]["details"] == {"documents": ["1: 업로드한 서류가 아닙니다."]}
    english = auth_client(user).post(SUBMIT, submission([*mine, *theirs]), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["details"] == {"documents": ["1: not an uploaded document"]}
    assert not Verification.objects.exists()
    assert not VerificationDocumentLink.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://storage.example.com/docs/student_card.jpg",
        "http://testserver/api/v1/verification/status",
        "http://testserver/media/verification/2026/01/abc.png",
        "not a url at all",
        "http://[::1",
        f"http://testserver/api/v1/verification/documents/{uuid.UUID(int=7)}",
    ],
    ids=["foreign", "other-endpoint", "media", "garbage", "malformed", "unknown-id"],
)
def test_a_url_that_is_not_one_of_my_uploads_is_an_invalid_document(auth_client, user, url):
    response = auth_client(user).post(SUBMIT, submission_with_urls([url]), format="json")
    assert_error(response, 400, "INVALID_DOCUMENT")
    assert not Verification.objects.exists()


@pytest.mark.parametrize("count", [0, 6])
def test_the_document_count_must_be_one_to_five(auth_client, user, count):
    documents = [document for batch in (3, 3) for document in upload_documents(user, count=batch)][:count]
    response = auth_client(user).post(SUBMIT, submission(documents), format="json")
    body = assert_error(response, 400, "INVALID_DOCUMENT")
    assert body["error"]["details"] == {"documents": ["서류는 1~5개여야 합니다."]}
    english = auth_client(user).post(SUBMIT, submission(documents), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["error"]["details"] == {"documents": ["1-5 documents"]}
    assert not Verification.objects.exists()


def test_the_same_document_twice_is_invalid(auth_client, user):
    (document,) = upload_documents(user)
    response = auth_client(user).post(SUBMIT, submission([document, document]), format="json")
    body = assert_error(response, 400, "INVALID_DOCUMENT")
    assert body["error"]["details"] == {"documents": ["같은 서류가 중복되었습니다."]}
    assert not Verification.objects.exists()


@pytest.mark.parametrize("field", [*SUBMISSION, "documents"])
def test_every_seed_field_is_required(auth_client, user, field):
    data = submission(upload_documents(user))
    del data[field]
    body = assert_error(auth_client(user).post(SUBMIT, data, format="json"), 400, "VALIDATION_ERROR")
    assert list(body["error"]["details"]) == [field]
    assert not Verification.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gender", "other"),
        ("gender", None),
        ("school_name", ""),
        ("school_name", "가" * 101),
        ("grade", 3),
        ("student_id", "1" * 51),
        ("documents", "http://testserver/api/v1/verification/documents/x"),
        ("documents", [{"url": "x"}]),
        ("documents", ["x"] * 51),
        ("documents", ["x" * 2049]),
    ],
)
def test_wrong_types_enums_and_sizes_are_validation_errors(auth_client, user, field, value):
    data = submission(upload_documents(user), **{field: value})
    body = assert_error(auth_client(user).post(SUBMIT, data, format="json"), 400, "VALIDATION_ERROR")
    assert list(body["error"]["details"]) == [field]
    assert not Verification.objects.exists()


def test_malformed_json_is_refused(auth_client, user):
    response = auth_client(user).generic("POST", SUBMIT, b'{"school_name": ', content_type="application/json")
    assert_error(response, 400, "MALFORMED_REQUEST")


def test_a_form_body_is_an_unsupported_media_type(auth_client, user):
    data = submission(upload_documents(user))
    assert_error(auth_client(user).post(SUBMIT, data, format="multipart"), 415, "UNSUPPORTED_MEDIA_TYPE")
    assert not Verification.objects.exists()


@pytest.mark.parametrize("existing", [submit, approved], ids=["pending", "approved"])
def test_already_submitted_while_pending_or_approved(auth_client, user, existing):
    first = existing(user)
    before = list(Verification.objects.values())

    response = auth_client(user).post(SUBMIT, submission(upload_documents(user)), format="json")

    assert_error(response, 400, "ALREADY_SUBMITTED", "이미 인증 신청 중")
    assert list(Verification.objects.values()) == before
    assert VerificationDocumentLink.objects.exclude(verification=first).count() == 0


def test_a_new_submission_after_a_rejection_is_allowed_and_keeps_display_choices(auth_client, user):
    old = rejected(user)
    services.verification_settings_update(user=user, badge_visible=False)

    response = auth_client(user).post(SUBMIT, submission(upload_documents(user), school_name="고려대학교"), format="json")

    assert response.status_code == 201, response.content
    new = Verification.objects.get(pk=response.json()["data"]["verification_id"])
    assert new.pk != old.pk
    assert (new.status, new.school_name, new.badge_visible, new.department_visible) == (
        "pending",
        "고려대학교",
        False,
        True,
    )
    old.refresh_from_db()
    assert old.status == "rejected"


def test_documents_of_a_rejected_verification_can_be_reused(auth_client, user):
    old = rejected(user)
    reused = [link.document for link in old.document_links.all()]
    response = auth_client(user).post(SUBMIT, submission(reused), format="json")
    assert response.status_code == 201, response.content


def test_the_database_allows_one_open_verification_per_user(user):
    submit(user)
    now = timezone.now()
    for status, extra in [
        (VerificationStatus.PENDING, {}),
        (VerificationStatus.APPROVED, {"reviewed_at": now, "verified_at": now}),
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Verification.objects.create(user=user, status=status, gender="male", **extra)
    # Rejected ones are history and never block.
    Verification.objects.create(user=user, status=VerificationStatus.REJECTED, gender="male", reviewed_at=now)
    assert Verification.objects.filter(user=user).count() == 2


@pytest.mark.parametrize(
    ("status", "fields"),
    [
        ("pending", {"reviewed_at": "now"}),
        ("approved", {"reviewed_at": "now"}),
        ("rejected", {"reviewed_at": "now", "verified_at": "now"}),
        ("rejected", {}),
        ("unknown", {}),
    ],
)
def test_the_database_refuses_inconsistent_decisions(user, status, fields):
    values = {name: timezone.now() for name in fields}
    with pytest.raises(IntegrityError), transaction.atomic():
        Verification.objects.create(user=user, status=status, gender="male", **values)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_create_one_verification(user_factory):
    user = user_factory()
    documents = upload_documents(user, count=2)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def attempt():
        try:
            barrier.wait()
            submit(user, documents=documents)
            outcomes.append("created")
        except AlreadySubmitted:
            outcomes.append("already")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already", "already", "already", "created"]
    assert Verification.objects.filter(user=user).count() == 1
    assert VerificationDocumentLink.objects.count() == 2
