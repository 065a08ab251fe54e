"""The process's receipt writer: every socket's delivered receipts of a moment in one
transaction, the newest seq per side and conversation, cursors never moved back."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from chat.consumers import receipts
from chat.models import Conversation
from tests.factories import agent_says, make_agent, make_visitor, shopper_says

pytestmark = [pytest.mark.django_db(transaction=True)]


def _two_conversations() -> tuple[Conversation, Conversation]:
    """``first``: three shopper messages, nobody on the desk has them yet; ``second``: a
    shopper's message and two replies the shopper has not yet received."""
    agent = make_agent()
    visitor = make_visitor()
    opened = shopper_says(visitor, "one")
    shopper_says(visitor, "two")
    shopper_says(visitor, "three")
    other = shopper_says(make_visitor(), "hello")
    agent_says(agent, other.conversation, "hi")
    agent_says(agent, other.conversation, "how can I help?")
    return (
        Conversation.objects.get(pk=opened.conversation_id),
        Conversation.objects.get(pk=other.conversation_id),
    )


async def test_receipts_of_many_sockets_go_in_one_transaction(monkeypatch: Any) -> None:
    first, second = await sync_to_async(_two_conversations)()
    assert (first.agent_delivered_seq, second.visitor_delivered_seq) == (0, 1)
    calls: list[dict[str, dict[int, int]]] = []
    real = receipts.db_call

    async def counting(fn: Any, /, **kwargs: Any) -> Any:
        calls.append({side: dict(c) for side, c in kwargs["cursors"].items()})
        return await real(fn, **kwargs)

    monkeypatch.setattr(receipts, "db_call", counting)
    writer = receipts.ReceiptWriter()
    # Three agents' sockets and two of a shopper's tabs, within one moment; an older seq
    # after a newer one changes nothing.
    writer.add("agent", first.pk, 1)
    writer.add("agent", first.pk, 2)
    writer.add("agent", first.pk, 1)
    writer.add("visitor", second.pk, 3)
    writer.add("visitor", second.pk, 2)
    await asyncio.sleep(receipts.DELAY * 6)
    assert calls == [{"agent": {first.pk: 2}, "visitor": {second.pk: 3}}]
    await sync_to_async(first.refresh_from_db)()
    await sync_to_async(second.refresh_from_db)()
    assert (first.agent_delivered_seq, second.visitor_delivered_seq) == (2, 3)

    # Later receipts go in a later transaction; a seq below the cursor never moves it back.
    writer.add("agent", first.pk, 1)
    await asyncio.sleep(receipts.DELAY * 6)
    writer.add("agent", first.pk, 3)
    await asyncio.sleep(receipts.DELAY * 6)
    assert len(calls) == 3
    await sync_to_async(first.refresh_from_db)()
    assert first.agent_delivered_seq == 3


def test_a_batch_is_one_statement_for_every_conversation_and_side(monkeypatch: Any) -> None:
    """Both sides of several conversations in one ``UPDATE`` (besides the transaction's
    ``SET LOCAL``): each cursor past its seq and not past the conversation's last message
    moves, and its receipt goes out with the cursors as stored; the others change nothing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chat.services import receipts as service

    first, second = _two_conversations()  # both at last_seq 3; second's shopper at 1
    third = shopper_says(make_visitor(), "hi").conversation  # last_seq 1: 5 is past it
    sent: list[tuple[int, str, int, int]] = []
    monkeypatch.setattr(
        service,
        "_publish_receipt",
        lambda **kw: sent.append(
            (kw["conversation_id"], kw["reader"], kw["delivered_seq"], kw["read_seq"])
        ),
    )
    with CaptureQueriesContext(connection) as queries:
        moved = service.delivered_mark_sides(
            cursors={
                "agent": {first.pk: 2, second.pk: 1, third.pk: 5},  # second: its agents at 3
                "visitor": {second.pk: 3, first.pk: 3},  # first: the shopper's own, at 3
            }
        )
    statements = [q["sql"].split()[0] for q in queries]
    assert [s for s in statements if s not in ("BEGIN", "COMMIT")] == ["SET", "WITH"]
    assert moved == 2
    second.refresh_from_db()
    assert sorted(sent) == sorted(
        [(first.pk, "agent", 2, 0), (second.pk, "visitor", 3, second.visitor_read_seq)]
    )
    stored = {
        c.pk: (c.agent_delivered_seq, c.visitor_delivered_seq)
        for c in Conversation.objects.filter(pk__in=[first.pk, second.pk, third.pk])
    }
    assert stored == {first.pk: (2, 3), second.pk: (3, 3), third.pk: (0, 1)}
    assert service.delivered_mark_sides(cursors={"agent": {first.pk: 1}}) == 0  # never back
    with pytest.raises(ValueError):
        service.delivered_mark_sides(cursors={"robot": {first.pk: 1}})
