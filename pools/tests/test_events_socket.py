"""Pools events reach members' ``/ws/events/`` sockets through the real channel layer."""

import pytest
from asgiref.sync import sync_to_async

from config.testing import access_token_for, ws_connect, ws_receive_json
from pools import services
from pools.models import Proposal
from pools.tests.factories import make_pool, member_users

EVENTS = "/ws/events/"
pytestmark = pytest.mark.django_db(transaction=True)


@sync_to_async
def waiting_pool(gender: str):
    pool = make_pool(gender=gender)
    return pool, [access_token_for(user) for user in member_users(pool)]


async def test_members_hear_of_the_proposal_and_of_the_match():
    men, men_tokens = await waiting_pool("male")
    women, women_tokens = await waiting_pool("female")
    sockets = [(await ws_connect(EVENTS, token))[0] for token in (*men_tokens, *women_tokens)]
    outsider, outsider_token = await waiting_pool("male")
    outsider_socket, _ = await ws_connect(EVENTS, outsider_token[0])

    await sync_to_async(services.pool_pairing_run)()
    proposal = await sync_to_async(Proposal.objects.get)(pool_a=men)

    received = [await ws_receive_json(socket) for socket in sockets]
    assert [frame["type"] for frame in received] == ["proposal.received"] * 4
    assert {frame["data"]["my_pool"]["pool_id"] for frame in received[:2]} == {str(men.pk)}
    assert {frame["data"]["my_pool"]["pool_id"] for frame in received[2:]} == {str(women.pk)}
    assert {frame["data"]["proposal_id"] for frame in received} == {str(proposal.pk)}

    await sync_to_async(services.proposal_accept)(user=men.creator, proposal_id=proposal.pk)
    await sync_to_async(services.proposal_accept)(user=women.creator, proposal_id=proposal.pk)

    matched = [await ws_receive_json(socket) for socket in sockets]
    assert [frame["type"] for frame in matched] == ["proposal.matched"] * 4
    assert {frame["data"]["chat_room"]["members_count"] for frame in matched} == {4}
    # The pool left waiting alone heard nothing.
    assert await outsider_socket.receive_nothing(0.2)
    for socket in (*sockets, outsider_socket):
        await socket.disconnect()
