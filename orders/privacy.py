"""Export and erasure of a customer's personal data.

Orders knows nothing of chat, so other apps contribute through two registries: an export hook
returns ``{section: data}`` to merge into the export, an erase hook removes what its app holds
about the customer (chat replaces message text and clears the visitors' details). Both run
inside the erasure's transaction, so the erasure is all or nothing.

Erasure keeps what is not personal: orders stay with their amounts and dates (revenue and
conversion reports), conversations stay with their timestamps (response-time reports), but
every name, address, identifier and free text that could point at the person goes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from helpdesk.dispatch import DomainEvent, Event, dispatch

from .models import (
    BrowsingEvent,
    ConsentRecord,
    ContactIdentity,
    Customer,
    CustomerMerge,
    Order,
    OrderAlert,
    OrderItem,
    Shipment,
    ShipmentEvent,
)
from .selectors import customer_payload, iso, order_payload

ExportHook = Callable[[Customer], dict[str, Any]]
EraseHook = Callable[[Customer], None]
export_hooks: list[ExportHook] = []
erase_hooks: list[EraseHook] = []


def register_export(hook: ExportHook) -> ExportHook:
    if hook not in export_hooks:
        export_hooks.append(hook)
    return hook


def register_erase(hook: EraseHook) -> EraseHook:
    if hook not in erase_hooks:
        erase_hooks.append(hook)
    return hook


def _dispatch(
    name: str, customer: Customer, by_user_id: int | None, by_token_id: int | None
) -> None:
    dispatch(
        DomainEvent(
            name=name,
            at=timezone.now(),
            data={"customer_id": customer.pk, "by_user_id": by_user_id, "by_token_id": by_token_id},
        )
    )


def customer_export(
    *, customer: Customer, by_user_id: int | None = None, by_token_id: int | None = None
) -> dict[str, Any]:
    """Everything the desk holds about the customer, as JSON-ready data. ``by_user_id`` /
    ``by_token_id`` say who asked (``customer.exported``: the audit log keeps it)."""
    _dispatch(Event.CUSTOMER_EXPORTED, customer, by_user_id, by_token_id)
    from .selectors import _orders_with_detail

    orders = _orders_with_detail().filter(customer=customer).order_by("placed_at", "pk")
    data: dict[str, Any] = {
        "exported_at": iso(timezone.now()),
        "profile": customer_payload(customer),
        "consents": [
            {"granted": c.granted, "source": c.source, "recorded_at": iso(c.recorded_at)}
            for c in customer.consents.all()
        ],
        "orders": [order_payload(o, all_events=True) for o in orders],
        "identities": [
            {
                "kind": i.kind,
                "value": i.value,
                "verified": i.verified,
                "source": i.source,
                "created_at": iso(i.created_at),
            }
            for i in customer.identities.order_by("pk")
        ],
        "merges": [
            {
                "merged_name": m.merged_name,
                "merged_identities": m.merged_identities,
                "reason": m.reason,
                "merged_at": iso(m.merged_at),
            }
            for m in customer.merges.order_by("merged_at", "pk")
        ],
        "browsing": [
            {"kind": e.kind, "url": e.url, "title": e.title, "occurred_at": iso(e.occurred_at)}
            for e in customer.browsing.order_by("occurred_at")
        ],
    }
    for hook in export_hooks:
        data.update(hook(customer))
    return data


def customer_erase(
    *, customer: Customer, by_user_id: int | None = None, by_token_id: int | None = None
) -> Customer:
    """Remove the customer's personal data for good (the right to erasure). ``by_user_id`` /
    ``by_token_id`` say who asked (``customer.erased``: the audit log keeps it).

    The row stays as an anonymous shell (``erased:<pk>``) so orders and conversations keep a
    valid owner for the reports; the shop can no longer find or re-link it by its id.
    """
    with transaction.atomic():
        locked = Customer.objects.select_for_update().get(pk=customer.pk)
        for hook in erase_hooks:
            hook(locked)
        placeholder = f"erased:{locked.pk}"
        orders = Order.objects.filter(customer=locked)
        Shipment.objects.filter(order__in=orders).update(
            external_id=Concat(Value(f"{placeholder}:s"), Cast("pk", CharField())),
            carrier="",
            tracking_number="",
            tracking_url="",
        )
        OrderAlert.objects.filter(order__in=orders).delete()
        OrderItem.objects.filter(order__in=orders).update(image_url="")
        ShipmentEvent.objects.filter(shipment__order__in=orders).update(location="")
        orders.update(
            external_id=Concat(Value(f"{placeholder}:"), Cast("pk", CharField())),
            number="",
            url="",
        )
        BrowsingEvent.objects.filter(customer=locked).delete()
        ConsentRecord.objects.filter(customer=locked).delete()
        # Every address that reached the person goes, on every channel; what a merge recorded
        # of the other contact too.
        ContactIdentity.objects.filter(customer=locked).delete()
        CustomerMerge.objects.filter(customer=locked).update(merged_name="", merged_identities=[])
        locked.external_id = placeholder
        locked.name = ""
        locked.email = ""
        locked.phone = ""
        locked.language = ""
        locked.tags = []
        locked.notes = ""
        locked.marketing_consent = False
        locked.order_notices_opt_out = True
        locked.erased_at = timezone.now()
        locked.save()
        _dispatch(Event.CUSTOMER_ERASED, locked, by_user_id, by_token_id)
    return locked
