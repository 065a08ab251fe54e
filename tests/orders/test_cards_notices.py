"""Cards sent by agents and proactive order messages told to shoppers."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient

from chat.models import Conversation, Message
from chat.services import visitor_token_make
from helpdesk.asgi import application
from orders import services
from orders.models import Customer, Order
from tests.factories import conversation_of, customer_with_orders, make_agent, verified_visitor

pytestmark = pytest.mark.django_db


def agent_client() -> APIClient:
    client = APIClient()
    client.force_authenticate(make_agent())
    return client


def test_agent_sends_order_and_product_cards() -> None:
    customer = customer_with_orders(n=2)
    conversation = conversation_of(verified_visitor(customer), "Where is my order?")
    order = Order.objects.filter(customer=customer).latest("placed_at")
    client = agent_client()
    url = f"/api/v1/conversations/{conversation.pk}/cards"
    response = client.post(url, {"type": "order", "id": order.pk, "client_id": "k1"}, format="json")
    assert response.status_code == 201, response.content
    message = response.json()
    assert message["kind"] == "card" and message["card"]["type"] == "order"
    card = message["card"]
    assert card["title"] == order.number and card["status"] == "delivered"
    assert card["price"] == "20.00" and card["shipment"]["carrier"] == "DHL"
    assert "customer_id" not in card
    again = client.post(url, {"type": "order", "id": order.pk, "client_id": "k1"}, format="json")
    assert again.status_code == 200 and again.json()["id"] == message["id"]
    product, _ = services.product_upsert(
        external_id="P1", data={"name": "Mug", "price": "9.00", "image_url": "/static/mug.png"}
    )
    response = client.post(
        url, {"type": "product", "id": product.pk, "client_id": "k2"}, format="json"
    )
    assert response.json()["card"] == {
        **response.json()["card"],
        "type": "product",
        "title": "Mug",
        "price": "9.00",
        "image": "/static/mug.png",
    }


def test_order_card_of_another_customer_is_refused() -> None:
    mine = customer_with_orders("c-1", n=1)
    other = customer_with_orders("c-2", n=1)
    conversation = conversation_of(verified_visitor(mine), "Where is my order?")
    foreign = Order.objects.filter(customer=other).get()
    response = agent_client().post(
        f"/api/v1/conversations/{conversation.pk}/cards",
        {"type": "order", "id": foreign.pk, "client_id": "k1"},
        format="json",
    )
    assert response.status_code == 404
    assert not Message.objects.filter(kind="card").exists()


def _delay(customer_external_id: str = "c-1") -> None:
    services.shipment_upsert(
        external_id=f"{customer_external_id}-s0",
        data={"order": f"{customer_external_id}-o0", "status": "delayed"},
    )


def test_delayed_shipment_tells_shopper_in_their_language(
    django_capture_on_commit_callbacks,
) -> None:
    customer = customer_with_orders(n=1)
    conversation = conversation_of(
        verified_visitor(customer, language="zh-CN"), "Where is my order?"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _delay()
    notice = Message.objects.filter(conversation=conversation, sender_kind="system").get()
    assert notice.kind == "card" and notice.card["type"] == "order"
    assert "#c-1-0" in notice.body and "延误" in notice.body
    conversation.refresh_from_db()
    assert conversation.flag_reason == "shipment.delayed" and conversation.flagged_at
    # A repeated report of the same delay tells nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        _delay()
    assert Message.objects.filter(sender_kind="system").count() == 1


def test_cancelled_order_notice_in_english_and_opt_out(django_capture_on_commit_callbacks) -> None:
    customer = customer_with_orders(n=2)
    conversation = conversation_of(
        verified_visitor(customer, language="en-GB"), "Where is my order?"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.order_status_set(external_id="c-1-o0", status="cancelled")
    notice = Message.objects.get(conversation=conversation, sender_kind="system")
    assert "has been cancelled" in notice.body
    Customer.objects.filter(pk=customer.pk).update(order_notices_opt_out=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_status_set(external_id="c-1-o1", status="cancelled")
    assert Message.objects.filter(sender_kind="system").count() == 1


def test_resolving_clears_the_flag(django_capture_on_commit_callbacks) -> None:
    from chat import services as chat_services
    from chat.access import Actor

    customer = customer_with_orders(n=1)
    conversation = conversation_of(verified_visitor(customer), "Where is my order?")
    with django_capture_on_commit_callbacks(execute=True):
        _delay()
    agent = make_agent()
    chat_services.conversation_status_set(
        actor=Actor(user=agent), conversation_id=conversation.pk, status="resolved"
    )
    conversation.refresh_from_db()
    assert conversation.flag_reason == ""


@pytest.mark.django_db(transaction=True)
async def test_delay_notice_reaches_open_widget_socket() -> None:
    from asgiref.sync import sync_to_async

    def setup() -> tuple[str, int]:
        customer = customer_with_orders(n=1)
        visitor = verified_visitor(customer, language="en")
        conversation = conversation_of(visitor, "Where is my order?")
        return visitor_token_make(visitor), conversation.pk

    token, conversation_id = await sync_to_async(setup)()
    socket = WebsocketCommunicator(
        application, "/ws/visitor/", headers=[(b"origin", b"http://127.0.0.1")]
    )
    connected, _ = await socket.connect()
    assert connected
    try:
        await socket.send_json_to({"type": "auth", "token": token})
        ready = await socket.receive_json_from(timeout=5)
        assert ready["type"] == "ready" and ready["conversation"]["id"] == conversation_id
        await sync_to_async(_delay)()
        for _ in range(10):
            frame = await socket.receive_json_from(timeout=5)
            if frame["type"] == "message.created":
                break
        assert frame["message"]["sender"]["kind"] == "system"
        assert frame["message"]["kind"] == "card"
        assert "delayed" in frame["message"]["body"]
        stored = await sync_to_async(Conversation.objects.get)(pk=conversation_id)
        assert stored.flag_reason == "shipment.delayed"
    finally:
        await socket.disconnect()


def test_agent_clears_flag_and_searches_catalog(django_capture_on_commit_callbacks) -> None:
    customer = customer_with_orders(n=1)
    conversation = conversation_of(verified_visitor(customer), "Where is my order?")
    with django_capture_on_commit_callbacks(execute=True):
        _delay()
    client = agent_client()
    detail = client.get(f"/api/v1/conversations/{conversation.pk}").json()
    assert detail["flag"]["reason"] == "shipment.delayed" and detail["flag"]["label"]
    assert client.delete(f"/api/v1/conversations/{conversation.pk}/flag").status_code == 204
    assert client.get(f"/api/v1/conversations/{conversation.pk}").json()["flag"] is None
    services.product_upsert(external_id="P1", data={"name": "Linen shirt", "price": "39.00"})
    services.product_upsert(external_id="P2", data={"name": "Wool beanie", "price": "19.00"})
    found = client.get("/api/v1/catalog", {"q": "linen"}).json()["results"]
    assert [p["external_id"] for p in found] == ["P1"]
    assert APIClient().get("/api/v1/catalog").status_code in (401, 403)
