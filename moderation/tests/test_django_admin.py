"""The Django admin as a moderator uses it: they can do their job there, and nothing more.

Every test drives the admin's own views with the Django test client, logged in as a
non-superuser staff account in the ``moderators`` group.
"""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from calls.tests.factories import ended_call
from gems import selectors as gem_selectors
from gems.models import GemTransaction
from moderation.models import ModerationAction, Report
from moderation.tests.conftest import MODERATORS
from moderation.tests.factories import user_report
from verification.models import Verification
from verification.tests.factories import submit

pytestmark = pytest.mark.django_db

EXPECTED_PERMISSIONS = {
    "accounts.view_user",
    "moderation.view_report",
    "moderation.resolve_report",
    "moderation.view_moderationaction",
    "moderation.sanction_user",
    "moderation.adjust_gems",
    "gems.view_gemwallet",
    "gems.view_gemtransaction",
    "gems.view_gemproduct",
    "verification.view_verification",
    "verification.change_verification",
    "verification.view_pendingverification",
    "verification.change_pendingverification",
    "verification.view_verificationdocumentlink",
    "pools.view_pool",
    "pools.view_poolmember",
    "pools.view_proposal",
    "pools.view_proposalside",
    "chat.view_chatroom",
    "chat.view_chatmember",
    "chat.view_message",
    "matching.view_match",
    "matching.view_matchparticipant",
    "calls.view_callsession",
}


@pytest.fixture
def browser(moderator) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


@pytest.fixture
def reported(user_factory):
    return user_factory(username="offender", gender="female")


@pytest.fixture
def report(user_factory, reported):
    return user_report(reporter=user_factory(username="victim"), reported=reported, reason="욕설")


def user_page(user) -> str:
    return f"/admin/accounts/user/{user.pk}/change/"


def test_the_group_holds_exactly_the_moderator_permissions(moderator):
    group = Group.objects.get(name=MODERATORS)
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    assert granted == EXPECTED_PERMISSIONS
    assert moderator.get_all_permissions() == EXPECTED_PERMISSIONS
    assert moderator.is_superuser is False


