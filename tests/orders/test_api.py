"""The integration API: upserts by external_id, idempotency, concurrency, scopes, errors."""

from __future__ import annotations

import threading

import pytest
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from orders import services
from orders.models import ApiToken, ConsentRecord, Customer, Order, OrderItem, Shipment
from tests.factories import make_token, order_payload

pytestmark = pytest.mark.django_db


def test_customer_upsert_creates_then_repeat_changes_nothing(shop) -> None:
    body = {"external_id": "c-1", "name": "Ana", "email": "ana@example.com", "tags": ["vip"]}
    first = shop.post("/api/v1/customers", body, format="json")
    assert first.status_code == 201, first.content
    before = Customer.objects.get(external_id="c-1")
    again = shop.post("/api/v1/customers", body, format="json")
    assert again.status_code == 200
    after = Customer.objects.get(external_id="c-1")
    assert after.updated_at == before.updated_at
    assert Customer.objects.count() == 1
    assert again.json()["tags"] == ["vip"]


def test_marketing_consent_recorded_with_time_and_source(shop) -> None:
    shop.post(
        "/api/v1/customers",
        {"external_id": "c-1", "marketing_consent": True, "consent_source": "checkout"},
        format="json",
    )
    shop.post(
        "/api/v1/customers",
        {"external_id": "c-1", "marketing_consent": True, "consent_source": "checkout"},
        format="json",
    )
    response = shop.post(
        "/api/v1/customers/c-1/consent", {"granted": False, "source": "newsletter"}, format="json"
    )
    assert response.status_code == 200 and response.json()["marketing_consent"] is False
    records = list(ConsentRecord.objects.order_by("recorded_at", "pk"))
    assert [(r.granted, r.source) for r in records] == [(True, "checkout"), (False, "newsletter")]
    assert all(r.recorded_at is not None for r in records)


def test_order_upsert_is_idempotent(shop) -> None:
    body = order_payload()
    first = shop.post("/api/v1/orders", body, format="json")
    assert first.status_code == 201, first.content
    item_ids = list(OrderItem.objects.values_list("pk", flat=True))
    snapshot = list(Order.objects.values())
    again = shop.post("/api/v1/orders", body, format="json")
    assert again.status_code == 200
    assert list(Order.objects.values()) == snapshot
    assert list(OrderItem.objects.values_list("pk", flat=True)) == item_ids
    assert again.json()["items"][0]["name"] == "Canvas sneakers"
    # The order named a customer the desk had not seen: a bare one was created.
    assert Customer.objects.filter(external_id="c-1").exists()


