"""The WebSocket protocol through the real ASGI router on the Redis channel layer."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User

from chat import services
from chat.access import Actor
from chat.models import Message
from helpdesk.asgi import application
from tests.factories import make_agent, make_visitor
from tests.sockets import ORIGIN, agent_socket, receive_type, visitor_socket

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_auto_assign(settings: Any) -> None:
    # Transport tests: an agent's socket connecting must not pull queued conversations to
    # itself (routing, tested in tests/chat/queue/, would add frames and a "joined" line).
    settings.HELPDESK = {**settings.HELPDESK, "AUTO_ASSIGN": False}


@pytest.fixture
def visitor_and_token():
    def make():
        visitor = make_visitor()
        return visitor, services.visitor_token_make(visitor)

    return make


async def test_shopper_agent_fan_out(visitor_and_token) -> None:
    visitor, token = await sync_to_async(visitor_and_token)()
    agent = await sync_to_async(make_agent)("ana")
    shopper = await visitor_socket(token)
    desk = await agent_socket(agent)
    try:
        await shopper.send_json_to({"type": "message.send", "client_id": "c-1", "body": "Hi"})
        ack = await receive_type(shopper, "message.ack")
        assert ack["client_id"] == "c-1" and ack["message"]["seq"] == 1
        conversation_id = ack["message"]["conversation"]
        created = await receive_type(desk, "conversation.created")
        assert created["conversation"]["id"] == conversation_id
        # The agent opens the conversation: resume from 0 subscribes and replays.
        await desk.send_json_to({"type": "resume", "conversation": conversation_id, "after_seq": 0})
        replay = await receive_type(desk, "message.created")
        assert replay["message"]["body"] == "Hi"
        done = await receive_type(desk, "resume.done")
        assert done["last_seq"] == 1
        # Live: shopper -> agent
        await shopper.send_json_to(
            {"type": "message.send", "client_id": "c-2", "body": "Still there?"}
        )
        live = await receive_type(desk, "message.created")
        assert live["message"]["body"] == "Still there?" and live["message"]["seq"] == 2
        # agent -> shopper, with the agent's name
        await desk.send_json_to(
            {
                "type": "message.send",
                "client_id": "a-1",
                "body": "Yes!",
                "conversation": conversation_id,
            }
        )
        await receive_type(desk, "message.ack")
        reply = await receive_type(shopper, "message.created")
        assert reply["message"]["body"] == "Yes!"
        assert reply["message"]["sender"] == {"kind": "agent", "name": "Ana", "id": agent.pk}
    finally:
        await shopper.disconnect()
        await desk.disconnect()


async def test_sender_gets_ack_not_a_copy(visitor_and_token) -> None:
    _, token = await sync_to_async(visitor_and_token)()
    shopper = await visitor_socket(token)
    try:
        await shopper.send_json_to({"type": "message.send", "client_id": "c-1", "body": "Hi"})
        await receive_type(shopper, "message.ack")
        # The conversation.created for this tab may arrive; no message.created copy may.
        frames = []
        while not await shopper.receive_nothing(timeout=0.5):
            frames.append(await shopper.receive_json_from())
        assert all(f["type"] != "message.created" for f in frames), frames
    finally:
        await shopper.disconnect()


async def test_private_note_never_reaches_shopper(visitor_and_token) -> None:
    visitor, token = await sync_to_async(visitor_and_token)()
    agent = await sync_to_async(make_agent)()
    first = await sync_to_async(services.message_send)(
        actor=Actor(visitor=visitor), client_id="c-0", body="hi"
    )
    conversation_id = first[0].conversation_id
    shopper = await visitor_socket(token)
    desk = await agent_socket(agent)
    try:
        await desk.send_json_to(
            {
                "type": "message.send",
                "client_id": "n-1",
                "body": "internal: refund approved",
                "conversation": conversation_id,
                "private": True,
            }
        )
        ack = await receive_type(desk, "message.ack")
        assert ack["message"]["private"] is True
        # Nothing at all reaches the shopper for a note (not even a list update).
        assert await shopper.receive_nothing(timeout=1.0)
        # And a resume skips it.
        await shopper.send_json_to(
            {"type": "resume", "conversation": conversation_id, "after_seq": 0}
        )
        seen = []
        while True:
            frame = await shopper.receive_json_from(timeout=5)
            if frame["type"] == "resume.done":
                break
            if frame["type"] == "message.created":
                seen.append(frame["message"]["body"])
        assert seen == ["hi"]
    finally:
        await shopper.disconnect()
        await desk.disconnect()


async def test_resume_after_gap_replays_in_order(visitor_and_token) -> None:
    visitor, token = await sync_to_async(visitor_and_token)()
    agent = await sync_to_async(make_agent)()

    def seed() -> int:
        message, _ = services.message_send(actor=Actor(visitor=visitor), client_id="c-0", body="m1")
        for i in range(2, 8):
            services.message_send(
                actor=Actor(user=agent),
                client_id=f"a-{i}",
                body=f"m{i}",
                conversation_id=message.conversation_id,
            )
        return message.conversation_id

    conversation_id = await sync_to_async(seed)()
    shopper = await visitor_socket(token)
    try:
        await shopper.send_json_to(
            {"type": "resume", "conversation": conversation_id, "after_seq": 3}
        )
        seqs = []
        while True:
            frame = await shopper.receive_json_from(timeout=5)
            if frame["type"] == "resume.done":
                break
            if frame["type"] == "message.created":
                seqs.append(frame["message"]["seq"])
        stored = await sync_to_async(
            lambda: list(
                Message.objects.filter(conversation_id=conversation_id, private=False, seq__gt=3)
                .order_by("seq")
                .values_list("seq", flat=True)
            )
        )()
        assert seqs == stored == [4, 5, 6, 7]
        assert frame["last_seq"] >= seqs[-1]
    finally:
        await shopper.disconnect()


@pytest.mark.parametrize(
    "raw,code",
    [
        ("not json", "bad_request"),
        ("[1,2]", "bad_request"),
        ('{"type": "nope"}', "bad_request"),
        ('{"type": "message.send", "client_id": 5, "body": "x"}', "bad_request"),
        ('{"type": "message.send", "client_id": "a", "body": ""}', "bad_request"),
        ('{"type": "message.send", "client_id": "a", "body": "x", "private": true}', "forbidden"),
        ('{"type": "resume", "conversation": 999999, "after_seq": 0}', "not_found"),
        ('{"type": "resume", "conversation": "x", "after_seq": 0}', "not_found"),
        ('{"type": "read", "conversation": 1, "seq": -1}', "bad_request"),
        ('{"type": "typing", "conversation": 999999, "on": true}', "not_found"),
        ("x" * (64 * 1024 + 1), "too_large"),
    ],
)
async def test_hostile_frames_get_error_and_socket_stays_open(visitor_and_token, raw, code) -> None:
    _, token = await sync_to_async(visitor_and_token)()
    shopper = await visitor_socket(token)
    try:
        await shopper.send_to(text_data=raw)
        error = await shopper.receive_json_from(timeout=5)
        assert error["type"] == "error" and error["code"] == code, error
        await shopper.send_json_to({"type": "ping"})
        assert (await shopper.receive_json_from(timeout=5))["type"] == "pong"
    finally:
        await shopper.disconnect()


async def test_binary_frame_is_refused_politely(visitor_and_token) -> None:
    _, token = await sync_to_async(visitor_and_token)()
    shopper = await visitor_socket(token)
    try:
        await shopper.send_to(bytes_data=b"\x00\x01")
        error = await shopper.receive_json_from(timeout=5)
        assert error["code"] == "bad_request"
    finally:
        await shopper.disconnect()


async def test_other_shoppers_conversation_is_not_found(visitor_and_token) -> None:
    victim, _ = await sync_to_async(visitor_and_token)()
    _, attacker_token = await sync_to_async(visitor_and_token)()
    msg, _ = await sync_to_async(services.message_send)(
        actor=Actor(visitor=victim), client_id="c", body="secret address"
    )
    attacker = await visitor_socket(attacker_token)
    try:
        for frame in (
            {"type": "resume", "conversation": msg.conversation_id, "after_seq": 0},
            {
                "type": "message.send",
                "client_id": "x",
                "body": "hi",
                "conversation": msg.conversation_id,
            },
            {"type": "typing", "conversation": msg.conversation_id, "on": True},
        ):
            await attacker.send_json_to(frame)
            error = await receive_type(attacker, "error")
            assert error["code"] == "not_found"
    finally:
        await attacker.disconnect()


async def test_rate_limit(visitor_and_token, settings) -> None:
    settings.HELPDESK = {**settings.HELPDESK, "RATE_PER_SECOND": 1, "RATE_BURST": 3}
    _, token = await sync_to_async(visitor_and_token)()
    shopper = await visitor_socket(token)
    try:
        for _ in range(6):
            await shopper.send_to(text_data=json.dumps({"type": "ping"}))
        kinds = [(await shopper.receive_json_from(timeout=5)) for _ in range(6)]
        assert sum(1 for f in kinds if f.get("code") == "rate_limited") == 4
        # The auth frame took one token of the burst of 3.
        assert sum(1 for f in kinds if f["type"] == "pong") == 2
        # A refused message names its client_id, so the client resends just that one.
        await shopper.send_json_to({"type": "message.send", "client_id": "c-over", "body": "x"})
        refused = await shopper.receive_json_from(timeout=5)
        assert refused["code"] == "rate_limited" and refused["client_id"] == "c-over"
    finally:
        await shopper.disconnect()


async def test_bad_token_closes_4401() -> None:
    comm = WebsocketCommunicator(application, "/ws/visitor/", headers=[ORIGIN])
    connected, _ = await comm.connect()
    assert connected
    await comm.send_json_to({"type": "auth", "token": "forged"})
    out = await comm.receive_output(timeout=5)
    assert out == {"type": "websocket.close", "code": 4401}


async def test_first_frame_must_be_auth() -> None:
    comm = WebsocketCommunicator(application, "/ws/visitor/", headers=[ORIGIN])
    await comm.connect()
    await comm.send_json_to({"type": "ping"})
    out = await comm.receive_output(timeout=5)
    assert out == {"type": "websocket.close", "code": 4401}


async def test_agent_socket_needs_login_and_agent_group() -> None:
    comm = WebsocketCommunicator(application, "/ws/agent/", headers=[ORIGIN])
    await comm.connect()
    assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": 4401}

    plain = await sync_to_async(User.objects.create_user)("plain", password="x")
    from django.test import Client

    client = Client()
    await sync_to_async(client.force_login)(plain)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    comm = WebsocketCommunicator(application, "/ws/agent/", headers=[ORIGIN, (b"cookie", cookie)])
    await comm.connect()
    assert await comm.receive_output(timeout=5) == {"type": "websocket.close", "code": 4403}


async def test_foreign_origin_is_refused(visitor_and_token) -> None:
    comm = WebsocketCommunicator(
        application, "/ws/visitor/", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _ = await comm.connect()
    assert not connected


async def test_typing_and_read_receipts(visitor_and_token) -> None:
    visitor, token = await sync_to_async(visitor_and_token)()
    agent = await sync_to_async(make_agent)("bo")
    msg, _ = await sync_to_async(services.message_send)(
        actor=Actor(visitor=visitor), client_id="c", body="hello"
    )
    cid = msg.conversation_id
    shopper = await visitor_socket(token)
    desk = await agent_socket(agent)
    try:
        await desk.send_json_to({"type": "resume", "conversation": cid, "after_seq": 0})
        await receive_type(desk, "resume.done")
        # The agent's workspace received seq 1: the shopper sees "delivered".
        receipt = await receive_type(shopper, "receipt")
        assert receipt["reader"] == "agent" and receipt["delivered_seq"] == 1
        await desk.send_json_to({"type": "typing", "conversation": cid, "on": True})
        typing = await receive_type(shopper, "typing")
        assert typing["on"] is True and typing["sender"]["kind"] == "agent"
        await desk.send_json_to({"type": "read", "conversation": cid, "seq": 1})
        receipt = await receive_type(shopper, "receipt")
        assert receipt["read_seq"] == 1
        # A read cursor never moves back.
        await desk.send_json_to({"type": "read", "conversation": cid, "seq": 0})
        assert await shopper.receive_nothing(timeout=0.5)
    finally:
        await shopper.disconnect()
        await desk.disconnect()


async def test_a_receipt_goes_to_the_other_side_only(visitor_and_token) -> None:
    """An agent's delivered receipt reaches the shopper, not the agents watching; a shopper's
    read receipt reaches the agents, not the shopper's own sockets."""
    visitor, token = await sync_to_async(visitor_and_token)()
    first, second = [await sync_to_async(make_agent)(name) for name in ("cy", "dee")]
    msg, _ = await sync_to_async(services.message_send)(
        actor=Actor(visitor=visitor), client_id="c", body="hello"
    )
    cid = msg.conversation_id
    shopper = await visitor_socket(token)
    watcher = await agent_socket(second)
    desk = await agent_socket(first)
    try:
        await watcher.send_json_to({"type": "subscribe", "conversation": cid})
        await asyncio.sleep(0.2)  # the subscription is live before the receipt is made
        await desk.send_json_to({"type": "resume", "conversation": cid, "after_seq": 0})
        await receive_type(desk, "resume.done")
        receipt = await receive_type(shopper, "receipt")
        assert receipt["reader"] == "agent" and receipt["delivered_seq"] == 1
        for socket in (desk, watcher):
            frames = []
            while not await socket.receive_nothing(timeout=0.5):
                frames.append(await socket.receive_json_from())
            assert all(f["type"] != "receipt" for f in frames), frames
        await desk.send_json_to(
            {"type": "message.send", "client_id": "a-1", "body": "hi", "conversation": cid}
        )
        await receive_type(shopper, "message.created")
        await shopper.send_json_to({"type": "read", "conversation": cid, "seq": 2})
        receipt = await receive_type(watcher, "receipt")
        while receipt["read_seq"] < 2:  # the shopper's delivered receipt may come first
            receipt = await receive_type(watcher, "receipt")
        assert receipt["reader"] == "visitor"
        frames = []
        while not await shopper.receive_nothing(timeout=0.5):
            frames.append(await shopper.receive_json_from())
        assert all(f["type"] != "receipt" for f in frames), frames
    finally:
        await shopper.disconnect()
        await watcher.disconnect()
        await desk.disconnect()
