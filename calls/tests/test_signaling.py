import asyncio
import json
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.utils import timezone

from calls.consumers import CallSignalingConsumer
from calls.models import CallSession
from calls.services import call_end
from calls.tests.factories import CallSessionFactory, ended_call
from config.testing import UserFactory, access_token_for, ws_connect, ws_receive_close_code, ws_receive_json

pytestmark = pytest.mark.django_db(transaction=True)

OFFER_SDP = "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
ANSWER_SDP = "v=0\r\no=- 1234567890 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
CANDIDATE = {
    "candidate": "candidate:842163049 1 udp 1677729535 127.0.0.1 46154 typ host generation 0",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
    "usernameFragment": "EsYz",
}


@pytest.fixture
def call():
    return CallSessionFactory()


@pytest.fixture
def tokens(call):
    return {"caller": access_token_for(call.caller), "callee": access_token_for(call.callee)}


def call_path(call) -> str:
    return f"/ws/call/{call.session_id}/"


async def join_both(call, tokens):
    """Connects the caller, then the callee, and reads the two ``peer.joined`` frames."""
    caller, connected = await ws_connect(call_path(call), tokens["caller"])
    assert connected
    callee, connected = await ws_connect(call_path(call), tokens["callee"])
    assert connected
    assert await ws_receive_json(caller) == {"type": "peer.joined", "user_id": str(call.callee.public_id), "should_offer": True}
    assert await ws_receive_json(callee) == {"type": "peer.joined", "user_id": str(call.caller.public_id), "should_offer": False}
    return caller, callee


async def test_offer_answer_and_ice_flow_between_the_two_participants_only(call, tokens):
    caller, callee = await join_both(call, tokens)
    caller_id, callee_id = str(call.caller.public_id), str(call.callee.public_id)

    await caller.send_json_to({"type": "offer", "sdp": OFFER_SDP})
    assert await ws_receive_json(callee) == {"type": "offer", "sdp": OFFER_SDP, "from": caller_id}

    await callee.send_json_to({"type": "answer", "sdp": ANSWER_SDP})
    assert await ws_receive_json(caller) == {"type": "answer", "sdp": ANSWER_SDP, "from": callee_id}

    await caller.send_json_to({"type": "ice_candidate", "candidate": CANDIDATE})
    assert await ws_receive_json(callee) == {"type": "ice_candidate", "candidate": CANDIDATE, "from": caller_id}
    end_of_candidates = {"candidate": "", "sdpMid": None, "sdpMLineIndex": None}
    await callee.send_json_to({"type": "ice_candidate", "candidate": CANDIDATE})
    await callee.send_json_to({"type": "ice_candidate", "candidate": end_of_candidates})
    assert await ws_receive_json(caller) == {"type": "ice_candidate", "candidate": CANDIDATE, "from": callee_id}
    assert await ws_receive_json(caller) == {"type": "ice_candidate", "candidate": end_of_candidates, "from": callee_id}

    await callee.send_json_to({"type": "hangup"})
    assert await ws_receive_json(caller) == {"type": "hangup", "from": callee_id}

    # Nothing was ever echoed to its sender.
    assert await caller.receive_nothing(0.3)
    assert await callee.receive_nothing(0.1)
    await caller.disconnect()
    await callee.disconnect()


@pytest.mark.redis
async def test_the_exchange_runs_over_the_real_redis_channel_layer(call, tokens):
    assert isinstance(get_channel_layer(), RedisChannelLayer)
    caller, callee = await join_both(call, tokens)

    await caller.send_json_to({"type": "offer", "sdp": OFFER_SDP})
    assert await ws_receive_json(callee) == {"type": "offer", "sdp": OFFER_SDP, "from": str(call.caller.public_id)}
    await callee.send_json_to({"type": "answer", "sdp": ANSWER_SDP})
    assert await ws_receive_json(caller) == {"type": "answer", "sdp": ANSWER_SDP, "from": str(call.callee.public_id)}
    assert await caller.receive_nothing(0.2)
    await caller.disconnect()
    await callee.disconnect()


