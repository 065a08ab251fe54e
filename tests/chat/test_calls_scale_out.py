"""A call between sockets on two server processes: the ring, the answer and the relayed
offer, answer and candidates cross processes through Redis (the relays go to one socket's
channel, not to a group), and the hang-up reaches the other process."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from bench.server import login, widget_session
from chat.models import Call
from tests.factories import make_agent
from tests.procs import production_server, server_env
from tests.sockets import next_frame, of_type, open_agent, open_shopper

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
CANDIDATE = {
    "candidate": "candidate:1 1 udp 2122260223 10.0.0.2 50000 typ host",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
    "usernameFragment": "u1",
}


@pytest.fixture
def two_servers(transactional_db: None) -> Iterator[tuple[str, str]]:
    # Stopped before pytest-django's flush (tests/test_scale_out.py says why).
    from django.db import connection

    env = server_env(connection.settings_dict["NAME"])
    with production_server(env) as first, production_server(env) as second:
        yield first, second


def test_a_call_across_two_processes(two_servers: tuple[str, str]) -> None:
    first, second = two_servers
    agent = make_agent("caller")
    session = login(second, agent.username, "pw-caller")
    token = widget_session(first)

    async def scenario() -> int:
        shopper = await open_shopper(first, token)
        desk = await open_agent(second, session)
        try:
            await shopper.send(
                json.dumps({"type": "message.send", "client_id": "s-1", "body": "call me?"})
            )
            ack = await next_frame(shopper, of_type("message.ack"))
            conversation = ack["message"]["conversation"]
            await desk.send(
                json.dumps({"type": "call.invite", "conversation": conversation, "media": "audio"})
            )
            invited = await next_frame(desk, of_type("call.invited"))
            call_id = invited["call"]["id"]
            ring = await next_frame(shopper, of_type("call.ring"))
            assert ring["call"]["id"] == call_id
            await shopper.send(json.dumps({"type": "call.accept", "call": call_id}))
            await next_frame(desk, of_type("call.accepted"))
            await desk.send(json.dumps({"type": "call.offer", "call": call_id, "sdp": OFFER}))
            assert (await next_frame(shopper, of_type("call.offer")))["sdp"] == OFFER
            await shopper.send(json.dumps({"type": "call.answer", "call": call_id, "sdp": OFFER}))
            await next_frame(desk, of_type("call.answer"))
            await shopper.send(
                json.dumps({"type": "call.candidate", "call": call_id, "candidate": CANDIDATE})
            )
            got = await next_frame(desk, of_type("call.candidate"))
            assert got["candidate"] == CANDIDATE
            await shopper.send(json.dumps({"type": "call.hangup", "call": call_id}))
            ended = await next_frame(desk, of_type("call.ended"))
            assert ended["call"]["end_reason"] == "hangup"
            return int(call_id)
        finally:
            await shopper.close()
            await desk.close()

    call_id = asyncio.run(scenario())
    call = Call.objects.get(pk=call_id)
    assert call.status == "ended" and call.answered_at is not None
