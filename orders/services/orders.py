"""Order upserts, one or thousands at a time, in a fixed number of queries.

Every row is written with ``INSERT … ON CONFLICT (external_id) DO UPDATE`` (Django's
``bulk_create(update_conflicts=True)``), so two concurrent posts of the same order end as one
row, whichever commits first. Rows go in sorted by key so overlapping batches lock in the same
order and do not deadlock. The row's values come from the payload only (no ``auto_now``): a
repeated call stores exactly what is there already.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from helpdesk.dispatch import DomainEvent, Event, dispatch
from helpdesk.errors import NotFound

from ..models import Customer, Order, OrderAlert, OrderItem, Product

ORDER_UPDATE_FIELDS = [
    "customer",
    "number",
    "status",
    "currency",
    "total",
    "url",
    "placed_at",
    "status_changed_at",
]
CENTS = Decimal("0.01")
ITEM_UPDATE_FIELDS = [
    "product",
    "product_external_id",
    "name",
    "quantity",
    "unit_price",
    "image_url",
]


@dataclass(frozen=True)
class UpsertResult:
    external_id: str
    id: int
    created: bool


def customer_ids_for(external_ids: set[str]) -> dict[str, int]:
    """Ids of the customers with these external ids, creating bare ones for unknown ids (the
    shop may post an order before the customer). Existing rows are only read, never rewritten;
    a concurrent creator of the same id is settled by ``ON CONFLICT DO NOTHING``."""
    if not external_ids:
        return {}
    found: dict[str, int] = {
        ext or "": pk
        for ext, pk in Customer.objects.filter(external_id__in=external_ids).values_list(
            "external_id", "pk"
        )
    }
    missing = sorted(external_ids - found.keys())
    if missing:
        Customer.objects.bulk_create(
            [Customer(external_id=ext) for ext in missing], ignore_conflicts=True
        )
        found.update(
            (ext or "", pk)
            for ext, pk in Customer.objects.filter(external_id__in=missing).values_list(
                "external_id", "pk"
            )
        )
    return found


# The domain event each alert dispatches, the first time (chat tells the shopper).
ALERT_EVENTS = {
    OrderAlert.Kind.ORDER_CANCELLED: Event.ORDER_CANCELLED,
    OrderAlert.Kind.SHIPMENT_DELAYED: Event.SHIPMENT_DELAYED,
    OrderAlert.Kind.SHIPMENT_EXCEPTION: Event.SHIPMENT_EXCEPTION,
}


def alert_once(kind: str, *, order_id: int, customer_id: int, key: str = "", **data: Any) -> None:
    """Record the alert once (unique key) and dispatch its event only when it is new."""
    try:
        with transaction.atomic():
            _alert_row, created = OrderAlert.objects.get_or_create(
                kind=kind, order_id=order_id, key=key
            )
    except IntegrityError:
        created = False
    if created:
        dispatch(
            DomainEvent(
                name=ALERT_EVENTS[OrderAlert.Kind(kind)],
                at=timezone.now(),
                data={"customer_id": customer_id, "order_id": order_id, **data},
            )
        )


def orders_upsert(*, orders: list[dict[str, Any]]) -> list[UpsertResult]:
    """Create or update orders (validated dicts: ``external_id``, ``customer`` (the customer's
    external id), ``status``, ``placed_at``, optional ``number``, ``currency``, ``total``,
    ``url``, ``status_changed_at`` and ``items``). ``items`` given replaces the order's items;
    omitted leaves them. A later duplicate in the batch wins. An order that turns cancelled
    dispatches ``order.cancelled`` once.

    Orders (and item lists) identical to what is stored are not written at all, so a shop's
    periodic full re-sync costs reads only.
    """
    by_key = {o["external_id"]: o for o in orders}
    keys = sorted(by_key)
    now = timezone.now()
    with transaction.atomic():
        customer_ids = customer_ids_for({o["customer"] for o in by_key.values()})
        existing = {
            row["external_id"]: row
            for row in Order.objects.filter(external_id__in=keys).values(
                "pk", "external_id", "customer_id", *ORDER_UPDATE_FIELDS[1:]
            )
        }
        rows = []
        for key in keys:
            data = by_key[key]
            old = existing.get(key)
            changed_at: dt.datetime | None = data.get("status_changed_at")
            if changed_at is None:
                if old is None:
                    changed_at = data["placed_at"]
                elif old["status"] == data["status"]:
                    changed_at = old["status_changed_at"]
                else:
                    changed_at = now
            rows.append(
                Order(
                    pk=old["pk"] if old else None,
                    external_id=key,
                    customer_id=customer_ids[data["customer"]],
                    number=data.get("number") or "",
                    status=data["status"],
                    currency=data.get("currency") or "USD",
                    total=Decimal(data.get("total", 0)),
                    url=data.get("url") or "",
                    placed_at=data["placed_at"],
                    status_changed_at=changed_at,
                )
            )
        changed = [r for r in rows if not _same_order(r, existing.get(r.external_id))]
        if changed:
            Order.objects.bulk_create(
                changed,
                update_conflicts=True,
                unique_fields=["external_id"],
                update_fields=ORDER_UPDATE_FIELDS,
            )
        _items_replace(rows, by_key, existing)
        for row in changed:
            old = existing.get(row.external_id)
            if (
                row.status == Order.Status.CANCELLED
                and old is not None
                and old["status"] != row.status
            ):
                alert_once(
                    OrderAlert.Kind.ORDER_CANCELLED,
                    order_id=row.pk,
                    customer_id=row.customer_id,
                )
    return [UpsertResult(r.external_id, r.pk, r.external_id not in existing) for r in rows]


def _same_order(row: Order, old: dict[str, Any] | None) -> bool:
    if old is None:
        return False
    return all(
        getattr(row, "customer_id" if f == "customer" else f)
        == old["customer_id" if f == "customer" else f]
        for f in ORDER_UPDATE_FIELDS
    )


def _items_replace(
    rows: list[Order], by_key: dict[str, dict[str, Any]], existing: dict[str, Any]
) -> None:
    with_items = [r for r in rows if by_key[r.external_id].get("items") is not None]
    if not with_items:
        return
    product_keys = {
        item["product"]
        for r in with_items
        for item in by_key[r.external_id]["items"]
        if item.get("product")
    }
    products = {
        ext: (pk, image)
        for ext, pk, image in Product.objects.filter(external_id__in=product_keys).values_list(
            "external_id", "pk", "image_url"
        )
    }
    stored: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    old_ids = [r.pk for r in with_items if r.external_id in existing]
    if old_ids:
        for item in OrderItem.objects.filter(order_id__in=old_ids).order_by("order_id", "position"):
            stored[item.order_id].append(_item_key(item))
    items = []
    # order ids that existed before, grouped by their new item count: rows past it go.
    trim: dict[int, list[int]] = defaultdict(list)
    for row in with_items:
        payload = by_key[row.external_id]["items"]
        wanted = []
        for position, item in enumerate(payload):
            product_id, image = products.get(item.get("product") or "", (None, ""))
            wanted.append(
                OrderItem(
                    order_id=row.pk,
                    position=position,
                    product_id=product_id,
                    product_external_id=item.get("product") or "",
                    name=item["name"],
                    quantity=item.get("quantity", 1),
                    unit_price=Decimal(item.get("unit_price", 0)),
                    image_url=item.get("image_url") or image,
                )
            )
        if row.external_id in existing:
            if [_item_key(i) for i in wanted] == stored.get(row.pk, []):
                continue
            trim[len(payload)].append(row.pk)
        items.extend(wanted)
    if items:
        OrderItem.objects.bulk_create(
            items,
            update_conflicts=True,
            unique_fields=["order", "position"],
            update_fields=ITEM_UPDATE_FIELDS,
        )
    if trim:
        cond = Q()
        for count, order_ids in trim.items():
            cond |= Q(order_id__in=order_ids, position__gte=count)
        OrderItem.objects.filter(cond).delete()


def _item_key(item: OrderItem) -> tuple[Any, ...]:
    return (
        item.position,
        item.product_id,
        item.product_external_id,
        item.name,
        item.quantity,
        Decimal(item.unit_price).quantize(CENTS),
        item.image_url,
    )


def order_status_set(*, external_id: str, status: str) -> Order:
    """Change one order's status (the shop's status update call)."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(external_id=external_id).first()
        if order is None:
            raise NotFound("Order not found.")
        if order.status == status:
            return order
        order.status = status
        order.status_changed_at = timezone.now()
        order.save(update_fields=["status", "status_changed_at"])
        if status == Order.Status.CANCELLED:
            alert_once(
                OrderAlert.Kind.ORDER_CANCELLED, order_id=order.pk, customer_id=order.customer_id
            )
    return order
