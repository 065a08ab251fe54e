"""Demo shop: ~50 products, 200 customers with orders and shipments in every state.

Idempotent and fast: fixed keys, a seeded random generator, and the same bulk upserts the
integration API uses (plus ``bulk_create(ignore_conflicts=True)`` for tracking events).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from helpdesk.demo import register

from .models import Customer, Order, Product, Shipment, ShipmentEvent
from .services.orders import customer_ids_for, orders_upsert

# The first twelve keep their keys and names: tests and the storefront's pages name them.
CATALOGUE = [
    ("Linen shirt", "39.00"),
    ("Canvas sneakers", "59.00"),
    ("Wool beanie", "19.00"),
    ("Leather wallet", "45.00"),
    ("Ceramic mug", "14.00"),
    ("Bamboo cutting board", "29.00"),
    ("Wireless earbuds", "89.00"),
    ("Yoga mat", "35.00"),
    ("Desk lamp", "49.00"),
    ("Rain jacket", "99.00"),
    ("Travel backpack", "120.00"),
    ("Silk scarf", "55.00"),
    ("Cotton shirt", "35.00"),
    ("Denim shirt", "49.00"),
    ("Flannel shirt", "45.00"),
    ("Oxford shirt", "52.00"),
    ("Leather sneakers", "89.00"),
    ("Suede sneakers", "85.00"),
    ("Knit sneakers", "69.00"),
    ("Cashmere beanie", "59.00"),
    ("Cotton beanie", "15.00"),
    ("Canvas wallet", "25.00"),
    ("Cork wallet", "32.00"),
    ("Enamel mug", "16.00"),
    ("Stoneware mug", "18.00"),
    ("Glass mug", "12.00"),
    ("Canvas tote bag", "22.00"),
    ("Jute tote bag", "18.00"),
    ("Leather tote bag", "110.00"),
    ("Wool scarf", "39.00"),
    ("Cashmere scarf", "89.00"),
    ("Linen scarf", "35.00"),
    ("Walnut cutting board", "49.00"),
    ("Oak cutting board", "42.00"),
    ("Sport earbuds", "69.00"),
    ("Cork yoga mat", "55.00"),
    ("Brass desk lamp", "79.00"),
    ("Oak desk lamp", "65.00"),
    ("Packable rain jacket", "79.00"),
    ("Insulated rain jacket", "139.00"),
    ("Roll-top backpack", "95.00"),
    ("Canvas backpack", "75.00"),
    ("Merino socks", "18.00"),
    ("Bamboo socks", "12.00"),
    ("Cotton socks", "9.00"),
    ("Steel water bottle", "29.00"),
    ("Glass water bottle", "24.00"),
    ("Cedar candle", "22.00"),
    ("Lavender candle", "22.00"),
    ("Cotton towel", "27.00"),
]
FIRST = ["Ana", "Bo", "Chen", "Dara", "Eli", "Fatima", "Gao", "Hugo", "Ines", "Jun", "Kofi", "Lea"]
LAST = ["Lima", "Wang", "Smith", "Okafor", "Müller", "Rossi", "Tanaka", "Silva", "Nguyen", "Kim"]
CARRIERS = ["DHL", "UPS", "FedEx", "SF Express", "PostNL"]
ORDER_STATES = [s.value for s in Order.Status]
SHIPMENT_FOR_ORDER = {
    "shipped": ["pending", "in_transit", "out_for_delivery", "delayed", "exception"],
    "delivered": ["delivered"],
    "refunded": ["returned", "delivered"],
}
N_CUSTOMERS = 200
DEMO_PREFIX = "demo-"


def demo_customers() -> list[tuple[str, str]]:
    """(external_id, name) of the first demo customers, for the storefront's sign-in switch."""
    rows = (
        Customer.objects.filter(external_id__startswith=DEMO_PREFIX, erased_at__isnull=True)
        .order_by("external_id")
        .values_list("external_id", "name")[:12]
    )
    return [(external_id or "", name) for external_id, name in rows]


def _products(log: Callable[[str], None]) -> list[Product]:
    rows = [
        Product(
            external_id=f"P{n:04d}",
            name=name,
            slug=slugify(name),
            price=Decimal(price),
            description=f"{name}, made to last.",
            url=f"/p/{slugify(name)}/",
        )
        for n, (name, price) in enumerate(CATALOGUE, start=1)
    ]
    Product.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["external_id"],
        update_fields=["name", "price", "description", "url"],
    )
    log(f"  products: {len(rows)}")
    return list(Product.objects.filter(external_id__in=[p.external_id for p in rows]))


