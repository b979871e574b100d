"""A moderator (staff, not a superuser, in the `moderators` group) works in the Django admin:
approves a pending verification with its document in view, then suspends a reported user, whose
open playground page loses its sockets at once and whose next request is refused."""

from pages import Playground
from playwright.sync_api import expect


def admin_log_in(page, username: str, password: str) -> None:
    page.goto("/admin/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("input[type=submit]").click()
    expect(page.locator("#user-tools")).to_contain_text(username, ignore_case=True)


def test_moderator_approves_a_verification_and_suspends_a_reported_user(person, seed, shots):
    # The reported user is online: signed in, in their chat room, with both sockets open.
    reported = Playground(person(seed["report"]["reported"])).open()
    reported.log_in(seed["report"]["reported"], seed["password"])
    reported.open_room(seed["chat"]["room_id"])
    expect(reported.page.locator("#events-status")).to_have_text("open")
    shots(reported.page, "online-before")

    moderator = person("moderator", locale="en-US")
    admin_log_in(moderator, seed["moderator"], seed["password"])
    shots(moderator, "admin-home")

    # --- the verification queue ----------------------------------------------------------------
    applicant = seed["applicant"]["username"]
    moderator.goto(f"/admin/verification/pendingverification/?q={applicant}")
    rows = moderator.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    rows.first.locator("th a").click()
    expect(moderator.locator("div.field-user")).to_contain_text(applicant)
    document = moderator.locator("img[alt='document 1']")
    expect(document).to_be_visible()
    # The private document really loaded for the moderator's session (not a broken image).
    assert document.evaluate("image => image.complete && image.naturalWidth") > 0
    shots(moderator, "verification-with-document")

    moderator.locator("select[name=decision]").select_option("approve")
    moderator.locator("textarea[name=review_note]").fill("학생증 확인 완료")
    moderator.locator("input[name=_save]").click()
    expect(moderator.locator(".messagelist")).to_contain_text("1 verification(s) approved.")
    moderator.goto(f"/admin/verification/pendingverification/?q={applicant}")
    expect(moderator.locator("#result_list tbody tr")).to_have_count(0)
    moderator.goto(f"/admin/verification/verification/{seed['applicant']['verification_id']}/change/")
    expect(moderator.locator("div.field-status")).to_contain_text("approved")
    expect(moderator.locator("div.field-reviewed_by")).to_contain_text(seed["moderator"])
    shots(moderator, "verification-approved")

    # --- the report queue ----------------------------------------------------------------------
    moderator.goto(f"/admin/moderation/report/?status__exact=pending&q={seed['report']['reported']}")
    rows = moderator.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    rows.first.locator("th a").click()
    expect(moderator.locator("div.field-reported_user")).to_contain_text(seed["report"]["reported"])
    shots(moderator, "report")
    moderator.locator(".object-tools a", has_text="Resolve").click()
    moderator.locator("input[name=action][value=suspend]").check()
    moderator.locator("textarea[name=note]").fill("e2e: suspended for a week")
    moderator.locator("input[name=_apply]").click()
    expect(moderator.locator(".messagelist")).to_contain_text("Report resolved")
    shots(moderator, "report-resolved")

    # --- the suspended user's open page ------------------------------------------------------------
    expect(reported.page.locator("#events-status")).to_have_text("closed (4403)")
    expect(reported.page.locator("#chat-socket")).to_have_text("closed (4403)")
    expect(reported.page.locator("#banner")).to_contain_text("suspended")
    # The events socket does not come back (4403 is final), and REST now refuses the account.
    reported.page.wait_for_timeout(4000)
    expect(reported.page.locator("#events-status")).to_have_text("closed (4403)")
    reported.page.locator("#rooms-refresh").click()
    expect(reported.page.locator("#chat-error")).to_contain_text("ACCOUNT_SUSPENDED")
    shots(reported.page, "suspended-after")
