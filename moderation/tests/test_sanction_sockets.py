"""Sanctions bite at once on live sockets: the user hears why, then every socket closes."""

import time

import pytest
from asgiref.sync import sync_to_async

from calls.tests.factories import CallSessionFactory
from config.testing import (
    UserFactory,
    access_token_for,
    auth_client_for,
    ws_connect,
    ws_receive_close_code,
    ws_receive_json,
)
from moderation.tests.factories import room_together, user_report

EVENTS = "/ws/events/"
pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def reported_user_with_report():
    reported = UserFactory(username="offender", gender="female")
    reporter = UserFactory(username="victim")
    report = user_report(reporter=reporter, reported=reported)
    staff = UserFactory(username="staff_member", is_staff=True)
    return reported, access_token_for(reported), report, staff


@sync_to_async
def resolve(staff, report, action: str):
    return auth_client_for(staff).post(
        f"/api/v1/admin/reports/{report.id}/resolve", {"action": action, "note": ""}, format="json"
    )


@sync_to_async
def profile_status(user) -> tuple[int, str | None]:
    response = auth_client_for(user).get("/api/user/profile/")
    return response.status_code, response.json().get("error", {}).get("code")


@sync_to_async
def until_of(user) -> str:
    user.refresh_from_db()
    return user.suspended_until.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize(("action", "code"), [("suspend", "ACCOUNT_SUSPENDED"), ("ban", "ACCOUNT_BANNED")])
async def test_sanction_closes_the_live_events_socket_within_a_second(action, code):
    reported, token, report, staff = await reported_user_with_report()
    socket, connected = await ws_connect(EVENTS, token)
    assert connected

    response = await resolve(staff, report, action)
    assert response.status_code == 200
    committed_at = time.monotonic()

    event = await ws_receive_json(socket, timeout=1)
    assert event["type"] == "account.suspended"
    expected_until = await until_of(reported) if action == "suspend" else None
    assert event["data"] == {"banned": action == "ban", "until": expected_until}
    assert await ws_receive_close_code(socket, timeout=1) == 4403
    assert time.monotonic() - committed_at < 1
    await socket.disconnect()

    # Reconnecting is refused, and so is the next HTTP request.
    again, _ = await ws_connect(EVENTS, token)
    assert (await ws_receive_json(again))["code"] == code
    assert await ws_receive_close_code(again) == 4403
    await again.disconnect()
    assert await profile_status(reported) == (403, code)


async def test_suspension_closes_chat_sockets_too():
    reported, token, report, staff = await reported_user_with_report()
    room_id = await sync_to_async(room_together)(report.reporter, reported)
    chat, connected = await ws_connect(f"/ws/matching/chats/{room_id}", token)
    assert connected

    assert (await resolve(staff, report, "suspend")).status_code == 200

    assert await ws_receive_close_code(chat, timeout=1) == 4403
    await chat.disconnect()


async def test_suspension_closes_call_sockets_too():
    reported, token, report, staff = await reported_user_with_report()
    call = await sync_to_async(CallSessionFactory)(match__user_a=report.reporter, match__user_b=reported)
    signaling, connected = await ws_connect(f"/ws/call/{call.session_id}/", token)
    assert connected

    assert (await resolve(staff, report, "ban")).status_code == 200

    assert await ws_receive_close_code(signaling, timeout=1) == 4403
    await signaling.disconnect()


async def test_warning_is_announced_and_the_socket_stays_open():
    reported, token, report, staff = await reported_user_with_report()
    socket, connected = await ws_connect(EVENTS, token)
    assert connected

    assert (await resolve(staff, report, "warn")).status_code == 200

    event = await ws_receive_json(socket, timeout=1)
    assert event["type"] == "moderation.warned"
    assert event["data"]["warning_count"] == 1
    assert set(event["data"]) == {"warning_count", "warned_at"}
    await socket.send_json_to({"type": "ping"})
    assert await ws_receive_json(socket) == {"type": "pong"}
    assert await profile_status(reported) == (200, None)
    await socket.disconnect()


async def test_dismissal_sends_nothing():
    reported, token, report, staff = await reported_user_with_report()
    socket, connected = await ws_connect(EVENTS, token)
    assert connected

    assert (await resolve(staff, report, "dismiss")).status_code == 200

    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()