def test_order_items_replaced_and_trimmed(shop) -> None:
    body = order_payload(
        items=[
            {"name": "A", "quantity": 1, "unit_price": "1.00"},
            {"name": "B", "quantity": 2, "unit_price": "2.00"},
        ]
    )
    shop.post("/api/v1/orders", body, format="json")
    body["items"] = [{"name": "C", "quantity": 3, "unit_price": "3.00"}]
    response = shop.post("/api/v1/orders", body, format="json")
    assert [i["name"] for i in response.json()["items"]] == ["C"]
    assert OrderItem.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_same_order_posted_twice_at_once_is_one_row() -> None:
    key = make_token()
    barrier = threading.Barrier(4)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
            barrier.wait()
            response = client.post("/api/v1/orders", order_payload(7), format="json")
            statuses.append(response.status_code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(s in (200, 201) for s in statuses), statuses
    assert Order.objects.filter(external_id="o-7").count() == 1
    assert OrderItem.objects.count() == 1
    assert Customer.objects.filter(external_id="c-1").count() == 1


def test_bulk_upsert_1000_orders_in_few_queries(shop, django_assert_max_num_queries) -> None:
    orders = [order_payload(n, customer=f"c-{n % 50}") for n in range(1000)]
    with django_assert_max_num_queries(20):
        response = shop.post("/api/v1/orders/bulk", {"orders": orders}, format="json")
    assert response.status_code == 200, response.content[:500]
    assert response.json()["created"] == 1000
    assert Order.objects.count() == 1000 and OrderItem.objects.count() == 1000
    assert Customer.objects.count() == 50
    with CaptureQueriesContext(connection) as queries:
        again = shop.post("/api/v1/orders/bulk", {"orders": orders}, format="json")
    assert again.json() == {**again.json(), "created": 0, "updated": 1000}
    assert Order.objects.count() == 1000
    # A full re-sync of unchanged orders only reads.
    writes = [
        q["sql"][:60]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    # One changed order in a re-sync: only that order and its items are written.
    orders[5]["status"] = "shipped"
    orders[5]["items"][0]["quantity"] = 2
    with CaptureQueriesContext(connection) as queries:
        shop.post("/api/v1/orders/bulk", {"orders": orders}, format="json")
    order = Order.objects.get(external_id="o-5")
    assert order.status == "shipped" and order.items.get().quantity == 2
    assert len([q for q in queries if q["sql"].startswith("INSERT")]) == 2


def test_bulk_duplicate_keys_last_wins(shop) -> None:
    orders = [order_payload(1, status="paid"), order_payload(1, status="shipped")]
    response = shop.post("/api/v1/orders/bulk", {"orders": orders}, format="json")
    assert response.status_code == 200
    assert Order.objects.get().status == "shipped"


def test_token_scopes() -> None:
    read = APIClient()
    read.credentials(HTTP_AUTHORIZATION=f"Token {make_token(ApiToken.Scope.READ)}")
    write = APIClient()
    write.credentials(HTTP_AUTHORIZATION=f"Token {make_token()}")
    assert write.post("/api/v1/orders", order_payload(), format="json").status_code == 201
    assert read.get("/api/v1/orders/o-1").status_code == 200
    denied = read.post("/api/v1/orders", order_payload(2), format="json")
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    assert not Order.objects.filter(external_id="o-2").exists()
    anonymous = APIClient().get("/api/v1/orders/o-1")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthorized"
    wrong = APIClient()
    wrong.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    assert wrong.get("/api/v1/orders/o-1").status_code == 401
    revoked_key = make_token(name="old")
    ApiToken.objects.filter(name="old").update(active=False)
    revoked = APIClient()
    revoked.credentials(HTTP_AUTHORIZATION=f"Token {revoked_key}")
    assert revoked.get("/api/v1/orders/o-1").status_code == 401


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "external_id"),
        ({**order_payload(), "status": "lost"}, "status"),
        ({**order_payload(), "total": "-1"}, "total"),
        ({**order_payload(), "total": "NaN"}, "total"),
        ({**order_payload(), "placed_at": "yesterday"}, "placed_at"),
        ({**order_payload(), "external_id": "x" * 200}, "external_id"),
        ({**order_payload(), "items": [{"quantity": 0}]}, "items"),
        ({**order_payload(), "number": "a\x00b"}, "number"),
        ({**order_payload(), "items": "nope"}, "items"),
    ],
)
def test_bad_order_payloads_get_field_errors(shop, body, field) -> None:
    response = shop.post("/api/v1/orders", body, format="json")
    assert response.status_code == 400, response.content
    data = response.json()
    assert data["code"] == "bad_request" and field in data["fields"]
    assert Order.objects.count() == 0


def test_non_object_and_broken_json_are_400(shop) -> None:
    assert shop.post("/api/v1/orders", [1, 2], format="json").status_code == 400
    broken = shop.generic("POST", "/api/v1/orders", "{", content_type="application/json")
    assert broken.status_code == 400
    bulk = shop.post("/api/v1/orders/bulk", {"orders": []}, format="json")
    assert bulk.status_code == 400 and "orders" in bulk.json()["fields"]


