"""``student_id`` and the documents reach the owner and staff only.

Every verification route is called by the owner, another user, a staff member and an anonymous
client; every response body (and every realtime event) is searched for the owner's student id
and document ids. The route list is taken from the app's URLconf, so a new endpoint that this
walk does not cover fails the test.
"""

import dataclasses
import json

import pytest
from rest_framework.test import APIClient

from config import realtime
from config.testing import UserFactory, auth_client_for
from verification import services, urls as verification_urls
from verification.selectors import VerifiedProfile, verified_profile
from verification.tests.factories import (
    PENDING,
    SETTINGS,
    STATUS,
    SUBMISSION,
    SUBMIT,
    UPLOAD,
    document_path,
    png_file,
    review_path,
    staff_user,
    submit,
    upload_documents,
    url_of,
)

pytestmark = pytest.mark.django_db

OWNER_STUDENT_ID = "OWNER-2021-98765"


def _body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("latin-1")
    return response.content.decode()


def walk(client, *, verification, documents, submit_documents) -> dict[str, tuple[int, str]]:
    """Calls every verification route once; returns {route name: (status, body)}."""
    responses = {
        "verification-status": client.get(STATUS),
        "verification-settings": client.patch(SETTINGS, {"badge_visible": True}, format="json"),
        "verification-upload": client.post(UPLOAD, {"files": [png_file()]}, format="multipart"),
        "verification-submit": client.post(
            SUBMIT, {**SUBMISSION, "documents": submit_documents}, format="json"
        ),
        "verification-document": client.get(document_path(documents[0].document_id)),
        "admin-verification-pending": client.get(PENDING),
        "admin-verification-review": client.post(
            review_path(verification.verification_id), {"approved": False, "admin_note": ""}, format="json"
        ),
    }
    return {name: (response.status_code, _body(response)) for name, response in responses.items()}


def test_the_walk_covers_every_verification_route():
    names = {pattern.name for pattern in verification_urls.urlpatterns if pattern.name}
    assert names == {
        "verification-status",
        "verification-settings",
        "verification-upload",
        "verification-submit",
        "verification-document",
        "admin-verification-pending",
        "admin-verification-review",
    }


@pytest.fixture
def owner_case(monkeypatch):
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(realtime, "group_send_now", lambda group, message: sent.append((group, message)))
    owner = UserFactory()
    documents = upload_documents(owner, count=2)
    verification = submit(owner, documents=documents, student_id=OWNER_STUDENT_ID)
    secrets = [OWNER_STUDENT_ID, *(str(document.document_id) for document in documents)]
    return owner, verification, documents, secrets, sent


def _leaks(results: dict[str, tuple[int, str]], secrets: list[str]) -> dict[str, list[str]]:
    return {
        name: [secret for secret in secrets if secret in body]
        for name, (_, body) in results.items()
        if any(secret in body for secret in secrets)
    }


def test_another_user_never_sees_the_owners_student_id_or_documents(owner_case):
    owner, verification, documents, secrets, sent = owner_case
    stranger = UserFactory()
    # The stranger even tries to submit the owner's document URLs as theirs.
    results = walk(
        auth_client_for(stranger),
        verification=verification,
        documents=documents,
        submit_documents=[url_of(document) for document in documents],
    )

    assert _leaks(results, secrets) == {}
    assert results["verification-document"][0] == 404
    assert results["admin-verification-pending"][0] == 403
    assert results["admin-verification-review"][0] == 403
    assert results["verification-submit"][0] == 400
    assert all(group != f"user.{stranger.public_id}" for group, _ in sent)


def test_an_anonymous_client_never_sees_them(owner_case):
    _, verification, documents, secrets, _ = owner_case
    results = walk(
        APIClient(),
        verification=verification,
        documents=documents,
        submit_documents=[url_of(document) for document in documents],
    )
    assert _leaks(results, secrets) == {}
    assert {status for status, _ in results.values()} == {401}


def test_the_owner_sees_their_own(owner_case):
    owner, verification, documents, secrets, _ = owner_case
    results = walk(
        auth_client_for(owner), verification=verification, documents=documents, submit_documents=[]
    )

    status_body = json.loads(results["verification-status"][1])["data"]
    assert status_body["student_id"] == OWNER_STUDENT_ID
    assert status_body["documents"] == [url_of(document) for document in documents]
    assert results["verification-document"][0] == 200
    # Endpoints that are not about the owner's own record stay closed to them.
    assert results["admin-verification-pending"][0] == 403
    assert results["admin-verification-review"][0] == 403
    assert _leaks({"review": results["admin-verification-review"]}, secrets) == {}


def test_staff_see_them_in_the_pending_list_and_the_review_reveals_nothing(
    owner_case, django_capture_on_commit_callbacks
):
    owner, verification, documents, secrets, sent = owner_case
    reviewer = staff_user()
    with django_capture_on_commit_callbacks(execute=True):
        results = walk(
            auth_client_for(reviewer), verification=verification, documents=documents, submit_documents=[]
        )

    pending = json.loads(results["admin-verification-pending"][1])["data"]["verifications"]
    assert [item["student_id"] for item in pending] == [OWNER_STUDENT_ID]
    assert pending[0]["documents"] == [url_of(document) for document in documents]
    assert results["verification-document"][0] == 200
    # The review response and the event to the owner carry the decision, not the evidence.
    assert results["admin-verification-review"][0] == 200
    assert _leaks({"review": results["admin-verification-review"]}, secrets) == {}
    assert [group for group, _ in sent] == [f"user.{owner.public_id}"]
    assert not any(secret in json.dumps(message) for _, message in sent for secret in secrets)


def test_the_profile_other_apps_read_has_no_student_id_or_documents(owner_case):
    owner, verification, _, _, _ = owner_case
    services.verification_review(reviewer=staff_user(), verification_id=verification.pk, approved=True, admin_note="")
    profile = verified_profile(owner)
    fields = {field.name for field in dataclasses.fields(VerifiedProfile)}
    assert fields.isdisjoint({"student_id", "documents"})
    assert OWNER_STUDENT_ID not in repr(profile)
