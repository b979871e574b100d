"""The playground as the tests drive it: one object per person's page, acting through the UI only."""

import io
import uuid

from PIL import Image
from playwright.sync_api import Page, expect


def unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def photo(color: tuple[int, int, int]) -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (160, 160), color).save(buffer, format="PNG")
    return {"name": "me.png", "mimeType": "image/png", "buffer": buffer.getvalue()}


class Playground:
    def __init__(self, page: Page):
        self.page = page

    def open(self) -> "Playground":
        response = self.page.goto("/playground/")
        assert response.status == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        return self

    def sign_up(self, username: str, password: str, *, age: int, gender: str, color=None) -> None:
        """Signs up through the form; with no ``color`` no photo is chosen (the page draws an avatar)."""
        form = self.page.locator("#signup-form")
        form.locator("[name=username]").fill(username)
        form.locator("[name=password]").fill(password)
        form.locator("[name=age]").fill(str(age))
        form.locator("[name=gender]").select_option(gender)
        if color is not None:
            form.locator("[name=profile_image]").set_input_files(photo(color))
        form.locator("button").click()
        self._signed_in(username)

    def log_in(self, username: str, password: str) -> None:
        form = self.page.locator("#login-form")
        form.locator("[name=username]").fill(username)
        form.locator("[name=password]").fill(password)
        form.locator("button").click()
        self._signed_in(username)

    def _signed_in(self, username: str) -> None:
        expect(self.page.locator("#auth-error")).to_have_text("")
        expect(self.page.locator("#whoami")).to_contain_text(username)
        expect(self.page.locator("#events-status")).to_have_text("open")

    def tab(self, name: str) -> None:
        self.page.locator(f".tabs [data-tab={name}]").click()

    # --- random call --------------------------------------------------------------------------
    def save_settings(self, *, preferred_gender: str, age_min: int, age_max: int) -> None:
        form = self.page.locator("#settings-form")
        form.locator("[name=preferred_gender]").select_option(preferred_gender)
        form.locator("[name=age_min]").fill(str(age_min))
        form.locator("[name=age_max]").fill(str(age_max))
        form.locator("button").click()
        expect(self.page.locator("#settings-status")).to_have_text("매칭 조건이 저장되었습니다.")

    def charge(self, payment_token: str, *, expected_balance: int) -> None:
        self.page.locator("#charge-form [name=payment_token]").fill(payment_token)
        self.page.locator("#charge-form button").click()
        expect(self.page.locator("#gem-balance")).to_have_text(str(expected_balance))

    def peer_connection_state(self) -> str:
        return self.page.evaluate("() => window.playground.peerConnection()?.connectionState ?? null")

    def received(self) -> dict:
        """Bytes and packets the live RTCPeerConnection received so far, from getStats()."""
        return self.page.evaluate(
            """async () => {
                const pc = window.playground.peerConnection();
                const totals = {bytes: 0, packets: 0, audio: 0, video: 0};
                (await pc.getStats()).forEach((stat) => {
                    if (stat.type !== "inbound-rtp") return;
                    totals.bytes += stat.bytesReceived ?? 0;
                    totals.packets += stat.packetsReceived ?? 0;
                    totals[stat.kind] += stat.packetsReceived ?? 0;
                });
                return totals;
            }"""
        )

    # --- chat ------------------------------------------------------------------------------------
    def open_room(self, room_id: str) -> str:
        self.tab("chat")
        self.page.locator(f"#rooms button[data-room-id='{room_id}']").click()
        expect(self.page.locator("#chat-socket")).to_have_text("open")
        expect(self.page.locator("#my-display-name")).not_to_be_empty()
        return self.page.locator("#my-display-name").inner_text()

    def message(self, text: str):
        return self.page.locator("#messages .message", has_text=text)
