"""List updates go only to the workspaces whose list shows the conversation (``list.watch``,
docs/protocol.md)."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from chat import services
from chat.access import Actor
from tests.factories import make_agent, make_visitor
from tests.sockets import agent_socket

pytestmark = [pytest.mark.django_db(transaction=True)]

LIST = ("conversation.created", "conversation.updated")


@pytest.fixture(autouse=True)
def _no_auto_assign(settings: Any) -> None:
    settings.HELPDESK = {**settings.HELPDESK, "AUTO_ASSIGN": False}


async def list_frames(comm: WebsocketCommunicator, quiet: float = 0.6) -> list[dict[str, Any]]:
    """Every list frame that arrives until the socket is quiet for ``quiet`` seconds."""
    frames = []
    while not await comm.receive_nothing(timeout=quiet):
        frame = await comm.receive_json_from()
        if frame["type"] in LIST:
            frames.append(frame)
    return frames


def shopper_says(visitor: Any, client_id: str, conversation: int | None = None) -> Any:
    message, _ = services.message_send(
        actor=Actor(visitor=visitor), client_id=client_id, body="hello",
        conversation_id=conversation,
    )  # fmt: skip
    return message


async def test_updates_reach_only_the_lists_that_show_the_conversation() -> None:
    ana = await sync_to_async(make_agent)("ana")
    bo = await sync_to_async(make_agent)("bo")
    visitor = await sync_to_async(make_visitor)()
    mine = await agent_socket(ana)  # Ana's list shows her own open conversations
    everything = await agent_socket(bo)  # Bo never says: he hears every update, as before
    try:
        await mine.send_json_to({"type": "list.watch", "view": "mine", "status": "open", "ids": []})
        await list_frames(mine)
        first = await sync_to_async(shopper_says)(visitor, "c-1")
        conversation = first.conversation_id
        await sync_to_async(shopper_says)(visitor, "c-2", conversation)
        assert await list_frames(mine) == []
        assert [f["conversation"]["id"] for f in await list_frames(everything)]

        # Assigned to Ana: now her list shows it.
        await sync_to_async(services.conversation_assign)(
            actor=Actor(user=bo), conversation_id=conversation, assignee_id=ana.pk
        )
        await sync_to_async(shopper_says)(visitor, "c-3", conversation)
        seen = await list_frames(mine)
        assert seen and all(f["conversation"]["id"] == conversation for f in seen)
        assert seen[-1]["conversation"]["last_seq"] >= 3

        # Resolved: it leaves her "open" list with one last update, then she hears no more.
        await sync_to_async(services.conversation_status_set)(
            actor=Actor(user=ana), conversation_id=conversation, status="resolved"
        )
        gone = await list_frames(mine)
        assert gone and gone[-1]["conversation"]["status"] == "resolved"
        await sync_to_async(services.conversation_status_set)(
            actor=Actor(user=bo), conversation_id=conversation, status="pending"
        )
        assert await list_frames(mine) == []

        # A conversation open in a pane always updates, whatever the list shows.
        await mine.send_json_to({"type": "subscribe", "conversation": conversation})
        await sync_to_async(shopper_says)(visitor, "c-4", conversation)
        assert await list_frames(mine)
    finally:
        await mine.disconnect()
        await everything.disconnect()


async def test_bad_list_watch_is_refused_and_changes_nothing() -> None:
    ana = await sync_to_async(make_agent)("ana")
    desk = await agent_socket(ana)
    try:
        for bad in (
            {"view": "everything"},
            {"view": "mine", "status": "closed"},
            {"view": "mine", "ids": ["1"]},
            {"view": "all", "ids": list(range(501))},
        ):
            await desk.send_json_to({"type": "list.watch", **bad})
            error = await desk.receive_json_from(timeout=5)
            while error["type"] != "error":  # list updates of the desk's own start may come first
                error = await desk.receive_json_from(timeout=5)
            assert error["code"] == "bad_request", bad
        visitor = await sync_to_async(make_visitor)()
        await sync_to_async(shopper_says)(visitor, "c-1")
        assert await list_frames(desk)  # still hears everything
    finally:
        await desk.disconnect()