def test_the_report_queue_shows_reports_and_their_evidence(browser, report):
    changelist = browser.get("/admin/moderation/report/?status__exact=pending")
    assert changelist.status_code == 200
    assert "욕설" in changelist.content.decode()
    Report.objects.filter(pk=report.pk).update(
        report_type="message",
        message_id="6f1c1e7a-8f3e-4a53-9d3c-0c6f3f6b5a10",
        evidence={"message_id": "6f1c1e7a-8f3e-4a53-9d3c-0c6f3f6b5a10", "content": "<b>nasty words</b>"},
    )
    page = browser.get(f"/admin/moderation/report/{report.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    # Evidence is shown escaped, and the page offers the resolve form, not a save button.
    assert "&lt;b&gt;nasty words&lt;/b&gt;" in html
    assert f"/admin/moderation/report/{report.pk}/resolve/" in html
    assert 'name="_save"' not in html


def test_resolving_from_the_admin_goes_through_the_service(browser, moderator, report, reported):
    form = browser.get(f"/admin/moderation/report/{report.pk}/resolve/")
    assert form.status_code == 200

    response = browser.post(f"/admin/moderation/report/{report.pk}/resolve/", {"action": "suspend", "note": "3회 신고"})

    assert response.status_code == 302
    report.refresh_from_db()
    reported.refresh_from_db()
    assert (report.status, report.action_taken, report.resolution_note, report.resolved_by) == (
        "resolved", "suspend", "3회 신고", moderator
    )
    assert reported.suspended_until is not None
    audit = ModerationAction.objects.get()
    assert (audit.actor, audit.action, audit.report) == (moderator, "suspend", report)

    again = browser.post(f"/admin/moderation/report/{report.pk}/resolve/", {"action": "ban"}, follow=True)
    assert "이미 처리된 신고입니다." in again.content.decode()
    reported.refresh_from_db()
    assert reported.is_banned is False
    assert ModerationAction.objects.count() == 1


def test_an_invalid_resolve_form_changes_nothing(browser, report):
    response = browser.post(f"/admin/moderation/report/{report.pk}/resolve/", {"action": "delete"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"action"}
    report.refresh_from_db()
    assert report.status == "pending"


def test_bulk_actions_from_the_queue(browser, moderator, user_factory, reported, report):
    second = user_report(reporter=user_factory(), reported=reported)
    response = browser.post(
        "/admin/moderation/report/",
        {"action": "resolve_warn", "_selected_action": [str(report.pk), str(second.pk)]},
    )
    assert response.status_code == 302
    reported.refresh_from_db()
    assert reported.warning_count == 2
    assert set(Report.objects.values_list("status", "action_taken", "resolved_by")) == {
        ("resolved", "warn", moderator.pk)
    }


def test_reports_and_the_audit_trail_cannot_be_edited_or_deleted(browser, report, moderator, reported):
    browser.post(f"/admin/moderation/report/{report.pk}/resolve/", {"action": "dismiss"})
    audit = ModerationAction.objects.get()
    for url in (
        "/admin/moderation/report/add/",
        f"/admin/moderation/report/{report.pk}/delete/",
        "/admin/moderation/moderationaction/add/",
        f"/admin/moderation/moderationaction/{audit.pk}/delete/",
    ):
        assert browser.get(url).status_code == 403, url
    edit = browser.post(f"/admin/moderation/report/{report.pk}/change/", {"status": "pending", "reason": "x"})
    assert edit.status_code == 403
    assert browser.get("/admin/moderation/moderationaction/").status_code == 200
    report.refresh_from_db()
    assert (report.status, report.reason) == ("resolved", "욕설")


def test_user_page_offers_sanctions_and_shows_warning_history(browser, moderator, reported, report):
    browser.post(f"/admin/moderation/report/{report.pk}/resolve/", {"action": "warn", "note": "첫 경고"})

    page = browser.get(user_page(reported))

    assert page.status_code == 200
    html = page.content.decode()
    assert f"/admin/accounts/user/{reported.pk}/sanction/" in html
    assert f"/admin/accounts/user/{reported.pk}/gems/" in html
    assert "첫 경고" in html
    assert 'name="_save"' not in html


@pytest.mark.parametrize(
    ("action", "check"),
    [
        ("warn", lambda user: user.warning_count == 1),
        ("suspend", lambda user: user.suspended_until is not None),
        ("ban", lambda user: user.is_banned),
    ],
)
def test_sanctions_from_the_user_page(browser, moderator, reported, action, check):
    assert browser.get(f"/admin/accounts/user/{reported.pk}/sanction/").status_code == 200
    response = browser.post(f"/admin/accounts/user/{reported.pk}/sanction/", {"action": action, "note": "manual"})
    assert response.status_code == 302
    reported.refresh_from_db()
    assert check(reported)
    audit = ModerationAction.objects.get()
    assert (audit.actor, audit.target_user, audit.action, audit.note, audit.report) == (
        moderator, reported, action, "manual", None
    )


def test_unsuspend_from_the_user_page(browser, reported):
    browser.post(f"/admin/accounts/user/{reported.pk}/sanction/", {"action": "suspend"})
    browser.post(f"/admin/accounts/user/{reported.pk}/sanction/", {"action": "unsuspend"})
    reported.refresh_from_db()
    assert reported.suspended_until is None
    assert list(ModerationAction.objects.order_by("id").values_list("action", flat=True)) == ["suspend", "unsuspend"]


def test_gem_adjustments_write_a_ledger_row_naming_the_moderator(browser, moderator, reported):
    assert browser.get(f"/admin/accounts/user/{reported.pk}/gems/").status_code == 200
    response = browser.post(f"/admin/accounts/user/{reported.pk}/gems/", {"amount": "30", "note": "보상"})
    assert response.status_code == 302
    assert gem_selectors.gem_balance(user=reported) == 30
    row = GemTransaction.objects.get(user=reported)
    assert (row.amount, row.reason, row.actor, row.note, row.balance_after) == (30, "admin_adjust", moderator, "보상", 30)

    too_much = browser.post(f"/admin/accounts/user/{reported.pk}/gems/", {"amount": "-31", "note": "회수"})
    assert too_much.status_code == 200
    assert too_much.context["form"].errors.keys() == {"amount"}
    for bad in ({"amount": "0", "note": "x"}, {"amount": "5", "note": ""}, {"amount": "abc", "note": "x"}):
        assert browser.post(f"/admin/accounts/user/{reported.pk}/gems/", bad).status_code == 200
    assert gem_selectors.gem_balance(user=reported) == 30
    assert GemTransaction.objects.filter(user=reported).count() == 1
    assert browser.get("/admin/gems/gemtransaction/").status_code == 200


def test_moderators_cannot_edit_users_or_grant_themselves_anything(browser, moderator, reported):
    escalate = browser.post(
        user_page(moderator), {"username": "moderator", "is_staff": "on", "is_superuser": "on"}
    )
    assert escalate.status_code == 403
    for url in (
        "/admin/accounts/user/add/",
        f"/admin/accounts/user/{reported.pk}/delete/",
        f"/admin/accounts/user/{reported.pk}/password/",
        "/admin/auth/group/",
        "/admin/auth/group/add/",
        "/admin/gems/gemproduct/add/",
        "/admin/gems/gemwallet/add/",
        "/admin/matching/matchblock/",
        "/admin/matching/matchsettings/",
    ):
        assert browser.get(url).status_code == 403, url
    moderator.refresh_from_db()
    assert (moderator.is_superuser, moderator.user_permissions.count()) == (False, 0)


def test_moderators_browse_pools_proposals_rooms_matches_and_calls_read_only(browser, user_factory, reported):
    call = ended_call(match__user_a=user_factory(), match__user_b=reported)
    for changelist in (
        "/admin/pools/pool/",
        "/admin/pools/proposal/",
        "/admin/chat/chatroom/",
        "/admin/chat/message/",
        "/admin/matching/match/",
        "/admin/calls/callsession/",
    ):
        assert browser.get(changelist).status_code == 200, changelist
        assert browser.get(changelist + "add/").status_code == 403, changelist
    assert browser.get(f"/admin/calls/callsession/{call.pk}/change/").status_code == 200
    assert browser.get(f"/admin/matching/match/{call.match_id}/change/").status_code == 200
    assert browser.post(f"/admin/matching/match/{call.match_id}/delete/").status_code == 403


def test_moderators_review_verifications_with_documents(browser, moderator, user_factory):
    verification = submit(user_factory(username="student"))
    document_id = verification.document_links.get().document_id
    page = browser.get(f"/admin/verification/pendingverification/{verification.pk}/change/")
    assert page.status_code == 200
    assert f'<img src="/api/v1/verification/documents/{document_id}"' in page.content.decode()
    # The moderator's admin session may open the private document itself.
    assert browser.get(f"/api/v1/verification/documents/{document_id}").status_code == 200

    response = browser.post(
        "/admin/verification/pendingverification/",
        {"action": "approve_selected", "_selected_action": [str(verification.pk)]},
    )

    assert response.status_code == 302
    verification.refresh_from_db()
    assert (verification.status, verification.reviewed_by) == ("approved", moderator)
    assert Verification.objects.get(pk=verification.pk).status == "approved"


def test_staff_outside_the_group_get_none_of_the_tools(staff, report, reported):
    client = Client()
    client.force_login(staff)
    for url in (
        f"/admin/moderation/report/{report.pk}/resolve/",
        f"/admin/accounts/user/{reported.pk}/sanction/",
        f"/admin/accounts/user/{reported.pk}/gems/",
        "/admin/moderation/report/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/admin/accounts/user/{reported.pk}/sanction/", {"action": "ban"}).status_code == 403
    assert client.post(f"/admin/moderation/report/{report.pk}/resolve/", {"action": "ban"}).status_code == 403
    reported.refresh_from_db()
    report.refresh_from_db()
    assert (reported.is_banned, report.status) == (False, "pending")


def test_non_staff_are_sent_to_the_admin_login(report, reported):
    client = Client()
    client.force_login(reported)
    response = client.post(f"/admin/moderation/report/{report.pk}/resolve/", {"action": "dismiss"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    report.refresh_from_db()
    assert report.status == "pending"
