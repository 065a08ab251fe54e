"""Conversion facts: a customer's order placed after a conversation (docs/metrics.md)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.dateparse import parse_datetime

from .models import Fact

WINDOW_24H = dt.timedelta(hours=24)
WINDOW_7D = dt.timedelta(days=7)


def _as_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        return parse_datetime(value)
    return None


def _as_amount(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value is not None else Decimal("0")
    except (InvalidOperation, ValueError):
        return Decimal("0")


def conversion_record(*, order_id: int, customer_id: int, placed_at: Any, total: Any) -> int:
    """Record the conversions an order implies; returns how many facts were written.

    Every conversation of the customer that started within 7 days (24 hours) before the order
    converts once: its first such order counts, with that order's total. The fact is dated at
    the conversation's start, so it lands in the same period as the conversation it credits.
    """
    from chat.models import Conversation

    placed = _as_datetime(placed_at)
    if placed is None:
        return 0
    amount = _as_amount(total)
    conversations = list(
        Conversation.objects.filter(
            customer_id=customer_id,
            created_at__gte=placed - WINDOW_7D,
            created_at__lte=placed,
        ).values("pk", "created_at", "team_id", "assignee_id")
    )
    if not conversations:
        return 0
    done = set(
        Fact.objects.filter(
            conversation_id__in=[c["pk"] for c in conversations],
            kind__in=[Fact.Kind.CONVERSION_24H, Fact.Kind.CONVERSION_7D],
        ).values_list("conversation_id", "kind")
    )
    facts = []
    for conv in conversations:
        windows = [(Fact.Kind.CONVERSION_7D, WINDOW_7D), (Fact.Kind.CONVERSION_24H, WINDOW_24H)]
        for kind, window in windows:
            if (conv["pk"], kind) in done or placed - conv["created_at"] > window:
                continue
            facts.append(
                Fact(
                    kind=kind,
                    at=conv["created_at"],
                    conversation_id=conv["pk"],
                    team_id=conv["team_id"],
                    agent_id=conv["assignee_id"],
                    value=order_id,
                    amount=amount,
                    seconds=(placed - conv["created_at"]).total_seconds(),
                )
            )
    Fact.objects.bulk_create(facts)
    return len(facts)
