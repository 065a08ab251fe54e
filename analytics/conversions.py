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


def _agent_at(conversation_id: int, moment: dt.datetime) -> int | None:
    """The agent holding the conversation at ``moment``: its latest assignment until then."""
    return (
        Fact.objects.filter(
            conversation_id=conversation_id, kind=Fact.Kind.ASSIGNED, at__lte=moment
        )
        .order_by("-at", "-id")
        .values_list("agent_id", flat=True)
        .first()
    )


def conversion_record(*, order_id: int, customer_id: int, placed_at: Any, total: Any) -> int:
    """Record the conversions an order implies; returns how many facts were written.

    One credit per order: the customer's latest conversation that started at most 7 days
    (24 hours) before the order is credited with it, once per window, dated at the order and
    attributed to that conversation's team and to the agent holding it when the order was
    placed (docs/metrics.md). ``flag`` marks the conversation's first credited order in the
    window (the conversion rate counts conversations; order value sums every credited order).
    Idempotent: an order already credited writes nothing.
    """
    from chat.models import Conversation

    placed = _as_datetime(placed_at)
    if placed is None:
        return 0
    conv = (
        Conversation.objects.filter(
            customer_id=customer_id,
            created_at__gte=placed - WINDOW_7D,
            created_at__lte=placed,
        )
        .order_by("-created_at", "-pk")
        .values("pk", "created_at", "team_id")
        .first()
    )
    if conv is None:
        return 0
    kinds = [Fact.Kind.CONVERSION_24H, Fact.Kind.CONVERSION_7D]
    earlier = list(
        Fact.objects.filter(conversation_id=conv["pk"], kind__in=kinds).values_list("kind", "value")
    )
    if any(value == order_id for _kind, value in earlier):
        return 0
    credited = {kind for kind, _value in earlier}
    amount = _as_amount(total)
    agent_id = _agent_at(conv["pk"], placed)
    facts = [
        Fact(
            kind=kind,
            at=placed,
            conversation_id=conv["pk"],
            team_id=conv["team_id"],
            agent_id=agent_id,
            value=order_id,
            amount=amount,
            seconds=(placed - conv["created_at"]).total_seconds(),
            flag=kind not in credited,
        )
        for kind, window in (
            (Fact.Kind.CONVERSION_24H, WINDOW_24H),
            (Fact.Kind.CONVERSION_7D, WINDOW_7D),
        )
        if placed - conv["created_at"] <= window
    ]
    Fact.objects.bulk_create(facts)
    return len(facts)
