"""Two strangers sign up in two browsers, get matched, both accept, talk over a real WebRTC call
(fake camera and microphone, loopback ICE candidates only), hang up and rate each other."""

import re
import time
import uuid

from pages import Playground, unique_name
from playwright.sync_api import expect

PASSWORD = "Call-Test-Pass-8812"


def wait_connected(person: Playground, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if person.peer_connection_state() == "connected":
            return
        time.sleep(0.25)
    raise AssertionError(f"{person.page.person}: RTCPeerConnection is {person.peer_connection_state()}")


def test_two_strangers_match_call_and_rate(person, shots):
    alice = Playground(person("alice")).open()
    bob = Playground(person("bob")).open()
    alice_name, bob_name = unique_name("alice"), unique_name("bob")

    alice.sign_up(alice_name, PASSWORD, age=26, gender="female", color=(220, 90, 120))
    bob.sign_up(bob_name, PASSWORD, age=29, gender="male")  # no photo chosen: a generated avatar
    shots(alice.page, "signed-up")

    # Alice narrows her filters (men, 25-35): a filtered match costs 5 gems, so she buys 10 first
    # through the development payment provider. Bob keeps the defaults (free).
    alice.charge(f"dev:gems_10:{uuid.uuid4().hex}", expected_balance=10)
    alice.save_settings(preferred_gender="male", age_min=25, age_max=35)
    bob.save_settings(preferred_gender="all", age_min=18, age_max=100)
    shots(alice.page, "settings-saved")

    # Bob waits in the queue; Alice's request pairs her with him; he hears it on /ws/events/.
    bob.page.locator("#find-match").click()
    expect(bob.page.locator("#match-status")).to_contain_text("waiting")
    alice.page.locator("#find-match").click()
    expect(alice.page.locator("#partner-name")).to_have_text(bob_name)
    expect(bob.page.locator("#partner-name")).to_have_text(alice_name)
    for someone in (alice, bob):
        expect(someone.page.locator("#offer")).to_be_visible()
        assert int(someone.page.locator("#countdown").inner_text()) > 0
        # The partner's photo is served from the API host and really loads (both the uploaded
        # one and the avatar the page generated for Bob).
        photo = someone.page.locator("#partner-photo")
        expect(photo).to_have_attribute("src", re.compile(r"^http://127\.0\.0\.1:\d+/media/"))
        someone.page.wait_for_function("() => document.getElementById('partner-photo').naturalWidth > 0")
    shots(alice.page, "offer-with-countdown")
    shots(bob.page, "offer-with-countdown")

    alice.page.locator("#accept").click()
    expect(alice.page.locator("#match-status")).to_contain_text("waiting for the partner")
    bob.page.locator("#accept").click()

    # Both start the call: POST /api/call/start/, camera, /ws/call/<id>/, offer/answer, ICE.
    for someone in (alice, bob):
        expect(someone.page.locator("#call-panel")).to_be_visible()
        expect(someone.page.locator("#call-socket")).to_have_text("open")
    wait_connected(alice)
    wait_connected(bob)
    expect(alice.page.locator("#call-connection")).to_have_text("connected")
    expect(bob.page.locator("#call-connection")).to_have_text("connected")

    # Media flows both ways: what each side received keeps growing, audio and video alike.
    first = {someone.page.person: someone.received() for someone in (alice, bob)}
    time.sleep(2)
    for someone in (alice, bob):
        later = someone.received()
        before = first[someone.page.person]
        assert later["bytes"] > before["bytes"] > 0, (someone.page.person, before, later)
        assert later["packets"] > before["packets"] > 0, (someone.page.person, before, later)
        assert later["audio"] > 0 and later["video"] > 0, (someone.page.person, later)
    shots(alice.page, "in-call")
    shots(bob.page, "in-call")
    # The filtered match was charged once it was matched: 10 - 5.
    expect(alice.page.locator("#gem-balance")).to_have_text("5")

    # Alice hangs up; Bob's page learns it from the call socket.
    alice.page.locator("#hang-up").click()
    for someone in (alice, bob):
        expect(someone.page.locator("#rating-panel")).to_be_visible()
        expect(someone.page.locator("#call-panel")).to_be_hidden()
    expect(bob.page.locator("#call-signaling")).to_have_text("the partner hung up")
    shots(bob.page, "call-ended")

    for someone, score, comment in ((alice, "5", "즐거웠어요"), (bob, "4", "good talk")):
        form = someone.page.locator("#rating-form")
        form.locator("[name=rating]").select_option(score)
        form.locator("[name=comment]").fill(comment)
        form.locator("button").click()
        expect(someone.page.locator("#rating-status")).to_have_text("평가가 등록되었습니다.")
    expect(alice.page.locator("#history li").first).to_contain_text(bob_name)
    expect(alice.page.locator("#history li").first).to_contain_text("rated 5")
    expect(bob.page.locator("#history li").first).to_contain_text("rated 4")
    shots(alice.page, "rated")
    shots(bob.page, "rated")

    # Rating the same call twice is refused.
    bob.page.locator("#rating-form button").click()
    expect(bob.page.locator("#rating-status")).to_contain_text("ALREADY_RATED")
