"""The demo shop loads fast, covers every state, and loading twice changes nothing."""

from __future__ import annotations

import time

import pytest

from orders.demo import load_shop
from orders.models import Customer, Order, Product, Shipment

pytestmark = pytest.mark.django_db


def test_demo_shop_is_complete_and_idempotent() -> None:
    started = time.monotonic()
    load_shop(lambda _line: None)
    assert time.monotonic() - started < 20
    counts = (Product.objects.count(), Customer.objects.count(), Order.objects.count())
    assert counts[0] == 50 and counts[1] == 200 and counts[2] >= 400
    assert set(Order.objects.values_list("status", flat=True)) == set(Order.Status.values)
    assert set(Shipment.objects.values_list("status", flat=True)) == set(Shipment.Status.values)
    load_shop(lambda _line: None)
    assert (Product.objects.count(), Customer.objects.count(), Order.objects.count()) == counts


def test_demo_parcels_agree_with_their_orders() -> None:
    """No order "Shipped" whose parcel is "Delivered": each parcel's state fits its order's."""
    load_shop(lambda _line: None)
    allowed = {
        "shipped": {"pending", "in_transit", "out_for_delivery", "delayed", "exception"},
        "delivered": {"delivered"},
        "refunded": {"returned", "delivered"},
    }
    pairs = set(Shipment.objects.values_list("order__status", "status"))
    assert pairs, "the demo has parcels"
    wrong = {(order, parcel) for order, parcel in pairs if parcel not in allowed[order]}
    assert not wrong, wrong
