"""The Django admin for reviewers: the pending queue, documents inline, approve/reject through the service."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from config import realtime
from config.testing import UserFactory
from verification.models import Verification
from verification.tests.factories import (
    approved,
    document_path,
    pdf_bytes,
    staff_user,
    submit,
    upload_documents,
)

pytestmark = pytest.mark.django_db

QUEUE = "/admin/verification/pendingverification/"
ALL = "/admin/verification/verification/"


@pytest.fixture
def reviewer():
    return staff_user(is_superuser=True)


@pytest.fixture
def admin_client(reviewer):
    client = Client()
    client.force_login(reviewer)
    return client


@pytest.fixture
def sent_events(monkeypatch):
    sent: list[tuple[str, dict]] = []
    monkeypatch.setattr(realtime, "group_send_now", lambda group, message: sent.append((group, message)))
    return sent


def change_form_data(verification, **fields) -> dict:
    links = list(verification.document_links.order_by("position"))
    data = {
        "document_links-TOTAL_FORMS": str(len(links)),
        "document_links-INITIAL_FORMS": str(len(links)),
        "document_links-MIN_NUM_FORMS": "0",
        "document_links-MAX_NUM_FORMS": "1000",
        "_save": "Save",
        **fields,
    }
    for index, link in enumerate(links):
        data[f"document_links-{index}-id"] = str(link.pk)
        data[f"document_links-{index}-verification"] = str(verification.pk)
    return data


def test_the_queue_lists_pending_requests_oldest_first(admin_client):
    with time_machine.travel("2026-03-01T10:00:00Z", tick=False) as clock:
        newer_user, older_user = UserFactory(username="newer_applicant"), UserFactory(username="older_applicant")
        submit(older_user)
        clock.shift(timedelta(hours=1))
        submit(newer_user)
    approved(UserFactory(username="already_approved"))

    html = admin_client.get(QUEUE).content.decode()

    assert html.index("older_applicant") < html.index("newer_applicant")
    assert "already_approved" not in html


def test_the_change_page_shows_the_documents_through_the_authenticated_view(admin_client):
    applicant = UserFactory()
    verification = submit(applicant, documents=upload_documents(applicant, count=2))  # a PNG, then a PDF
    png, pdf = [link.document for link in verification.document_links.order_by("position")]

    html = admin_client.get(f"{QUEUE}{verification.pk}/change/").content.decode()

    assert f'<img src="{document_path(png.document_id)}"' in html
    assert f'<a href="{document_path(pdf.document_id)}" rel="noopener noreferrer">PDF 2</a>' in html
    assert "2021-12345" in html  # reviewers see the student id
    assert "/media/" not in html.split("<body", 1)[1].split("</body>")[0].replace("/static/", "")
    # The reviewer's browser fetches them with the admin session.
    assert admin_client.get(document_path(png.document_id)).status_code == 200
    response = admin_client.get(document_path(pdf.document_id))
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_the_approve_action_goes_through_the_service(
    admin_client, reviewer, sent_events, django_capture_on_commit_callbacks
):
    first, second = submit(UserFactory()), submit(UserFactory())

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            QUEUE, {"action": "approve_selected", "_selected_action": [str(first.pk), str(second.pk)]}
        )

    assert response.status_code == 302
    for verification in (first, second):
        verification.refresh_from_db()
        assert (verification.status, verification.reviewed_by) == ("approved", reviewer)
        assert verification.verified_at is not None
    assert sorted(group for group, _ in sent_events) == sorted(
        [f"user.{first.user.public_id}", f"user.{second.user.public_id}"]
    )
    assert {message["event"]["type"] for _, message in sent_events} == {"verification.reviewed"}


def test_the_reject_action_goes_through_the_service(admin_client, reviewer):
    verification = submit(UserFactory())
    admin_client.post(QUEUE, {"action": "reject_selected", "_selected_action": [str(verification.pk)]})
    verification.refresh_from_db()
    assert (verification.status, verification.reviewed_by, verification.verified_at) == ("rejected", reviewer, None)


def test_an_action_on_a_reviewed_request_changes_nothing(admin_client):
    verification = approved(UserFactory())
    before = Verification.objects.values().get(pk=verification.pk)

    response = admin_client.post(
        ALL, {"action": "reject_selected", "_selected_action": [str(verification.pk)]}, follow=True
    )

    assert "이미 검토가 완료된 인증 신청입니다." in response.content.decode()
    assert Verification.objects.values().get(pk=verification.pk) == before


def test_the_change_form_rejects_with_a_note(admin_client, reviewer, sent_events, django_capture_on_commit_callbacks):
    verification = submit(UserFactory())

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"{QUEUE}{verification.pk}/change/",
            change_form_data(verification, decision="reject", review_note="학생증 사진이 흐립니다"),
        )

    assert response.status_code == 302, response.content.decode()[-2000:]
    verification.refresh_from_db()
    assert (verification.status, verification.admin_note, verification.reviewed_by) == (
        "rejected",
        "학생증 사진이 흐립니다",
        reviewer,
    )
    assert [message["event"]["data"]["admin_note"] for _, message in sent_events] == ["학생증 사진이 흐립니다"]


def test_the_change_form_edits_nothing_without_a_decision(admin_client):
    verification = submit(UserFactory())
    before = Verification.objects.values().get(pk=verification.pk)

    admin_client.post(
        f"{QUEUE}{verification.pk}/change/",
        change_form_data(verification, school_name="가짜대학교", student_id="forged", decision=""),
    )

    assert Verification.objects.values().get(pk=verification.pk) == before


def test_requests_cannot_be_added_or_deleted_in_the_admin(admin_client):
    verification = submit(UserFactory())
    assert admin_client.get(f"{ALL}add/").status_code == 403
    assert admin_client.post(f"{ALL}{verification.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Verification.objects.filter(pk=verification.pk).exists()


def test_non_staff_cannot_open_the_queue():
    client = Client()
    client.force_login(UserFactory())
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
