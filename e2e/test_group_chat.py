"""Two members of a matched (blind) room chat in two browsers: messages, typing and read receipts.

The room comes from e2e/seed.py: two verified pools, paired by the pairing job, accepted by both
creators (the same services the API calls)."""

from pages import Playground
from playwright.sync_api import expect


def test_members_chat_with_typing_and_read_receipts(person, seed, shots):
    room_id = seed["chat"]["room_id"]
    first_name, second_name = seed["chat"]["members"]
    first = Playground(person(first_name)).open()
    second = Playground(person(second_name)).open()
    first.log_in(first_name, seed["password"])
    second.log_in(second_name, seed["password"])

    me_first = first.open_room(room_id)
    me_second = second.open_room(room_id)
    assert {me_first[0], me_second[0]} == {"A", "B"}, (me_first, me_second)  # one of each group
    # The room's opening notice and the seeded message are there for both.
    for someone in (first, second):
        expect(someone.message("seeded hello")).to_be_visible()
    shots(first.page, "room-open")

    # Typing: the other side sees it live, the typist does not see themself.
    first.page.locator("#composer-text").press_sequentially("처음 뵙겠습니다", delay=60)
    expect(second.page.locator("#typing")).to_have_text(f"{me_first} is typing…")
    expect(first.page.locator("#typing")).to_have_text("")
    shots(second.page, "sees-typing")

    first.page.locator("#composer-text").press("Enter")
    sent = "처음 뵙겠습니다"
    for someone in (first, second):
        expect(someone.message(sent)).to_be_visible()
    expect(first.message(sent)).to_have_class("message mine")
    expect(second.message(sent)).to_have_class("message theirs")
    expect(second.message(sent).locator(".meta")).to_contain_text(me_first)
    expect(second.page.locator("#typing")).to_have_text("")

    # The receiver's page read it (a `read` frame); the sender sees the receipt on that message.
    expect(first.message(sent).locator(".receipts")).to_have_text(f"read by {me_second}")
    shots(first.page, "read-receipt")

    # And back the other way.
    second.page.locator("#composer-text").press_sequentially("반가워요!", delay=60)
    expect(first.page.locator("#typing")).to_have_text(f"{me_second} is typing…")
    second.page.locator("#composer button").click()
    expect(first.message("반가워요!")).to_have_class("message theirs")
    expect(second.message("반가워요!").locator(".receipts")).to_have_text(f"read by {me_first}")
    # The first message's receipt moved on to the newer one (a read position, not a per-message flag).
    expect(first.message(sent).locator(".receipts")).to_have_text("")
    shots(second.page, "reply-read")
    shots(first.page, "reply-read")

    # What the sockets delivered was stored: a fresh load of the room shows the same conversation.
    second.page.reload()
    second.log_in(second_name, seed["password"])
    second.open_room(room_id)
    expect(second.message(sent)).to_be_visible()
    expect(second.message("반가워요!")).to_have_class("message mine")
