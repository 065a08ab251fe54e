"""Reads of the CRM side, as plain dicts other apps (chat's sidebar and cards) can render.

The sidebar read is a fixed number of queries whatever the customer's order count: the recent
orders come with their items, shipments and tracking events in one prefetch each, and the
totals in one aggregate over the ``(customer, placed_at)`` index.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q, Sum

from helpdesk.errors import NotFound

from ..models import BrowsingEvent, Customer, Order, OrderItem, Product, Shipment, ShipmentEvent
from .payloads import (
    customer_payload,
    iso,
    money,
    order_payload,
    product_payload,
    shipment_payload,
)

RECENT_ORDERS = 5
RECENT_PRODUCTS = 8
# Orders that never brought money in do not count towards lifetime value.
NOT_REVENUE = (Order.Status.CANCELLED, Order.Status.REFUNDED)
# What a browser may report it looked at (the widget's and the shop's browsing endpoints).
BROWSING_KINDS: list[str] = list(BrowsingEvent.Kind.values)


def customer_by_external_id(external_id: str) -> Customer:
    customer = Customer.objects.filter(external_id=external_id).first()
    if customer is None:
        raise NotFound("Customer not found.")
    return customer


def _orders_with_detail() -> Any:
    return Order.objects.select_related("customer").prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("position")),
        Prefetch(
            "shipments",
            queryset=Shipment.objects.order_by("pk").prefetch_related(
                Prefetch("events", queryset=ShipmentEvent.objects.order_by("-occurred_at", "-pk"))
            ),
        ),
    )


def order_detail(*, external_id: str | None = None, pk: int | None = None) -> Order:
    lookup = {"external_id": external_id} if external_id is not None else {"pk": pk}
    order = _orders_with_detail().filter(**lookup).first()
    if order is None:
        raise NotFound("Order not found.")
    return order


def shipment_detail(*, external_id: str) -> Shipment:
    shipment = (
        Shipment.objects.select_related("order")
        .prefetch_related(
            Prefetch("events", queryset=ShipmentEvent.objects.order_by("-occurred_at", "-pk"))
        )
        .filter(external_id=external_id)
        .first()
    )
    if shipment is None:
        raise NotFound("Shipment not found.")
    return shipment


def product_detail(*, external_id: str | None = None, pk: int | None = None) -> Product:
    lookup = {"external_id": external_id} if external_id is not None else {"pk": pk}
    product = Product.objects.filter(**lookup).first()
    if product is None:
        raise NotFound("Product not found.")
    return product


def customer_stats(customer_id: int, *, currency: str | None = None) -> dict[str, Any]:
    """Order count and lifetime value (in the currency of the latest order, ``currency`` when
    the caller already knows it)."""
    agg = Order.objects.filter(customer_id=customer_id).aggregate(
        order_count=Count("pk"),
        lifetime_value=Sum("total", filter=~Q(status__in=NOT_REVENUE)),
    )
    if currency is None and agg["order_count"]:
        currency = (
            Order.objects.filter(customer_id=customer_id)
            .order_by("-placed_at")
            .values_list("currency", flat=True)
            .first()
        )
    return {
        "order_count": agg["order_count"],
        "lifetime_value": money(agg["lifetime_value"]),
        "currency": currency or "USD",
    }


def recently_viewed(
    *, customer_id: int | None, visitor_keys: Iterable[uuid.UUID], limit: int = RECENT_PRODUCTS
) -> list[dict[str, Any]]:
    """The products this shopper looked at last, newest first, each once."""
    cond = Q(visitor_key__in=list(visitor_keys))
    if customer_id is not None:
        cond |= Q(customer_id=customer_id)
    rows = (
        BrowsingEvent.objects.filter(cond, product__isnull=False)
        .select_related("product")
        .order_by("-occurred_at")[: limit * 5]
    )
    out: list[dict[str, Any]] = []
    seen: set[int] = set()
    for row in rows:
        assert row.product is not None
        if row.product_id in seen:
            continue
        seen.add(row.product.pk)
        out.append({**product_payload(row.product), "kind": row.kind, "at": iso(row.occurred_at)})
        if len(out) >= limit:
            break
    return out


def customer_sidebar(
    *, customer_id: int | None, visitor_keys: Iterable[uuid.UUID] = ()
) -> dict[str, Any]:
    """Everything the agent's sidebar shows of a shopper: profile, totals, recent orders with
    items and tracking, recently viewed products. Bounded queries, no N+1."""
    keys = list(visitor_keys)
    if customer_id is None:
        return {
            "customer": None,
            "stats": None,
            "orders": [],
            "recently_viewed": recently_viewed(customer_id=None, visitor_keys=keys),
        }
    customer = Customer.objects.filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("Customer not found.")
    recent = list(
        _orders_with_detail()
        .filter(customer_id=customer_id)
        .order_by("-placed_at", "-pk")[:RECENT_ORDERS]
    )
    return {
        "customer": customer_payload(customer),
        "stats": customer_stats(customer_id, currency=recent[0].currency if recent else "USD"),
        "orders": [order_payload(o) for o in recent],
        "recently_viewed": recently_viewed(customer_id=customer_id, visitor_keys=keys),
    }


def customer_orders_lookup(
    *, customer_id: int, numbers: Iterable[str] = (), limit: int = 3
) -> list[dict[str, Any]]:
    """A customer's orders named by ``numbers`` (as typed, with or without ``#``; matched on
    the order number or the shop's external id), or their ``limit`` most recent ones when no
    number is given. Scoped to the customer: another customer's number finds nothing."""
    wanted = [n.strip().lstrip("#") for n in numbers if n and n.strip().lstrip("#")][:10]
    qs = _orders_with_detail().filter(customer_id=customer_id)
    if wanted:
        variants = wanted + [f"#{n}" for n in wanted]
        qs = qs.filter(Q(number__in=variants) | Q(external_id__in=wanted))
    orders = qs.order_by("-placed_at", "-pk")[: max(1, min(limit, 20))]
    return [order_payload(o) for o in orders]


