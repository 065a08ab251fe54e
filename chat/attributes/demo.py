"""Demo custom attributes: what a shop's team records beside a conversation and a contact."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpdesk.demo import register

DEMO_ATTRIBUTES: list[dict[str, Any]] = [
    {"applies_to": "conversation", "key": "order_number", "label": "Order number", "kind": "text"},
    {
        "applies_to": "conversation",
        "key": "topic",
        "label": "Topic",
        "kind": "list",
        "options": ["Delivery", "Returns", "Payment", "Product question"],
    },
    {"applies_to": "conversation", "key": "refund_amount", "label": "Refund", "kind": "number"},
    {"applies_to": "contact", "key": "phone", "label": "Phone", "kind": "text"},
    {"applies_to": "contact", "key": "newsletter", "label": "Newsletter", "kind": "checkbox"},
]


@register(16, "custom attributes")
def load_attributes(log: Callable[[str], None]) -> None:
    from ..models import AttributeDefinition

    for n, spec in enumerate(DEMO_ATTRIBUTES):
        fields = dict(spec)
        AttributeDefinition.objects.get_or_create(
            applies_to=fields.pop("applies_to"),
            key=fields.pop("key"),
            defaults={**fields, "position": n},
        )
    log("  custom attributes: " + ", ".join(a["label"] for a in DEMO_ATTRIBUTES))
