"""A conversation's staff frames reach a process's workspace sockets through its one hub
(``chat/consumers/list_hub.py``): only the sockets watching the conversation get them, a
message's staff frame and its list update travel as one layer message, and a frame's handler
still ends before the live frames that arrived meanwhile."""

from __future__ import annotations

import time
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from chat import events, selectors
from chat.consumers import list_hub
from tests.factories import make_agent, make_visitor, shopper_says
from tests.sockets import agent_socket

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_auto_assign(settings: Any) -> None:
    settings.HELPDESK = {**settings.HELPDESK, "AUTO_ASSIGN": False}


async def frames_until_quiet(comm: WebsocketCommunicator, quiet: float = 0.6) -> list[Any]:
    frames = []
    while not await comm.receive_nothing(timeout=quiet):
        frames.append(await comm.receive_json_from())
    return frames


async def handled(comm: WebsocketCommunicator, frame: dict[str, Any]) -> list[Any]:
    """Send ``frame``, then a ping: the frames up to its pong (the handler has ended)."""
    await comm.send_json_to(frame)
    await comm.send_json_to({"type": "ping"})
    frames = []
    while (got := await comm.receive_json_from(timeout=10))["type"] != "pong":
        frames.append(got)
    return frames


def created(frames: list[dict[str, Any]]) -> list[int]:
    return [f["message"]["seq"] for f in frames if f["type"] == "message.created"]


async def test_staff_frames_reach_only_the_watching_sockets_with_the_list_update_in_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    heard: list[list[tuple[str, Any]]] = []
    unpacked = events.unpacked

    def recording(event: dict[str, Any]) -> list[dict[str, Any]]:
        items = unpacked(event)
        heard.append([(i["facts"]["type"], i.get("watch") or i["facts"].get("id")) for i in items])
        return items

    monkeypatch.setattr(list_hub.events, "unpacked", recording)
    ana = await sync_to_async(make_agent)("ana")
    bo = await sync_to_async(make_agent)("bo")
    visitor = await sync_to_async(make_visitor)()
    watching = await agent_socket(ana)
    other = await agent_socket(bo)
    try:
        conversation = (await sync_to_async(shopper_says)(visitor, "first")).conversation_id
        await handled(watching, {"type": "subscribe", "conversation": conversation})
        await frames_until_quiet(watching)
        await frames_until_quiet(other)
        heard.clear()

        await sync_to_async(shopper_says)(visitor, "second")
        assert created(await frames_until_quiet(watching)) == [2]
        # Bo's list shows it, but he does not watch the conversation: no message frame.
        assert created(await frames_until_quiet(other)) == []
        # One layer message carried the staff frame and the list update of that message.
        assert [("message.created", conversation), ("conversation.updated", conversation)] in (
            heard
        )

        await handled(watching, {"type": "unsubscribe", "conversation": conversation})
        await sync_to_async(shopper_says)(visitor, "third")
        assert created(await frames_until_quiet(watching)) == []
    finally:
        await watching.disconnect()
        await other.disconnect()


async def test_a_live_frame_heard_during_a_resume_comes_after_its_replay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The resume's read runs while a new message is published and heard by the hub: the
    socket gets the replay, ``resume.done``, then the live copy (Channels ran a consumer's
    handlers one at a time, so a layer event waited for the resume's end)."""
    ana = await sync_to_async(make_agent)("ana")
    visitor = await sync_to_async(make_visitor)()
    comm = await agent_socket(ana)
    original = selectors.messages_after
    fired: list[int] = []

    def with_a_message_meanwhile(**kwargs: Any) -> Any:
        if not fired:
            fired.append(1)
            before = list_hub.hub.watched_heard
            shopper_says(visitor, "meanwhile")
            deadline = time.monotonic() + 10
            while list_hub.hub.watched_heard == before and time.monotonic() < deadline:
                time.sleep(0.01)
        return original(**kwargs)

    try:
        conversation = (await sync_to_async(shopper_says)(visitor, "first")).conversation_id
        await frames_until_quiet(comm)
        monkeypatch.setattr(selectors, "messages_after", with_a_message_meanwhile)
        frames = await handled(
            comm, {"type": "resume", "conversation": conversation, "after_seq": 0}
        )
        frames += await frames_until_quiet(comm)
        seen = [
            (f["type"], f.get("message", {}).get("seq"))
            for f in frames
            if f["type"] in ("message.created", "resume.done")
        ]
        assert seen == [
            ("message.created", 1),
            ("message.created", 2),
            ("resume.done", None),
            ("message.created", 2),
        ]
    finally:
        await comm.disconnect()
