"""Shared builders for the orders tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from chat import services as chat_services
from chat.models import Conversation, Visitor
from orders import services
from orders.models import Customer


def customer_with_orders(external_id: str = "c-1", n: int = 3, **fields: Any) -> Customer:
    customer, _ = services.customer_upsert(
        external_id=external_id,
        data={
            "name": "Ana Lima",
            "email": "ana@example.com",
            "phone": "+351 900 000 000",
            **fields,
        },
    )
    start = timezone.now() - dt.timedelta(days=n + 1)
    services.orders_upsert(
        orders=[
            {
                "external_id": f"{external_id}-o{i}",
                "customer": external_id,
                "number": f"#{external_id}-{i}",
                "status": "delivered" if i % 2 else "shipped",
                "total": "20.00",
                "placed_at": start + dt.timedelta(days=i),
                "items": [
                    {"name": f"Item {i}a", "quantity": 1, "unit_price": "10.00"},
                    {"name": f"Item {i}b", "quantity": 1, "unit_price": "10.00"},
                ],
            }
            for i in range(n)
        ]
    )
    for i in range(n):
        services.shipment_upsert(
            external_id=f"{external_id}-s{i}",
            data={
                "order": f"{external_id}-o{i}",
                "carrier": "DHL",
                "tracking_number": f"JD{i:06d}",
                "status": "in_transit",
                "estimated_delivery": (start + dt.timedelta(days=i + 5)).date(),
                "events": [
                    {"status": "in_transit", "occurred_at": start + dt.timedelta(days=i, hours=h)}
                    for h in range(3)
                ],
            },
        )
    return customer


def verified_visitor(customer: Customer, **fields: Any) -> Visitor:
    visitor = Visitor.objects.create(**fields)
    chat_services.visitor_link_customer(visitor=visitor, customer=customer)
    return visitor


def conversation_of(visitor: Visitor, body: str = "Where is my order?") -> Conversation:
    from tests.factories import shopper_says

    return shopper_says(visitor, body).conversation
