"""Scale-out: two server processes (the production ASGI server) share Redis and PostgreSQL.

A shopper on one process and an agent on the other talk both ways; a shopper who was away
while the agent wrote reconnects to the *other* process and heals from PostgreSQL with
``resume``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

from bench.server import login, widget_session
from tests.factories import make_agent
from tests.procs import production_server, server_env
from tests.sockets import Frame, created, next_frame, of_type, open_agent, open_shopper

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_servers(transactional_db: None) -> Iterator[tuple[str, str]]:
    # Function-scoped on ``transactional_db``: the servers stop before pytest-django's flush,
    # whose TRUNCATE otherwise deadlocked with a server still handling the sockets' disconnects.
    from django.db import connection

    env = server_env(connection.settings_dict["NAME"])
    with production_server(env) as first, production_server(env) as second:
        yield first, second


def test_shopper_and_agent_on_different_processes_talk_and_heal(
    two_servers: tuple[str, str],
) -> None:
    first, second = two_servers
    assert first != second
    agent = make_agent("scaleout-agent")
    # The agent logs in through the login form of the second process; the session lives in
    # the shared PostgreSQL, so the agent socket on that process is authenticated by it.
    session = login(second, agent.username, "pw-scaleout-agent")
    token = widget_session(first)

    async def scenario() -> None:
        shopper = await open_shopper(first, token)
        staff = await open_agent(second, session)
        try:
            # The first message opens a conversation; the agent's list hears of it through
            # Redis although it sits on the other process.
            await shopper.send(
                json.dumps({"type": "message.send", "client_id": "s-1", "body": "first"})
            )
            ack = await next_frame(shopper, of_type("message.ack"))
            conversation = ack["message"]["conversation"]
            opened = await next_frame(
                staff,
                lambda f: (
                    f["type"] in ("conversation.created", "conversation.updated")
                    and f["conversation"]["id"] == conversation
                ),
            )
            assert opened["conversation"]["last_seq"] >= 1

            await staff.send(
                json.dumps({"type": "resume", "conversation": conversation, "after_seq": 0})
            )
            replay = await next_frame(staff, created("first"))
            assert replay["message"]["seq"] == 1
            await next_frame(staff, of_type("resume.done"))

            # Shopper (first process) -> agent (second process), live.
            await shopper.send(
                json.dumps(
                    {
                        "type": "message.send",
                        "client_id": "s-2",
                        "conversation": conversation,
                        "body": "are you there?",
                    }
                )
            )
            live = await next_frame(staff, created("are you there?"))
            assert live["message"]["sender"]["kind"] == "visitor"

            # Agent (second process) -> shopper (first process), live.
            await staff.send(
                json.dumps(
                    {
                        "type": "message.send",
                        "client_id": "a-1",
                        "conversation": conversation,
                        "body": "yes, how can I help?",
                    }
                )
            )
            await next_frame(staff, of_type("message.ack"))
            reply = await next_frame(shopper, created("yes, how can I help?"))
            assert reply["message"]["sender"]["kind"] == "agent"
            last_seen = reply["message"]["seq"]

            # The shopper goes away; the agent writes twice meanwhile.
            await shopper.close()
            for n, body in enumerate(("your order shipped", "tracking: XY123"), start=2):
                await staff.send(
                    json.dumps(
                        {
                            "type": "message.send",
                            "client_id": f"a-{n}",
                            "conversation": conversation,
                            "body": body,
                        }
                    )
                )
                await next_frame(staff, of_type("message.ack"))

            # Back on the *other* process: the missed messages come from PostgreSQL, in order.
            shopper = await open_shopper(second, token)
            await shopper.send(
                json.dumps({"type": "resume", "conversation": conversation, "after_seq": last_seen})
            )
            missed: list[Frame] = []
            while True:
                frame = await next_frame(
                    shopper, lambda f: f["type"] in ("message.created", "resume.done")
                )
                if frame["type"] == "resume.done":
                    break
                missed.append(frame["message"])
            assert [m["body"] for m in missed if m["sender"]["kind"] == "agent"] == [
                "your order shipped",
                "tracking: XY123",
            ]
            seqs = [m["seq"] for m in missed]
            assert seqs == sorted(seqs) and seqs[0] > last_seen
            assert frame["last_seq"] >= seqs[-1]

            # And the healed socket is live again across processes.
            await staff.send(
                json.dumps(
                    {
                        "type": "message.send",
                        "client_id": "a-4",
                        "conversation": conversation,
                        "body": "anything else?",
                    }
                )
            )
            await next_frame(shopper, created("anything else?"))
        finally:
            await shopper.close()
            await staff.close()

    asyncio.run(scenario())
