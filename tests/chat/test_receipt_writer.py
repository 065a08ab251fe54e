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