def order_card(*, order_id: int) -> dict[str, Any]:
    """The ``card`` payload of an order, for a message of kind ``card``."""
    order = order_detail(pk=order_id)
    first = next(iter(order.items.all()), None)
    shipments = list(order.shipments.all())
    card: dict[str, Any] = {
        "type": "order",
        "id": order.pk,
        "customer_id": order.customer_id,
        "external_id": order.external_id,
        "title": order.number or order.external_id,
        "image": first.image_url if first else "",
        "price": money(order.total),
        "currency": order.currency,
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "url": order.url,
        "items": [{"name": i.name, "quantity": i.quantity} for i in order.items.all()][:5],
    }
    if shipments:
        card["shipment"] = shipment_payload(shipments[-1])
    return card


def product_card(*, product_id: int) -> dict[str, Any]:
    product = product_detail(pk=product_id)
    return {
        "type": "product",
        "id": product.pk,
        "external_id": product.external_id,
        "title": product.name,
        "image": product.image_url,
        "price": money(product.price),
        "currency": product.currency,
        "status": "available" if product.active else "unavailable",
        "url": product.url,
        "description": product.description[:200],
    }


def customer_language(customer_id: int) -> str:
    return Customer.objects.filter(pk=customer_id).values_list("language", flat=True).first() or ""


def customer_notices_allowed(customer_id: int) -> bool:
    """Whether proactive order messages may go to this customer (not opted out, not erased)."""
    return Customer.objects.filter(
        pk=customer_id, order_notices_opt_out=False, erased_at__isnull=True
    ).exists()


def products_search(*, query: str, limit: int = 20) -> list[dict[str, Any]]:
    """Active products whose name or external id contains ``query`` (agents' card picker)."""
    qs = Product.objects.filter(active=True)
    query = query.replace("\x00", "").strip()
    if query:
        qs = qs.filter(Q(name__icontains=query) | Q(external_id__iexact=query))
    return [product_payload(p) for p in qs.order_by("name")[:limit]]
