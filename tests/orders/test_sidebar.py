"""The agent's sidebar: content, editing, and a query count independent of the history."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from orders import services
from tests.factories import (
    conversation_of,
    customer_with_orders,
    make_agent,
    make_visitor,
    shopper_says,
    verified_visitor,
)

pytestmark = pytest.mark.django_db

# Conversation, visitor, visitors' keys, customer, 5 recent orders + items + shipments +
# tracking events, totals, recently viewed, previous conversations: the same whatever the
# number of orders (measured 11 for 1 and for 40 orders); plus the customer's contact identities
# and recorded merges (one customer across channels): 13.
SIDEBAR_QUERIES = 13


def agent_client() -> APIClient:
    client = APIClient()
    client.force_authenticate(make_agent())
    return client


def test_sidebar_shows_profile_orders_tracking_and_browsing() -> None:
    customer = customer_with_orders(n=7, vip_tier="gold", tags=["returning"])
    visitor = verified_visitor(customer, current_url="/p/mug/", current_title="Mug")
    services.product_upsert(external_id="P1", data={"name": "Mug", "price": "9.00"})
    services.browsing_event_record(
        kind="product_view", product_external_id="P1", visitor_key=visitor.public_id
    )
    earlier = conversation_of(visitor, "earlier question")
    from chat.models import Conversation

    Conversation.objects.filter(pk=earlier.pk).update(status="resolved")
    current = shopper_says(make_visitor(customer=customer), "hello").conversation
    response = agent_client().get(f"/api/v1/conversations/{current.pk}/customer")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["customer"]["name"] == "Ana Lima"
    assert data["customer"]["vip_tier"] == "gold" and data["customer"]["tags"] == ["returning"]
    assert data["stats"] == {"order_count": 7, "lifetime_value": "140.00", "currency": "USD"}
    assert len(data["orders"]) == 5
    newest = data["orders"][0]
    assert newest["number"] == "#c-1-6" and len(newest["items"]) == 2
    shipment = newest["shipments"][0]
    assert shipment["carrier"] == "DHL" and shipment["tracking_number"] == "JD000006"
    assert shipment["latest_event"]["status"] == "in_transit"
    assert shipment["estimated_delivery"]
    assert [p["external_id"] for p in data["recently_viewed"]] == ["P1"]
    assert [c["id"] for c in data["previous_conversations"]] == [earlier.pk]


@pytest.mark.parametrize("orders", [1, 40])
def test_sidebar_query_count_does_not_grow_with_orders(
    orders, django_assert_max_num_queries
) -> None:
    customer = customer_with_orders(n=orders)
    conversation = conversation_of(verified_visitor(customer), "Where is my order?")
    client = agent_client()
    client.get(f"/api/v1/conversations/{conversation.pk}/customer")  # warm the agent check
    with django_assert_max_num_queries(SIDEBAR_QUERIES):
        response = client.get(f"/api/v1/conversations/{conversation.pk}/customer")
    assert response.status_code == 200
    assert response.json()["stats"]["order_count"] == orders


def test_anonymous_visitor_sidebar() -> None:
    conversation = shopper_says(make_visitor(current_url="/"), "hi").conversation
    data = agent_client().get(f"/api/v1/conversations/{conversation.pk}/customer").json()
    assert data["customer"] is None and data["orders"] == []
    assert data["visitor"]["current_url"] == "/"


def test_agent_edits_tags_and_notes() -> None:
    customer = customer_with_orders(n=1)
    conversation = conversation_of(verified_visitor(customer), "Where is my order?")
    client = agent_client()
    response = client.patch(
        f"/api/v1/conversations/{conversation.pk}/customer",
        {"tags": ["vip", " vip ", "late-delivery"], "notes": "Prefers email."},
        format="json",
    )
    assert response.status_code == 200, response.content
    customer.refresh_from_db()
    assert customer.tags == ["vip", "late-delivery"] and customer.notes == "Prefers email."
    bad = client.patch(
        f"/api/v1/conversations/{conversation.pk}/customer", {"tags": "x"}, format="json"
    )
    assert bad.status_code == 400 and "tags" in bad.json()["fields"]


def test_sidebar_is_agents_only() -> None:
    conversation = shopper_says(make_visitor(), "hi").conversation
    assert APIClient().get(f"/api/v1/conversations/{conversation.pk}/customer").status_code in (
        401,
        403,
    )
    assert agent_client().get("/api/v1/conversations/999999/customer").status_code == 404


def test_widget_page_view_reaches_sidebar() -> None:
    from chat.services import visitor_token_make

    services.product_upsert(external_id="P9", data={"name": "Rain jacket", "slug": "rain-jacket"})
    visitor = make_visitor()
    conversation = shopper_says(visitor, "hi").conversation
    shopper = APIClient()
    shopper.credentials(HTTP_AUTHORIZATION=f"Visitor {visitor_token_make(visitor)}")
    response = shopper.post(
        "/api/widget/events",
        {"kind": "product_view", "url": "http://shop/p/rain-jacket/", "title": "Rain jacket"},
        format="json",
    )
    assert response.status_code == 204, response.content
    data = agent_client().get(f"/api/v1/conversations/{conversation.pk}/customer").json()
    assert data["visitor"]["current_title"] == "Rain jacket"
    assert data["recently_viewed"][0]["external_id"] == "P9"
    bad = shopper.post("/api/widget/events", {"kind": "teleport"}, format="json")
    assert bad.status_code == 400


def test_customer_orders_lookup_is_scoped_to_the_customer() -> None:
    from orders.selectors import customer_orders_lookup

    mine = customer_with_orders("c-1", n=4)
    other = customer_with_orders("c-2", n=1)
    recent = customer_orders_lookup(customer_id=mine.pk, limit=3)
    assert [o["number"] for o in recent] == ["#c-1-3", "#c-1-2", "#c-1-1"]
    named = customer_orders_lookup(customer_id=mine.pk, numbers=["c-1-0"])
    assert [o["number"] for o in named] == ["#c-1-0"] and named[0]["shipments"]
    assert customer_orders_lookup(customer_id=mine.pk, numbers=["#c-2-0"]) == []
    assert len(customer_orders_lookup(customer_id=other.pk, numbers=["c-2-o0"])) == 1
