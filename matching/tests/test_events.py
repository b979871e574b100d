"""Match events on ``/ws/events/`` with real WebSocket clients (over Redis when REDIS_URL is set)."""

import pytest
from asgiref.sync import sync_to_async

from config.testing import UserFactory, access_token_for, auth_client_for, ws_connect, ws_receive_json

EVENTS = "/ws/events/"
RANDOM = "/api/match/random/"
DECISION = "/api/match/decision/"

pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def make_user(**kwargs):
    user = UserFactory(**kwargs)
    return user, access_token_for(user)


@sync_to_async
def get(user, url):
    response = auth_client_for(user).get(url)
    return response.status_code, response.json()


@sync_to_async
def post(user, url, body=None):
    response = auth_client_for(user).post(url, body or {}, format="json")
    return response.status_code, response.json()


async def connect(token):
    socket, connected = await ws_connect(EVENTS, token)
    assert connected
    return socket


async def test_match_found_and_matched_reach_the_two_participants_only():
    alice, alice_token = await make_user(username="alice", gender="female", age=27)
    bob, bob_token = await make_user(username="bob", gender="male", age=29)
    carol, carol_token = await make_user(username="carol", gender="female", age=30)
    alice_socket, bob_socket, carol_socket = [await connect(token) for token in (alice_token, bob_token, carol_token)]

    status, body = await get(bob, RANDOM)
    assert (status, body["status"]) == (200, "waiting")
    assert await bob_socket.receive_nothing(0.2)

    status, alice_view = await get(alice, RANDOM)
    assert (status, alice_view["status"]) == (200, "pending")
    match_id = alice_view["match_id"]

    found_by_bob = await ws_receive_json(bob_socket)
    assert found_by_bob["type"] == "match.found"
    assert found_by_bob["timestamp"].endswith("Z")
    assert found_by_bob["data"] == {
        "match_id": match_id,
        "matched_user": {
            "user_id": str(alice.public_id),
            "username": "alice",
            "age": 27,
            "gender": "female",
            "profile_image": None,
            "rating": None,
        },
        "show_time_sec": 10,
        "status": "pending",
        "expires_at": alice_view["expires_at"],
    }
    found_by_alice = await ws_receive_json(alice_socket)
    assert found_by_alice["type"] == "match.found" and found_by_alice["data"] == alice_view
    assert alice_view["matched_user"]["user_id"] == str(bob.public_id)
    # What bob's next poll returns is what his event said.
    assert (await get(bob, RANDOM))[1] == found_by_bob["data"]
    assert await carol_socket.receive_nothing(0.2)

    assert await post(alice, DECISION, {"match_id": match_id, "decision": "accept"}) == (200, {"status": "waiting"})
    assert await alice_socket.receive_nothing(0.2) and await bob_socket.receive_nothing(0.1)

    assert await post(bob, DECISION, {"match_id": match_id, "decision": "accept"}) == (200, {"status": "matched"})
    matched_for_alice = await ws_receive_json(alice_socket)
    matched_for_bob = await ws_receive_json(bob_socket)
    assert (matched_for_alice["type"], matched_for_alice["data"]) == (
        "match.matched",
        {"match_id": match_id, "status": "matched", "matched_user_id": str(bob.public_id)},
    )
    assert (matched_for_bob["type"], matched_for_bob["data"]) == (
        "match.matched",
        {"match_id": match_id, "status": "matched", "matched_user_id": str(alice.public_id)},
    )
    assert await carol_socket.receive_nothing(0.2)
    for socket in (alice_socket, bob_socket, carol_socket):
        await socket.disconnect()


async def test_match_next_on_reject_goes_to_both_and_on_cancel_to_the_partner():
    alice, alice_token = await make_user()
    bob, bob_token = await make_user()
    alice_socket, bob_socket = await connect(alice_token), await connect(bob_token)

    await get(bob, RANDOM)
    match_id = (await get(alice, RANDOM))[1]["match_id"]
    for socket in (alice_socket, bob_socket):
        assert (await ws_receive_json(socket))["type"] == "match.found"
    assert await post(bob, DECISION, {"match_id": match_id, "decision": "reject"}) == (200, {"status": "next"})
    for socket in (alice_socket, bob_socket):
        event = await ws_receive_json(socket)
        assert (event["type"], event["data"]) == (
            "match.next",
            {"match_id": match_id, "status": "next", "reason": "rejected"},
        )

    carol, carol_token = await make_user()
    carol_socket = await connect(carol_token)
    second_id = (await get(carol, RANDOM))[1]["match_id"]
    partner_socket = alice_socket if (await get(alice, RANDOM))[1]["match_id"] == second_id else bob_socket
    for socket in (carol_socket, partner_socket):
        assert (await ws_receive_json(socket))["type"] == "match.found"
    assert (await post(carol, "/api/match/cancel/"))[0] == 200
    event = await ws_receive_json(partner_socket)
    assert (event["type"], event["data"]) == (
        "match.next",
        {"match_id": second_id, "status": "next", "reason": "cancelled"},
    )
    assert await carol_socket.receive_nothing(0.2)
    for socket in (alice_socket, bob_socket, carol_socket):
        await socket.disconnect()


async def test_no_event_for_a_refused_decision():
    alice, alice_token = await make_user()
    bob, bob_token = await make_user()
    alice_socket, bob_socket = await connect(alice_token), await connect(bob_token)
    await get(bob, RANDOM)
    match_id = (await get(alice, RANDOM))[1]["match_id"]
    for socket in (alice_socket, bob_socket):
        await ws_receive_json(socket)
    await post(alice, DECISION, {"match_id": match_id, "decision": "reject"})
    for socket in (alice_socket, bob_socket):
        await ws_receive_json(socket)
    status, body = await post(alice, DECISION, {"match_id": match_id, "decision": "accept"})
    assert (status, body["error"]["code"]) == (409, "ALREADY_DECIDED")
    assert await alice_socket.receive_nothing(0.2) and await bob_socket.receive_nothing(0.1)
    for socket in (alice_socket, bob_socket):
        await socket.disconnect()