@register(20, "products, customers, orders and shipments")
def load_shop(log: Callable[[str], None]) -> None:
    rng = random.Random(20261121)
    products = _products(log)
    now = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        keys = {f"{DEMO_PREFIX}{i:03d}" for i in range(1, N_CUSTOMERS + 1)}
        ids = customer_ids_for(keys)
        people = []
        for i in range(1, N_CUSTOMERS + 1):
            first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
            people.append(
                Customer(
                    pk=ids[f"{DEMO_PREFIX}{i:03d}"],
                    external_id=f"{DEMO_PREFIX}{i:03d}",
                    name=f"{first} {last}",
                    email=f"{first.lower()}.{i}@example.com",
                    phone=f"+1 555 01{i:02d}",
                    language="zh-hans" if i % 5 == 0 else "en",
                    vip_tier=["", "", "silver", "gold", "platinum"][i % 5],
                    tags=[["new"], ["returning"], ["wholesale"], []][i % 4],
                )
            )
        Customer.objects.bulk_update(
            people, ["name", "email", "phone", "language", "vip_tier", "tags"]
        )
        orders: list[dict[str, Any]] = []
        for i in range(1, N_CUSTOMERS + 1):
            for j in range(rng.randint(1, 6)):
                picks = rng.sample(products, rng.randint(1, 3))
                orders.append(
                    {
                        "external_id": f"{DEMO_PREFIX}o{i:03d}-{j}",
                        "customer": f"{DEMO_PREFIX}{i:03d}",
                        "number": f"#{10000 + i * 10 + j}",
                        "status": ORDER_STATES[(i + j) % len(ORDER_STATES)],
                        "total": sum((p.price for p in picks), Decimal("0")),
                        "url": f"/account/orders/{10000 + i * 10 + j}/",
                        "placed_at": now - dt.timedelta(days=rng.randint(j * 20, j * 20 + 19)),
                        "status_changed_at": now - dt.timedelta(days=j),
                        "items": [
                            {
                                "product": p.external_id,
                                "name": p.name,
                                "quantity": 1,
                                "unit_price": p.price,
                            }
                            for p in picks
                        ],
                    }
                )
        results = orders_upsert(orders=orders)
        by_key = {o["external_id"]: o for o in orders}
        shipments = []
        for result in results:
            order = by_key[result.external_id]
            if order["status"] not in ("shipped", "delivered", "refunded"):
                continue
            # The parcel's state agrees with the order's: a shipped order's parcel is on its
            # way (or stuck), a delivered one's arrived, a refunded one's came back or arrived.
            choices = SHIPMENT_FOR_ORDER[order["status"]]
            state = choices[result.id % len(choices)]
            shipments.append(
                Shipment(
                    external_id=f"{result.external_id}-s",
                    order_id=result.id,
                    carrier=CARRIERS[result.id % len(CARRIERS)],
                    tracking_number=f"TRK{result.id:08d}",
                    tracking_url=f"https://track.example.com/TRK{result.id:08d}",
                    status=state,
                    shipped_at=order["placed_at"] + dt.timedelta(days=1),
                    estimated_delivery=(order["placed_at"] + dt.timedelta(days=6)).date(),
                )
            )
        Shipment.objects.bulk_create(
            shipments,
            update_conflicts=True,
            unique_fields=["external_id"],
            update_fields=["status", "carrier", "tracking_number", "estimated_delivery"],
        )
        stored = Shipment.objects.filter(external_id__in=[s.external_id for s in shipments])
        tracking = []
        for shipment in stored:
            start = shipment.shipped_at or now
            tracking.append(
                ShipmentEvent(
                    shipment=shipment,
                    status="in_transit",
                    description="Picked up by carrier",
                    location="Warehouse",
                    occurred_at=start,
                )
            )
            if shipment.status != "in_transit":
                tracking.append(
                    ShipmentEvent(
                        shipment=shipment,
                        status=shipment.status,
                        description=str(shipment.get_status_display()),
                        location="Local depot",
                        occurred_at=start + dt.timedelta(days=2),
                    )
                )
        ShipmentEvent.objects.bulk_create(tracking, ignore_conflicts=True)
    log(f"  customers: {N_CUSTOMERS}, orders: {len(orders)}, shipments: {len(shipments)}")
