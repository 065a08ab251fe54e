"""The demo storefront's sign-in switch signs identities (demo customers only) and the
widget's page reports ring the staff group of the shopper's conversation."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.test import Client
from rest_framework.test import APIClient

from chat import events
from chat.services import visitor_token_make
from orders import services
from orders.services import identity_signature
from tests.factories import make_visitor, shopper_says

pytestmark = pytest.mark.django_db


def _identity(html: str) -> dict | None:
    match = re.search(r'data-identity="([^"]*)"', html)
    if not match:
        return None
    import html as html_lib

    return json.loads(html_lib.unescape(match.group(1)))


def test_demo_switch_signs_the_chosen_demo_customer_only() -> None:
    services.customer_upsert(external_id="demo-001", data={"name": "Ana Demo"})
    services.customer_upsert(external_id="real-42", data={"name": "Real Person"})
    client = Client()
    page = client.get("/").content.decode()
    assert 'data-testid="demo-customer-switch"' in page and "Ana Demo" in page
    assert "Real Person" not in page and _identity(page) is None
    client.post("/demo/sign-in", {"customer": "real-42", "next": "/"})
    assert _identity(client.get("/").content.decode()) is None
    response = client.post(
        "/demo/sign-in", {"customer": "demo-001", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    identity = _identity(client.get("/").content.decode())
    assert identity == {
        "external_id": "demo-001",
        "signature": identity_signature("demo-001"),
        "name": "Ana Demo",
        "email": "",
    }
    # The signed claim is accepted by the widget session for real.
    session = APIClient().post("/api/widget/session", {"identity": identity}, format="json")
    assert session.status_code == 200 and session.json()["visitor"]["verified"] is True
    client.post("/demo/sign-out", {"next": "/"})
    assert _identity(client.get("/").content.decode()) is None


@pytest.mark.django_db(transaction=True)
def test_page_view_rings_staff_group_of_the_conversation() -> None:
    visitor = make_visitor()
    conversation = shopper_says(visitor, "hi").conversation
    # A conversation's staff frames travel in the agents group, naming it (``watch``).
    group = events.group_agents()

    def report() -> int:
        shopper = APIClient()
        shopper.credentials(HTTP_AUTHORIZATION=f"Visitor {visitor_token_make(visitor)}")
        response = shopper.post(
            "/api/widget/events",
            {"kind": "page_view", "url": "http://shop/cart/", "title": "Your cart"},
            format="json",
        )
        return response.status_code

    async def listen() -> tuple[int, dict | None]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        try:
            status = await sync_to_async(report, thread_sensitive=False)()
            for _ in range(5):
                event = await asyncio.wait_for(layer.receive(channel), 5)
                for item in events.unpacked(event):
                    frame = events.event_frame(item)
                    if frame["type"] == "visitor.page" and item.get("watch") == conversation.pk:
                        return status, frame
            return status, None
        finally:
            await layer.group_discard(group, channel)

    status, frame = async_to_sync(listen)()
    assert status == 204
    assert frame is not None
    assert frame["conversation"] == conversation.pk and frame["title"] == "Your cart"
