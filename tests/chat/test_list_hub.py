"""The agents group reaches a process's workspace sockets through one hub
(``chat/consumers/list_hub.py``): a conversation's list updates gather for a short window and
go once, merged by ``version`` (an older update heard later never overwrites a newer one);
every other frame of the group keeps its place."""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from chat import events
from chat.consumers import list_hub
from tests.factories import make_agent
from tests.sockets import agent_socket

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wide_window(monkeypatch: pytest.MonkeyPatch) -> float:
    """A window the publishes of one test surely fall into on a loaded box; frames are
    read until the socket was quiet for longer than it."""
    monkeypatch.setattr(list_hub, "WINDOW", 1.0)
    return 1.5


def update(conversation_id: int, seq: int, version: int | None = None) -> dict[str, Any]:
    """A list update; its ``version`` is its ``seq`` unless said."""
    frame = {
        "type": "conversation.updated",
        "conversation": {
            "id": conversation_id,
            "assignee": None,
            "status": "open",
            "last_seq": seq,
            "version": seq if version is None else version,
        },
    }
    return events.layer_event(frame)


def with_labels(event: dict[str, Any]) -> dict[str, Any]:
    frame = events.event_frame(event)
    frame["conversation"]["labels"] = [{"id": 1, "name": "vip", "color": "#112233"}]
    return events.layer_event(frame)


async def to_agents(*layer_events: dict[str, Any]) -> None:
    layer = get_channel_layer()
    for event in layer_events:
        await layer.group_send(events.group_agents(), event)


async def frames_until_quiet(comm: WebsocketCommunicator, quiet: float = 0.5) -> list[Any]:
    frames = []
    while not await comm.receive_nothing(timeout=quiet):
        frames.append(await comm.receive_json_from())
    return frames


def seen(frames: list[dict[str, Any]]) -> list[tuple[str, Any]]:
    return [
        (f["type"], (f["conversation"]["id"], f["conversation"]["last_seq"]))
        if f["type"] == "conversation.updated"
        else (f["type"], f.get("agent"))
        for f in frames
    ]


async def test_a_busy_conversation_is_sent_once_per_window_with_its_newest_update(
    wide_window: float,
) -> None:
    ana = await sync_to_async(make_agent)("ana")
    bo = await sync_to_async(make_agent)("bo")
    first = await agent_socket(ana)
    second = await agent_socket(bo)
    try:
        await frames_until_quiet(first)
        await frames_until_quiet(second)
        heard_before = list_hub.hub.heard
        # Ten updates of conversation 1 and one of 2, published together: each workspace
        # gets two frames, 1's newest first (1 was heard first), not eleven.
        await to_agents(update(1, 1), update(2, 7), *(update(1, seq) for seq in range(2, 11)))
        for comm in (first, second):
            assert seen(await frames_until_quiet(comm, wide_window)) == [
                ("conversation.updated", (1, 10)),
                ("conversation.updated", (2, 7)),
            ]
        # One process, one subscription: the hub heard each frame once for both sockets.
        assert list_hub.hub.heard - heard_before == 11
    finally:
        await first.disconnect()
        await second.disconnect()


async def test_a_merged_update_keeps_the_keys_only_an_earlier_one_carried(
    wide_window: float,
) -> None:
    """A label change's update carries ``labels``; a message's right after it does not (the
    client keeps the labels it has): the one frame sent must still carry them."""
    ana = await sync_to_async(make_agent)("ana")
    comm = await agent_socket(ana)
    try:
        await frames_until_quiet(comm)
        await to_agents(with_labels(update(4, 1)), update(4, 2))
        [only] = await frames_until_quiet(comm, wide_window)
        assert only["conversation"]["last_seq"] == 2
        assert only["conversation"]["labels"] == [{"id": 1, "name": "vip", "color": "#112233"}]
    finally:
        await comm.disconnect()


async def test_an_older_update_heard_later_never_overwrites_a_newer_one(
    wide_window: float,
) -> None:
    """The bot's mood update (version 7) reached the layer before the list update of the
    message it scored (version 6, built earlier, published later): the frame sent is the
    newer state, with the older one's labels it alone carried."""
    ana = await sync_to_async(make_agent)("ana")
    comm = await agent_socket(ana)
    try:
        await frames_until_quiet(comm)
        mood = events.event_frame(update(8, 3, version=7))
        mood["conversation"]["bot"] = {"sentiment": -0.8}
        message = events.event_frame(with_labels(update(8, 3, version=6)))
        message["conversation"]["bot"] = {"sentiment": 0.0}
        await to_agents(events.layer_event(mood), events.layer_event(message))
        [only] = await frames_until_quiet(comm, wide_window)
        assert only["conversation"]["version"] == 7
        assert only["conversation"]["bot"] == {"sentiment": -0.8}
        assert only["conversation"]["labels"] == [{"id": 1, "name": "vip", "color": "#112233"}]
    finally:
        await comm.disconnect()


