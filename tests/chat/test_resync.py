"""Sockets heal from what the channel layer drops (chat/layer_health.py): a failed publish
makes every socket of the process get ``resync`` once the layer answers again, and a
``ping`` is followed by a ``heartbeat`` with each watched conversation's last seq."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from chat import services
from chat.access import Actor
from chat.layer_health import health
from helpdesk.asgi import application
from tests.factories import make_visitor, visitor_token

pytestmark = [pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


async def _shopper_with_conversation() -> tuple[WebsocketCommunicator, int]:
    def setup() -> tuple[str, int]:
        visitor = make_visitor()
        message, _ = services.message_send(
            actor=Actor(visitor=visitor), client_id="c-1", body="hello"
        )
        return visitor_token(visitor), message.conversation_id

    token, conversation_id = await sync_to_async(setup)()
    comm = WebsocketCommunicator(application, "/ws/visitor/", headers=[ORIGIN])
    connected, _ = await comm.connect()
    assert connected
    await comm.send_json_to({"type": "auth", "token": token})
    ready = await comm.receive_json_from(timeout=20)
    assert ready["type"] == "ready" and ready["conversation"]["id"] == conversation_id
    return comm, conversation_id


async def _next(comm: WebsocketCommunicator, kind: str, timeout: float = 10) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        left = deadline - asyncio.get_running_loop().time()
        frame = json.loads(await comm.receive_from(timeout=max(left, 0.01)))
        if frame["type"] == kind:
            return dict(frame)


async def test_ping_is_followed_by_a_heartbeat_with_the_last_seq() -> None:
    shopper, conversation_id = await _shopper_with_conversation()
    try:
        await shopper.send_json_to({"type": "ping"})
        assert (await shopper.receive_json_from(timeout=5))["type"] == "pong"
        beat = await _next(shopper, "heartbeat")
        assert beat["conversations"] == [{"id": conversation_id, "last_seq": 1}]
        # A message whose live frame this socket never got (published elsewhere, lost) shows
        # in the next heartbeat: the client resumes.
        await sync_to_async(services.message_send)(
            actor=Actor(visitor=await sync_to_async(lambda: _visitor_of(conversation_id))()),
            client_id="c-2",
            body="again",
        )
        await asyncio.sleep(2.1)  # past the heartbeat's minimum interval
        await shopper.send_json_to({"type": "ping"})
        beat = await _next(shopper, "heartbeat")
        assert beat["conversations"] == [{"id": conversation_id, "last_seq": 2}]
    finally:
        await shopper.disconnect()


def _visitor_of(conversation_id: int) -> Any:
    from chat.models import Conversation

    return Conversation.objects.get(pk=conversation_id).visitor


async def test_a_failed_publish_makes_the_process_sockets_resync() -> None:
    shopper, conversation_id = await _shopper_with_conversation()
    try:
        before = health.resyncs
        health.publish_failed()
        # The next probe through the layer succeeds: every socket is told to resync.
        frame = await _next(shopper, "resync", timeout=15)
        assert frame["conversations"] == [conversation_id]
        assert health.resyncs == before + 1
        await shopper.send_json_to(
            {"type": "resume", "conversation": conversation_id, "after_seq": 0}
        )
        assert (await _next(shopper, "resume.done"))["last_seq"] == 1
    finally:
        await shopper.disconnect()


async def test_a_resync_during_auth_comes_after_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    """The health watch tells every socket of the process to resync; one still authenticating
    (its visitor known, its groups being joined) answered ``resync`` before ``ready``, which
    the contract promises first (on a loaded box the bench's lean client failed opens so)."""
    from chat.consumers import VisitorConsumer

    join = VisitorConsumer.join

    async def join_then_resync(self: Any, group: str) -> None:
        await join(self, group)
        health.resync_all("layer")

    monkeypatch.setattr(VisitorConsumer, "join", join_then_resync)
    shopper, conversation_id = await _shopper_with_conversation()  # asserts ready comes first
    try:
        frame = await shopper.receive_json_from(timeout=5)
        assert frame["type"] == "resync" and frame["conversations"] == [conversation_id]
    finally:
        await shopper.disconnect()


async def test_a_busy_loop_is_not_an_outage() -> None:
    """A process whose event loop is saturated (thousands of sockets opening, a full garbage
    collection) reads its probe's answer late; nothing was lost, so no socket may be told to
    resync (at 10,000 sockets that was 10,000 resumes at once on the busiest process)."""
    shopper, _ = await _shopper_with_conversation()
    loop = asyncio.get_running_loop()
    try:
        before = health.resyncs
        assert not health.suspect
        end = loop.time() + 6.0

        def hog() -> None:
            # Every turn of the loop takes 0.4 s: the probe's round trip (send, Redis, the
            # subscriber's read, the hand-over to the watch) spans several turns.
            import time

            time.sleep(0.4)
            if loop.time() < end:
                loop.call_soon(hog)

        loop.call_soon(hog)
        while loop.time() < end:
            await asyncio.sleep(0.05)
        await asyncio.sleep(2.5)  # two quiet probes: a suspect layer would resync now
        assert not health.suspect
        assert health.resyncs == before
        while not await shopper.receive_nothing(timeout=0.5):
            assert (await shopper.receive_json_from())["type"] != "resync"
    finally:
        await shopper.disconnect()


async def test_a_probe_never_answered_is_an_outage(monkeypatch: pytest.MonkeyPatch) -> None:
    """Patience has an end: a layer that takes the probe and never delivers it is unreachable."""
    from chat import layer_health

    monkeypatch.setattr(layer_health, "PROBE_TIMEOUT", 0.05)
    monkeypatch.setattr(layer_health, "PROBE_PATIENCE", 0.2)
    watcher = layer_health._Health()
    inbox: asyncio.Queue[int] = asyncio.Queue()
    started = asyncio.get_running_loop().time()
    with pytest.raises(TimeoutError):
        await watcher._answer(inbox, 1, None)
    assert asyncio.get_running_loop().time() - started >= 0.2
    # A failed publish ends the wait at the next slice, not after the whole patience.
    monkeypatch.setattr(layer_health, "PROBE_PATIENCE", 60.0)
    watcher.publish_failed()
    with pytest.raises(TimeoutError):
        await watcher._answer(inbox, 2, None)
    inbox.put_nowait(3)
    watcher.suspect = False
    await watcher._answer(inbox, 3, None)