def test_unknown_things_are_404(shop) -> None:
    assert shop.get("/api/v1/orders/nope").status_code == 404
    assert shop.get("/api/v1/customers/nope").status_code == 404
    assert (
        shop.post("/api/v1/orders/nope/status", {"status": "paid"}, format="json").status_code
        == 404
    )
    response = shop.post(
        "/api/v1/shipments",
        {"external_id": "s-1", "order": "nope", "status": "in_transit"},
        format="json",
    )
    assert response.status_code == 400 and "order" in response.json()["fields"]


def test_product_upsert_and_slug_uniqueness(shop) -> None:
    a = shop.post(
        "/api/v1/products", {"external_id": "P1", "name": "Mug", "price": "9.50"}, format="json"
    )
    b = shop.post("/api/v1/products", {"external_id": "P2", "name": "Mug"}, format="json")
    assert a.status_code == 201 and b.status_code == 201
    assert a.json()["slug"] != b.json()["slug"]
    again = shop.post(
        "/api/v1/products", {"external_id": "P1", "name": "Mug", "price": "9.50"}, format="json"
    )
    assert again.status_code == 200 and again.json()["price"] == "9.50"
    nameless = shop.post("/api/v1/products", {"external_id": "P3"}, format="json")
    assert nameless.status_code == 400 and "name" in nameless.json()["fields"]


def test_shipment_with_tracking_events_is_idempotent(shop) -> None:
    shop.post("/api/v1/orders", order_payload(), format="json")
    body = {
        "external_id": "s-1",
        "order": "o-1",
        "carrier": "DHL",
        "tracking_number": "JD0001",
        "status": "in_transit",
        "estimated_delivery": "2026-11-25",
        "events": [
            {"status": "in_transit", "location": "Leipzig", "occurred_at": "2026-11-02T08:00:00Z"}
        ],
    }
    first = shop.post("/api/v1/shipments", body, format="json")
    assert first.status_code == 201, first.content
    again = shop.post("/api/v1/shipments", body, format="json")
    assert again.status_code == 200 and len(again.json()["events"]) == 1
    more = shop.post(
        "/api/v1/shipments/s-1/events",
        {"events": [{"status": "out_for_delivery", "occurred_at": "2026-11-03T07:00:00Z"}]},
        format="json",
    )
    assert more.status_code == 200
    assert more.json()["status"] == "out_for_delivery"
    assert more.json()["latest_event"]["status"] == "out_for_delivery"
    order = shop.get("/api/v1/orders/o-1").json()
    assert order["shipments"][0]["tracking_number"] == "JD0001"


def test_order_status_update(shop) -> None:
    shop.post("/api/v1/orders", order_payload(), format="json")
    response = shop.post("/api/v1/orders/o-1/status", {"status": "shipped"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "shipped"


def test_delayed_shipment_alerts_once(django_capture_on_commit_callbacks) -> None:
    from helpdesk import dispatch

    seen: list[dispatch.DomainEvent] = []
    dispatch.subscribe("shipment.delayed", seen.append)
    try:
        services.orders_upsert(orders=[{**order_payload(), "placed_at": _dt()}])
        data = {"order": "o-1", "status": "in_transit"}
        services.shipment_upsert(external_id="s-1", data=data)
        services.shipment_upsert(external_id="s-1", data={**data, "status": "delayed"})
        services.shipment_upsert(external_id="s-1", data={**data, "status": "delayed"})
        assert len(seen) == 1
        # Recovers, then is delayed again: told again.
        services.shipment_upsert(external_id="s-1", data={**data, "status": "in_transit"})
        services.shipment_upsert(external_id="s-1", data={**data, "status": "delayed"})
        assert len(seen) == 2
        assert Shipment.objects.get().status == "delayed"
    finally:
        dispatch.unsubscribe("shipment.delayed", seen.append)


def _dt():
    from datetime import UTC, datetime

    return datetime(2026, 11, 1, tzinfo=UTC)
