"""Custom attribute values in a customer's export and erasure (``chat.listeners.connect``
registers both into ``orders.privacy``): the customer's own, their visitors', and those of
their conversations (free text about the shopper is theirs too)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ..models import AttributeValue


def _values(customer: Any) -> QuerySet[AttributeValue]:
    return AttributeValue.objects.filter(
        Q(customer=customer)
        | Q(visitor__customer=customer)
        | Q(conversation__customer=customer)
        | Q(conversation__visitor__customer=customer)
    )


def export_attributes(customer: Any) -> dict[str, Any]:
    rows = _values(customer).select_related("definition").order_by("definition__key", "pk")
    return {
        "custom_attributes": [
            {
                "applies_to": row.definition.applies_to,
                "key": row.definition.key,
                "value": row.value,
                "conversation": row.conversation_id,
            }
            for row in rows
        ]
    }


def erase_attributes(customer: Any) -> None:
    _values(customer).delete()
