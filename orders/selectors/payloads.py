"""Payload builders of the CRM side: plain JSON-ready dicts shared by the integration API,
the agent's sidebar, cards and exports."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..models import Customer, Order, Product, Shipment, ShipmentEvent


def iso(value: Any) -> str | None:
    if value is None:
        return None
    if hasattr(value, "hour"):
        return value.isoformat(timespec="seconds").replace("+00:00", "Z")
    return str(value.isoformat())


def money(value: Decimal | None) -> str:
    return f"{(value or Decimal('0')):.2f}"


def customer_payload(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.pk,
        "external_id": customer.external_id,
        "name": customer.name,
        "email": customer.email,
        "phone": customer.phone,
        "language": customer.language,
        "vip_tier": customer.vip_tier,
        "vip_tier_label": str(customer.get_vip_tier_display()) if customer.vip_tier else "",
        "tags": list(customer.tags or []),
        "notes": customer.notes,
        "marketing_consent": customer.marketing_consent,
        "order_notices_opt_out": customer.order_notices_opt_out,
        "erased": customer.erased_at is not None,
        "created_at": iso(customer.created_at),
    }


def product_payload(product: Product) -> dict[str, Any]:
    return {
        "id": product.pk,
        "external_id": product.external_id,
        "name": product.name,
        "slug": product.slug,
        "description": product.description,
        "price": money(product.price),
        "currency": product.currency,
        "image_url": product.image_url,
        "url": product.url,
        "active": product.active,
    }


def event_payload(event: ShipmentEvent) -> dict[str, Any]:
    return {
        "status": event.status,
        "description": event.description,
        "location": event.location,
        "occurred_at": iso(event.occurred_at),
    }


def shipment_payload(shipment: Shipment, *, all_events: bool = False) -> dict[str, Any]:
    # Prefetched newest first (ShipmentEvent.Meta.ordering).
    tracking = list(shipment.events.all())
    data = {
        "id": shipment.pk,
        "external_id": shipment.external_id,
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "tracking_url": shipment.tracking_url,
        "status": shipment.status,
        "status_label": str(shipment.get_status_display()),
        "estimated_delivery": iso(shipment.estimated_delivery),
        "shipped_at": iso(shipment.shipped_at),
        "latest_event": event_payload(tracking[0]) if tracking else None,
    }
    if all_events:
        data["events"] = [event_payload(e) for e in tracking]
    return data


def order_payload(order: Order, *, all_events: bool = False) -> dict[str, Any]:
    return {
        "id": order.pk,
        "external_id": order.external_id,
        "customer": order.customer.external_id if "customer" in order._state.fields_cache else None,
        "number": order.number,
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "currency": order.currency,
        "total": money(order.total),
        "url": order.url,
        "placed_at": iso(order.placed_at),
        "items": [
            {
                "product": item.product_external_id or None,
                "name": item.name,
                "quantity": item.quantity,
                "unit_price": money(item.unit_price),
                "image_url": item.image_url,
            }
            for item in order.items.all()
        ],
        "shipments": [shipment_payload(s, all_events=all_events) for s in order.shipments.all()],
    }
