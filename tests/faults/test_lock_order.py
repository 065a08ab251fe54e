"""Lock order on the message path, on real PostgreSQL: two transactions that would deadlock with
the wrong order are made to meet at the worst moment, deterministically.

The message path's order is: the visitor (a shopper naming no conversation), then the
conversation, then the rows hanging off it (an agent's own read cursor, routing, bot state).
An agent's reply locks the conversation and then upserts the agent's read cursor
(``read_cursors_to_latest``). An agent's ``read`` used to move that cursor first and the
conversation's shared cursor second, so a read from one workspace tab racing a reply from
another made PostgreSQL pick a victim: ``deadlock detected``, ``unavailable`` on the socket.

Each case holds the reply at its agent-reply gate (the conversation is locked), starts the
read, waits until PostgreSQL shows the read waiting for a lock, then lets the reply go on.
With one order both finish; with two orders one of them is the deadlock's victim.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import OperationalError, connection, connections

from chat.access import Actor
from chat.models import AgentReadCursor, Conversation
from chat.services import message_send, read_mark
from chat.services.message_send import agent_reply_gate_register
from chat.services.receipts import delivered_mark_sides
from tests.factories import agent_says, make_agent, make_visitor, shopper_says

pytestmark = [pytest.mark.django_db(transaction=True)]


def _waiting_for_a_lock(timeout: float = 15.0) -> bool:
    """Whether another backend of this database waits for a lock (polled up to ``timeout``:
    on a loaded box the read's thread can take seconds to reach its lock)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # The gate polls inside the reply's transaction, where the activity view is a
            # snapshot taken at its first read: drop it, or a later wait is never seen.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False


@pytest.fixture
def reply_gate() -> Iterator[dict[str, Any]]:
    """An agent-reply gate (called with the conversation locked) that tells ``locked`` and
    then holds the reply until another transaction waits for a lock."""
    state: dict[str, Any] = {"locked": threading.Event(), "reader_blocked": None, "armed": False}

    def gate(conversation: Conversation) -> None:
        # Only the reply under test: the set-up's own agent replies pass straight through
        # (had they set ``locked``, the read could start before the reply held its lock).
        if not state["armed"]:
            return
        state["locked"].set()
        state["reader_blocked"] = _waiting_for_a_lock()

    agent_reply_gate_register(gate)
    try:
        yield state
    finally:
        sys.modules["chat.services.message_send"]._agent_reply_gates.remove(gate)


def _in_thread(fn: Any, results: dict[str, Any], name: str) -> threading.Thread:
    def run() -> None:
        try:
            results[name] = fn()
        except BaseException as exc:  # the deadlock's victim, reported below
            results[name] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


@pytest.mark.parametrize("cursor_exists", [True, False], ids=["cursor-behind", "no-cursor"])
def test_an_agents_read_racing_their_reply_never_deadlocks(
    reply_gate: dict[str, Any], cursor_exists: bool
) -> None:
    agent = make_agent()
    visitor = make_visitor()
    conversation = shopper_says(visitor, "hello").conversation
    if cursor_exists:
        agent_says(agent, conversation, "hi")  # the agent's own cursor, then left behind:
    else:
        # another agent has read everything (the shared cursor will not move), this one never
        other = make_agent()
        agent_says(other, conversation, "hi")
        assert not AgentReadCursor.objects.filter(user=agent).exists()
    shopper_says(visitor, "are you there?")
    last_seq = Conversation.objects.get(pk=conversation.pk).last_seq
    if not cursor_exists:
        read_mark(actor=Actor(user=make_agent()), conversation_id=conversation.pk, seq=last_seq)

    results: dict[str, Any] = {}
    actor = Actor(user=agent)
    reply_gate["armed"] = True
    reply = _in_thread(
        lambda: message_send(
            actor=actor, client_id="reply-1", body="on it", conversation_id=conversation.pk
        ),
        results,
        "reply",
    )
    assert reply_gate["locked"].wait(30)
    read = _in_thread(
        lambda: read_mark(actor=actor, conversation_id=conversation.pk, seq=last_seq),
        results,
        "read",
    )
    reply.join(60)
    read.join(60)
    failed = {k: v for k, v in results.items() if isinstance(v, BaseException)}
    assert reply_gate["reader_blocked"], "the read never waited: the race was not staged"
    assert not failed, failed
    assert not any(isinstance(v, OperationalError) for v in results.values())
    cursor = AgentReadCursor.objects.get(user=agent, conversation=conversation)
    assert cursor.read_seq == last_seq + 1  # the reply's seq: the agent has read their own


def test_a_receipt_batch_waiting_for_a_reply_keeps_what_the_reply_stored(
    reply_gate: dict[str, Any],
) -> None:
    """The receipt writer's one statement (``delivered_mark_sides``) meets a conversation an
    agent's reply holds: it waits, and once the reply commits it moves the shopper's delivered
    cursor on the row as the reply left it — the reply's own cursors (agent read and delivered
    at its seq) and last_seq stay; nothing the batch read before the wait is written back."""
    agent = make_agent()
    visitor = make_visitor()
    conversation = shopper_says(visitor, "hello").conversation
    agent_says(agent, conversation, "hi")  # seq 2: the shopper's socket was sent it
    before = Conversation.objects.get(pk=conversation.pk)
    assert (before.last_seq, before.visitor_delivered_seq) == (2, 1)

    results: dict[str, Any] = {}
    reply_gate["armed"] = True
    reply = _in_thread(
        lambda: message_send(
            actor=Actor(user=agent),
            client_id="reply-2",
            body="anything else?",
            conversation_id=conversation.pk,
        ),
        results,
        "reply",
    )
    assert reply_gate["locked"].wait(30)
    receipt = _in_thread(
        lambda: delivered_mark_sides(cursors={"visitor": {conversation.pk: 2}}),
        results,
        "receipt",
    )
    reply.join(60)
    receipt.join(60)
    assert reply_gate["reader_blocked"], "the receipt never waited: the race was not staged"
    assert not any(isinstance(v, BaseException) for v in results.values()), results
    assert results["receipt"] == 1
    after = Conversation.objects.get(pk=conversation.pk)
    assert (after.last_seq, after.agent_read_seq, after.agent_delivered_seq) == (3, 3, 3)
    assert after.visitor_delivered_seq == 2
    assert after.version == before.version + 1  # the reply's; a receipt raises no version
