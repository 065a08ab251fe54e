"""Shipments and their tracking events.

A shipment turning ``delayed`` or ``exception`` dispatches ``shipment.delayed`` /
``shipment.exception`` once (an ``OrderAlert`` row guards it); when it recovers the guard is
lifted, so a second delay later is told again.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from helpdesk.errors import BadRequest, NotFound

from ..models import Order, OrderAlert, Shipment, ShipmentEvent
from .orders import alert_once

SHIPMENT_FIELDS = (
    "carrier",
    "tracking_number",
    "tracking_url",
    "status",
    "estimated_delivery",
    "shipped_at",
)
ALERT_KINDS = {
    Shipment.Status.DELAYED: OrderAlert.Kind.SHIPMENT_DELAYED,
    Shipment.Status.EXCEPTION: OrderAlert.Kind.SHIPMENT_EXCEPTION,
}


def _status_followup(shipment: Shipment, previous: str | None) -> None:
    if previous == shipment.status:
        return
    kind = ALERT_KINDS.get(shipment.status)  # type: ignore[call-overload]
    if kind is not None:
        alert_once(
            kind,
            order_id=shipment.order_id,
            customer_id=shipment.order.customer_id,
            key=shipment.external_id,
            shipment_id=shipment.pk,
            status=shipment.status,
        )
    if previous in ALERT_KINDS and shipment.status not in ALERT_KINDS:
        OrderAlert.objects.filter(
            order_id=shipment.order_id, key=shipment.external_id, kind__in=ALERT_KINDS.values()
        ).delete()


def _events_store(shipment: Shipment, tracking: list[dict[str, Any]]) -> None:
    if not tracking:
        return
    ShipmentEvent.objects.bulk_create(
        [
            ShipmentEvent(
                shipment=shipment,
                status=event["status"],
                description=event.get("description") or "",
                location=event.get("location") or "",
                occurred_at=event["occurred_at"],
            )
            for event in tracking
        ],
        ignore_conflicts=True,
    )


def shipment_upsert(*, external_id: str, data: dict[str, Any]) -> tuple[Shipment, bool]:
    """Create or update the shipment ``external_id`` of the order ``data["order"]`` (the
    order's external id), with its tracking ``events`` (repeats are ignored)."""
    with transaction.atomic():
        order = Order.objects.filter(external_id=data["order"]).first()
        if order is None:
            raise BadRequest(
                "Unknown order.", fields={"order": ["No order with this external_id."]}
            )
        shipment = (
            Shipment.objects.select_for_update()
            .select_related("order")
            .filter(external_id=external_id)
            .first()
        )
        created = shipment is None
        previous = None if shipment is None else shipment.status
        if shipment is None:
            shipment = Shipment(external_id=external_id, order=order)
            for field in SHIPMENT_FIELDS:
                if field in data:
                    setattr(shipment, field, data[field])
            try:
                with transaction.atomic():
                    shipment.save()
            except IntegrityError:
                # A concurrent first post of the same shipment won; update that row instead.
                shipment = (
                    Shipment.objects.select_for_update()
                    .select_related("order")
                    .get(external_id=external_id)
                )
                previous = shipment.status
                created = False
        if not created:
            changed = [f for f in SHIPMENT_FIELDS if f in data and getattr(shipment, f) != data[f]]
            if shipment.order_id != order.pk:
                shipment.order = order
                changed.append("order")
            for field in changed:
                if field != "order":
                    setattr(shipment, field, data[field])
            if changed:
                shipment.save(update_fields=changed)
        _events_store(shipment, data.get("events") or [])
        _status_followup(shipment, previous)
    return shipment, created


def shipment_events_add(*, external_id: str, tracking: list[dict[str, Any]]) -> Shipment:
    """Add tracking events; the shipment takes the status of its latest event."""
    with transaction.atomic():
        shipment = (
            Shipment.objects.select_for_update()
            .select_related("order")
            .filter(external_id=external_id)
            .first()
        )
        if shipment is None:
            raise NotFound("Shipment not found.")
        _events_store(shipment, tracking)
        latest = shipment.events.order_by("-occurred_at", "-pk").values_list("status", flat=True)
        status = latest.first()
        if status and status != shipment.status:
            previous = shipment.status
            shipment.status = status
            shipment.save(update_fields=["status"])
            _status_followup(shipment, previous)
    return shipment