async def test_an_offer_sent_while_the_peer_s_handshake_completes_reaches_it(call, tokens, monkeypatch):
    """The call's group is joined before the socket is accepted, so nothing falls in between."""
    caller, connected = await ws_connect(call_path(call), tokens["caller"])
    assert connected
    original_accept = CallSignalingConsumer.accept

    async def accept_while_the_caller_offers(consumer, *args, **kwargs):
        await caller.send_json_to({"type": "offer", "sdp": OFFER_SDP})
        # Frames are handled in order: the pong means the offer has gone to the call's group.
        await caller.send_json_to({"type": "ping"})
        assert await ws_receive_json(caller) == {"type": "pong"}
        await original_accept(consumer, *args, **kwargs)

    monkeypatch.setattr(CallSignalingConsumer, "accept", accept_while_the_caller_offers)
    callee, connected = await ws_connect(call_path(call), tokens["callee"])
    assert connected

    assert await ws_receive_json(callee) == {"type": "offer", "sdp": OFFER_SDP, "from": str(call.caller.public_id)}
    assert await ws_receive_json(callee) == {"type": "peer.joined", "user_id": str(call.caller.public_id), "should_offer": False}
    await caller.disconnect()
    await callee.disconnect()


async def test_relayed_frames_are_rebuilt_from_validated_fields(call, tokens):
    caller, callee = await join_both(call, tokens)

    await caller.send_json_to({"type": "ice_candidate", "candidate": {"candidate": "candidate:1 1 udp 1 10.0.0.1 9 typ host"}})

    assert await ws_receive_json(callee) == {
        "type": "ice_candidate",
        "candidate": {"candidate": "candidate:1 1 udp 1 10.0.0.1 9 typ host"},
        "from": str(call.caller.public_id),
    }
    await caller.disconnect()
    await callee.disconnect()


async def test_the_peer_learns_when_the_other_side_leaves_and_comes_back(call, tokens):
    caller, callee = await join_both(call, tokens)

    await callee.disconnect()
    assert await ws_receive_json(caller) == {"type": "peer.left", "user_id": str(call.callee.public_id)}

    callee, _ = await ws_connect(call_path(call), tokens["callee"])
    assert await ws_receive_json(caller) == {"type": "peer.joined", "user_id": str(call.callee.public_id), "should_offer": True}
    assert await ws_receive_json(callee) == {"type": "peer.joined", "user_id": str(call.caller.public_id), "should_offer": False}
    assert await caller.receive_nothing(0.2)
    await caller.disconnect()
    await callee.disconnect()


async def test_both_connecting_at_the_same_instant_each_hear_of_the_other_once(call, tokens):
    (caller, _), (callee, _) = await asyncio.gather(
        ws_connect(call_path(call), tokens["caller"]), ws_connect(call_path(call), tokens["callee"])
    )

    assert await ws_receive_json(caller) == {"type": "peer.joined", "user_id": str(call.callee.public_id), "should_offer": True}
    assert await ws_receive_json(callee) == {"type": "peer.joined", "user_id": str(call.caller.public_id), "should_offer": False}
    assert await caller.receive_nothing(0.3)
    assert await callee.receive_nothing(0.1)
    await caller.disconnect()
    await callee.disconnect()


async def test_a_lone_participant_hears_nothing_until_the_peer_arrives(call, tokens):
    callee, connected = await ws_connect(call_path(call), tokens["callee"])
    assert connected
    assert await callee.receive_nothing(0.3)

    await callee.send_json_to({"type": "offer", "sdp": OFFER_SDP})
    assert await callee.receive_nothing(0.2)
    await callee.disconnect()