def test_gathering_takes_each_field_from_the_highest_version_that_carried_it() -> None:
    gathered = list_hub.Gathered(update(1, 5), events.event_facts(update(1, 5)))
    assert gathered.item()[0] == update(1, 5)  # alone: handed on as it came, not re-encoded
    taken = events.event_frame(update(1, 4))
    taken["conversation"]["assignee"] = {"id": 3, "name": "bo"}
    gathered.add(events.layer_event(taken))  # older: its assignee loses to version 5's None
    gathered.add(with_labels(update(1, 3)))  # older still, but the only one with labels
    gathered.add(update(1, 6))
    event, facts = gathered.item()
    conversation = events.event_frame(event)["conversation"]
    assert (conversation["last_seq"], conversation["version"]) == (6, 6)
    assert conversation["assignee"] is None and facts["assignee"] is None
    assert conversation["labels"][0]["name"] == "vip"
    # Without versions (a server from before them) the order heard decides, as it did.
    unversioned = [events.event_frame(update(2, n)) for n in (1, 2)]
    for frame in unversioned:
        del frame["conversation"]["version"]
    gathered = list_hub.Gathered(events.layer_event(unversioned[1]), {})
    gathered.add(events.layer_event(unversioned[0]))
    assert events.event_frame(gathered.item()[0])["conversation"]["last_seq"] == 1


async def test_the_groups_other_frames_keep_their_order() -> None:
    ana = await sync_to_async(make_agent)("ana")
    comm = await agent_socket(ana)
    try:
        await frames_until_quiet(comm)
        presence = events.layer_event({"type": "presence.changed", "agent": 99})
        await to_agents(update(1, 1), presence, update(1, 2))
        assert seen([await comm.receive_json_from(timeout=5) for _ in range(2)]) == [
            ("conversation.updated", (1, 1)),
            ("presence.changed", 99),
        ]
        # The update before the presence frame went ahead of it, not merged into the next.
        assert seen(await frames_until_quiet(comm)) == [("conversation.updated", (1, 2))]
    finally:
        await comm.disconnect()


async def test_a_socket_that_left_hears_nothing_more() -> None:
    ana = await sync_to_async(make_agent)("ana")
    bo = await sync_to_async(make_agent)("bo")
    staying = await agent_socket(ana)
    leaving = await agent_socket(bo)
    await frames_until_quiet(staying)
    await leaving.disconnect()
    try:
        await to_agents(update(3, 1))
        heard = [f for f in await frames_until_quiet(staying) if f["type"] != "presence.changed"]
        assert seen(heard) == [("conversation.updated", (3, 1))]
        assert all(s is not None and s.actor.user.pk != bo.pk for s in list_hub.hub.sockets)
    finally:
        await staying.disconnect()


async def test_a_workspace_that_asks_for_batch_gets_a_windows_updates_in_one_frame(
    wide_window: float,
) -> None:
    ana = await sync_to_async(make_agent)("ana")
    bo = await sync_to_async(make_agent)("bo")
    batched = await agent_socket(ana)
    single = await agent_socket(bo)
    try:
        await batched.send_json_to(
            {"type": "list.watch", "view": "unassigned", "status": None, "ids": [], "batch": True}
        )
        await frames_until_quiet(batched)
        await frames_until_quiet(single)
        taken = events.event_frame(update(6, 1))
        taken["conversation"]["assignee"] = {"id": bo.pk, "name": "bo"}
        await to_agents(update(5, 1), events.layer_event(taken), update(7, 3), update(5, 2))
        [frame] = await frames_until_quiet(batched, wide_window)
        # Her list shows unassigned conversations: 6 (Bo's) is left out; 5 once, newest.
        assert frame["type"] == "conversations.updated"
        assert [(c["id"], c["last_seq"]) for c in frame["conversations"]] == [(5, 2), (7, 3)]
        # A socket that did not ask still gets one frame per conversation.
        assert seen(await frames_until_quiet(single, wide_window)) == [
            ("conversation.updated", (5, 2)),
            ("conversation.updated", (6, 1)),
            ("conversation.updated", (7, 3)),
        ]
        await batched.send_json_to({"type": "list.watch", "view": "all", "batch": "yes"})
        error = await batched.receive_json_from(timeout=5)
        assert error["type"] == "error" and error["code"] == "bad_request"
    finally:
        await batched.disconnect()
        await single.disconnect()


def test_batch_frames_are_cut_below_the_limit_and_keep_every_row_in_order() -> None:
    rows = [json.dumps({"id": n, "pad": "x" * 25_000}) for n in range(7)]
    frames = list_hub.batch_frames(rows)
    assert len(frames) > 1
    assert all(len(f) < list_hub.BATCH_MAX_CHARS + 100 for f in frames)
    parsed = [json.loads(f) for f in frames]
    assert all(p["type"] == "conversations.updated" for p in parsed)
    assert [c["id"] for p in parsed for c in p["conversations"]] == list(range(7))
    assert list_hub.batch_frames([]) == []
    huge = json.dumps({"id": 1, "pad": "y" * 70_000})
    assert [json.loads(f)["conversations"][0]["id"] for f in list_hub.batch_frames([huge])] == [1]
