"""A conversation's ``version`` (docs/protocol.md): every published payload tells which state it
is, the number rises in the order the changes commit, and a message raises it in the UPDATE it
makes anyway (no statement more); any other publish raises it once per transaction."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from chat import events, services
from chat.access import Actor
from chat.bot.knowledge_import import demo_items, knowledge_base_load
from chat.models import Conversation
from tests.factories import agent_says, make_agent, make_visitor, shopper_says
from tests.sockets import agent_socket

LIST = ("conversation.created", "conversation.updated")


def version_of(conversation: Conversation) -> int:
    return int(Conversation.objects.values_list("version", flat=True).get(pk=conversation.pk))


def version_updates(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if '"version" = "version" + 1' in q["sql"]]


@pytest.mark.django_db
def test_a_message_raises_the_version_in_its_own_update() -> None:
    visitor = make_visitor()
    conversation = shopper_says(visitor).conversation
    before = version_of(conversation)
    with CaptureQueriesContext(connection) as queries:
        message = shopper_says(visitor)
    assert version_of(conversation) == before + 1
    # The message's one UPDATE of the conversation carries it: no statement of its own.
    [update] = version_updates(queries)
    assert "last_seq" in update
    payload = events.conversation_payload(message.conversation, staff=True)
    assert payload["version"] == before + 1
    assert events.conversation_payload(message.conversation, staff=False)["version"] == before + 1


@pytest.mark.django_db
def test_other_changes_raise_it_once_per_transaction() -> None:
    agent = make_agent()
    conversation = shopper_says(make_visitor()).conversation
    start = version_of(conversation)
    # An assignment writes an activity line (its UPDATE raises the version) and then publishes:
    # the publish finds the version raised and adds no statement.
    with CaptureQueriesContext(connection) as queries:
        services.conversation_assign(
            actor=Actor(user=agent), conversation_id=conversation.pk, assignee_id=agent.pk
        )
    assert len(version_updates(queries)) == 1
    assert version_of(conversation) == start + 1
    # A change with no message of its own: the publish raises it, once for two publishes.
    with transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        with CaptureQueriesContext(connection) as queries:
            events.publish_conversation(locked, shopper=False)
            events.publish_conversation(locked, shopper=False)
        assert len(version_updates(queries)) == 1
        assert locked.version == start + 2
    assert version_of(conversation) == start + 2
    agent_says(agent, conversation)
    assert version_of(conversation) == start + 3


@pytest.mark.django_db(transaction=True)
def test_without_a_transaction_every_publish_raises_it() -> None:
    conversation = Conversation.objects.get(pk=shopper_says(make_visitor()).conversation_id)
    start = conversation.version
    events.publish_conversation(conversation, shopper=False)
    events.publish_conversation(conversation, shopper=False)
    assert conversation.version == version_of(conversation) == start + 2


async def list_frames(comm: WebsocketCommunicator, quiet: float = 1.0) -> list[dict[str, Any]]:
    frames = []
    while not await comm.receive_nothing(timeout=quiet):
        frame = await comm.receive_json_from()
        if frame["type"] in LIST:
            frames.append(frame["conversation"])
    return frames


def _setup() -> tuple[Any, Any]:
    knowledge_base_load(items=demo_items())
    return make_visitor(), make_agent()


@pytest.mark.django_db(transaction=True)
async def test_the_newest_version_is_the_newest_state() -> None:
    """The bot's mood update commits after the shopper's message whose list update may reach
    the layer later (the case that hid the mood from a coalescing list): the highest version
    is the one with the sentiment, whatever order the frames came in."""
    visitor, agent = await sync_to_async(_setup)()
    desk = await agent_socket(agent)
    try:
        first, _ = await sync_to_async(services.message_send)(
            actor=Actor(visitor=visitor), client_id="c1", body="what is your return policy"
        )
        await sync_to_async(services.conversation_assign)(
            actor=Actor(user=agent), conversation_id=first.conversation_id, assignee_id=agent.pk
        )
        angry, _ = await sync_to_async(services.message_send)(
            actor=Actor(visitor=visitor), client_id="c2", body="this is useless, I am very angry"
        )
        seen = [c for c in await list_frames(desk) if c["id"] == first.conversation_id]
        newest = max(seen, key=lambda c: c["version"])
        assert (newest["bot"]["sentiment"] or 0) < -0.3
        assert newest["last_seq"] == angry.seq
        stored = await sync_to_async(version_of)(angry.conversation)
        assert newest["version"] == stored
    finally:
        await desk.disconnect()