async def test_a_third_user_is_refused_with_4403(call):
    stranger_token = await database_sync_to_async(lambda: access_token_for(UserFactory()))()

    stranger, _ = await ws_connect(call_path(call), stranger_token)

    assert await ws_receive_json(stranger) == {"type": "error", "code": "FORBIDDEN", "message": "권한 없음"}
    assert await ws_receive_close_code(stranger) == 4403
    await stranger.disconnect()


@pytest.mark.parametrize("token", [None, "", "not-a-jwt", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"])
async def test_a_missing_or_bad_token_is_refused_with_4401(call, token):
    socket, _ = await ws_connect(call_path(call), token)

    assert await ws_receive_close_code(socket) == 4401
    await socket.disconnect()


@pytest.mark.parametrize("session", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
async def test_an_unknown_or_garbled_call_session_is_refused_with_4403(tokens, session):
    socket, _ = await ws_connect(f"/ws/call/{session}/", tokens["caller"])

    assert await ws_receive_close_code(socket) == 4403
    await socket.disconnect()


async def test_an_ended_call_refuses_new_connections(db):
    call = await database_sync_to_async(ended_call)()
    token = await database_sync_to_async(access_token_for)(call.callee)

    socket, _ = await ws_connect(call_path(call), token)

    error = await ws_receive_json(socket)
    assert (error["type"], error["code"]) == ("error", "CALL_ALREADY_ENDED")
    assert await ws_receive_close_code(socket) == 4403
    await socket.disconnect()


MALFORMED_FRAMES = [
    "not json",
    "[1, 2]",
    json.dumps({"sdp": OFFER_SDP}),
    json.dumps({"type": "video_frame"}),
    json.dumps({"type": "call.relay", "sender": "x", "frame": {}}),
    json.dumps({"type": "offer"}),
    json.dumps({"type": "offer", "sdp": ""}),
    json.dumps({"type": "offer", "sdp": 42}),
    json.dumps({"type": "answer", "sdp": ["v=0"]}),
    json.dumps({"type": "ice_candidate"}),
    json.dumps({"type": "ice_candidate", "candidate": "candidate:1 1 udp 1 10.0.0.1 9 typ host"}),
    json.dumps({"type": "ice_candidate", "candidate": {"sdpMid": "0"}}),
    json.dumps({"type": "ice_candidate", "candidate": {**CANDIDATE, "sdpMLineIndex": "0"}}),
    json.dumps({"type": "ice_candidate", "candidate": {**CANDIDATE, "sdpMLineIndex": True}}),
    json.dumps({"type": "ice_candidate", "candidate": {**CANDIDATE, "sdpMLineIndex": -1}}),
    json.dumps({"type": "ice_candidate", "candidate": {**CANDIDATE, "sdpMid": 0}}),
    json.dumps({"type": "ice_candidate", "candidate": {**CANDIDATE, "candidate": "c" * 2049}}),
    # Extra keys are dropped, but they never stand in for a missing or mistyped known one.
    json.dumps({"type": "offer", "from": "00000000-0000-0000-0000-000000000000", "extra": 1}),
    json.dumps({"type": "ice_candidate", "candidate": {"sdpMid": "0", "extra": 1}, "from": "x"}),
]


@pytest.mark.parametrize("raw", MALFORMED_FRAMES)
async def test_malformed_frames_close_with_4400_and_reach_nobody(call, tokens, raw):
    caller, callee = await join_both(call, tokens)

    await caller.send_to(text_data=raw)

    error = await ws_receive_json(caller)
    assert (error["type"], error["code"]) == ("error", "MALFORMED_REQUEST")
    assert await ws_receive_close_code(caller) == 4400
    await caller.disconnect()
    assert await ws_receive_json(callee) == {"type": "peer.left", "user_id": str(call.caller.public_id)}
    assert await callee.receive_nothing(0.2)
    await callee.disconnect()


async def test_unknown_extra_keys_are_dropped_and_the_socket_stays_open(call, tokens):
    caller, callee = await join_both(call, tokens)
    caller_id, callee_id = str(call.caller.public_id), str(call.callee.public_id)
    spoofed = "00000000-0000-0000-0000-000000000000"

    await caller.send_json_to({"type": "offer", "sdp": OFFER_SDP, "from": spoofed, "sdpSemantics": "unified-plan"})
    assert await ws_receive_json(callee) == {"type": "offer", "sdp": OFFER_SDP, "from": caller_id}

    await callee.send_json_to({"type": "answer", "sdp": ANSWER_SDP, "from": spoofed})
    assert await ws_receive_json(caller) == {"type": "answer", "sdp": ANSWER_SDP, "from": callee_id}

    await caller.send_json_to({"type": "ice_candidate", "candidate": {**CANDIDATE, "extra": 1}, "from": spoofed, "n": 2})
    assert await ws_receive_json(callee) == {"type": "ice_candidate", "candidate": CANDIDATE, "from": caller_id}

    await callee.send_json_to({"type": "hangup", "reason": "bye"})
    assert await ws_receive_json(caller) == {"type": "hangup", "from": callee_id}

    # Neither socket was closed: both still answer a ping, and nothing else was sent.
    for socket in (caller, callee):
        await socket.send_json_to({"type": "ping"})
        assert await ws_receive_json(socket) == {"type": "pong"}
        assert await socket.receive_nothing(0.1)
    await caller.disconnect()
    await callee.disconnect()


async def test_a_frame_over_64_kib_closes_with_4400(call, tokens):
    caller, callee = await join_both(call, tokens)

    await caller.send_json_to({"type": "offer", "sdp": "a" * (64 * 1024)})

    error = await ws_receive_json(caller)
    assert error["code"] == "PAYLOAD_TOO_LARGE"
    assert await ws_receive_close_code(caller) == 4400
    await caller.disconnect()
    assert await ws_receive_json(callee) == {"type": "peer.left", "user_id": str(call.caller.public_id)}
    await callee.disconnect()


async def test_too_many_frames_close_with_4429(call, tokens, settings):
    settings.WS_FRAMES_PER_10_SECONDS = 3
    caller, callee = await join_both(call, tokens)

    for _ in range(4):
        await caller.send_json_to({"type": "ice_candidate", "candidate": CANDIDATE})

    assert await ws_receive_close_code(caller) == 4429
    await caller.disconnect()
    for _ in range(3):
        assert (await ws_receive_json(callee))["type"] == "ice_candidate"
    assert await ws_receive_json(callee) == {"type": "peer.left", "user_id": str(call.caller.public_id)}
    assert await callee.receive_nothing(0.2)
    await callee.disconnect()


async def test_ending_the_call_tells_both_sockets_and_closes_them(call, tokens):
    caller, callee = await join_both(call, tokens)

    await database_sync_to_async(call_end)(user=call.callee, call_session_id=call.session_id)

    ended = await database_sync_to_async(CallSession.objects.get)(pk=call.pk)
    expected = {
        "type": "call.ended",
        "call_session_id": str(call.session_id),
        "call_id": call.pk,
        "reason": "hangup",
        "ended_by": str(call.callee.public_id),
        "duration_seconds": ended.duration_seconds,
        "ended_at": ended.ended_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    assert await ws_receive_json(caller) == expected
    assert await ws_receive_close_code(caller) == 1000
    assert await ws_receive_json(callee) == expected
    assert await ws_receive_close_code(callee) == 1000
    await caller.disconnect()
    await callee.disconnect()


async def test_a_suspended_participant_is_refused(call, tokens):
    await database_sync_to_async(
        lambda: type(call.callee).objects.filter(pk=call.callee.pk).update(suspended_until=timezone.now() + timedelta(days=1))
    )()

    socket, _ = await ws_connect(call_path(call), tokens["callee"])

    assert (await ws_receive_json(socket))["code"] == "ACCOUNT_SUSPENDED"
    assert await ws_receive_close_code(socket) == 4403
    await socket.disconnect()
