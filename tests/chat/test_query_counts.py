"""Query counts on the message path (Zulip / Saleor style): what one message costs the
database, pinned, so a listener or payload hook that adds a query per message shows up here.

Counts include the SAVEPOINT / RELEASE pair of the service's transaction (inside a test's
transaction) and every listener and payload hook the desk registers. See docs/performance.md.
"""

from __future__ import annotations

from typing import Any

import pytest

from chat import events, services
from chat.access import Actor
from chat.models import Conversation
from tests.factories import agent_says, make_agent, make_visitor, shopper_says

pytestmark = pytest.mark.django_db

# One shopper message into an open conversation: lock the row, load it with what its payload
# reads (one joined query), the message's INSERT and the conversation's UPDATE (the sender's
# read cursor included) as one statement (chat/statements.py ``message_store``; a repeated
# client_id is refused by the unique constraint, not looked up first), the analytics counter;
# the routing clock only when it starts; plus the SAVEPOINT pair. The staff list payload and
# the ack payload cost nothing more. (7 while the INSERT and the UPDATE were two statements.)
SHOPPER_MESSAGE = 6
# Once assigned: the same, plus the waiting clock starting again after the agent's reply.
SHOPPER_MESSAGE_ASSIGNED = 7
# An agent's reply while nobody waits: also its own read cursor (one upsert). (A reply that
# ends a wait adds stopping the clock and the analytics duration fact and track.)
AGENT_REPLY = 7
# A delivered receipt: SET LOCAL synchronous_commit (receipts do not wait for the disk) and one
# conditional UPDATE … RETURNING the cursors for the receipt frame (the same one statement for a
# batch of any number of conversations and both sides: chat/services/receipts.py).
DELIVERED_MOVED = 4
DELIVERED_UNCHANGED = 4


def send_with_payload(**kwargs: Any) -> dict[str, Any]:
    """What the socket does for ``message.send`` (chat.consumers._send_with_payload)."""
    message, _created = services.message_send(**kwargs)
    return events.message_payload(message)


@pytest.fixture
def conversation() -> tuple[Any, Conversation]:
    visitor = make_visitor()
    first = shopper_says(visitor, "hello")
    return visitor, first.conversation


def test_shopper_message(django_assert_num_queries: Any, conversation: Any) -> None:
    visitor, conv = conversation
    with django_assert_num_queries(SHOPPER_MESSAGE):
        payload = send_with_payload(
            actor=Actor(visitor=visitor),
            client_id="q-2",
            body="where is my order?",
            conversation_id=conv.pk,
        )
    assert payload["seq"] == 2


def test_cost_does_not_grow_with_history(django_assert_num_queries: Any, conversation: Any) -> None:
    visitor, conv = conversation
    for n in range(30):
        shopper_says(visitor, f"line {n}")
    with django_assert_num_queries(SHOPPER_MESSAGE):
        payload = send_with_payload(
            actor=Actor(visitor=visitor),
            client_id="q-late",
            body="still there?",
            conversation_id=conv.pk,
        )
    assert payload["seq"] == 32


def test_shopper_message_to_assigned_conversation(
    django_assert_num_queries: Any, conversation: Any
) -> None:
    visitor, conv = conversation
    agent = make_agent()
    agent_says(agent, conv, "hello, I am here")
    with django_assert_num_queries(SHOPPER_MESSAGE_ASSIGNED):
        send_with_payload(
            actor=Actor(visitor=visitor), client_id="q-3", body="thanks", conversation_id=conv.pk
        )


def test_agent_reply(django_assert_num_queries: Any, conversation: Any) -> None:
    visitor, conv = conversation
    agent = make_agent()
    agent_says(agent, conv, "hello, I am here")
    with django_assert_num_queries(AGENT_REPLY):
        payload = send_with_payload(
            actor=Actor(user=agent), client_id="a-2", body="let me check", conversation_id=conv.pk
        )
    assert payload["sender"]["kind"] == "agent"


def test_delivered_receipt(django_assert_num_queries: Any, conversation: Any) -> None:
    visitor, conv = conversation
    agent = make_agent()
    actor = Actor(user=agent)
    with django_assert_num_queries(DELIVERED_MOVED):
        assert services.delivered_mark(actor=actor, conversation_id=conv.pk, seq=1)
    with django_assert_num_queries(DELIVERED_UNCHANGED):
        assert not services.delivered_mark(actor=actor, conversation_id=conv.pk, seq=1)
    conv.refresh_from_db()
    assert conv.agent_delivered_seq == 1


def test_read_moves_read_and_delivered_in_one_update(conversation: Any) -> None:
    visitor, conv = conversation
    shopper_says(visitor, "second")
    agent = make_agent()
    services.delivered_mark(actor=Actor(user=agent), conversation_id=conv.pk, seq=1)
    services.read_mark(actor=Actor(user=agent), conversation_id=conv.pk, seq=2)
    conv.refresh_from_db()
    assert (conv.agent_read_seq, conv.agent_delivered_seq) == (2, 2)
    # Never backwards, and delivered never falls behind read.
    services.read_mark(actor=Actor(user=agent), conversation_id=conv.pk, seq=1)
    services.delivered_mark(actor=Actor(user=agent), conversation_id=conv.pk, seq=1)
    conv.refresh_from_db()
    assert (conv.agent_read_seq, conv.agent_delivered_seq) == (2, 2)
    assert (conv.visitor_read_seq, conv.visitor_delivered_seq) == (2, 2)
