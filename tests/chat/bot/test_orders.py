"""Order questions: status and tracking of the verified customer's own orders, never another
customer's."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from chat.models import BotState, Message
from orders.models import Customer
from orders.services.orders import orders_upsert
from orders.services.shipments import shipment_upsert
from tests.factories import make_visitor

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(db: Any) -> dict[str, Customer]:
    alice = Customer.objects.create(external_id="c-alice", name="Alice")
    bob = Customer.objects.create(external_id="c-bob", name="Bob")
    placed = dt.datetime(2026, 11, 1, 10, tzinfo=dt.UTC)
    orders_upsert(
        orders=[
            {
                "external_id": "o-1",
                "customer": "c-alice",
                "number": "10001",
                "status": "shipped",
                "placed_at": placed,
                "url": "https://shop.example/o/10001",
            },
            {
                "external_id": "o-2",
                "customer": "c-alice",
                "number": "10002",
                "status": "paid",
                "placed_at": placed + dt.timedelta(days=1),
            },
            {
                "external_id": "o-3",
                "customer": "c-bob",
                "number": "20002",
                "status": "shipped",
                "placed_at": placed,
            },
        ]
    )
    shipment_upsert(
        external_id="s-1",
        data={
            "order": "o-1",
            "carrier": "DHL",
            "tracking_number": "JD0001",
            "tracking_url": "https://track.example/JD0001",
            "status": "in_transit",
            "estimated_delivery": dt.date(2026, 11, 25),
        },
    )
    shipment_upsert(
        external_id="s-3",
        data={
            "order": "o-3",
            "carrier": "UPS",
            "tracking_number": "BOBSECRET9",
            "tracking_url": "https://track.example/BOBSECRET9",
            "status": "in_transit",
        },
    )
    return {"alice": alice, "bob": bob}


def _bot(added: list[Message]) -> Message:
    """The bot's answer (its order cards, if any, follow it)."""
    (message,) = [
        m for m in added if m.sender_kind == Message.SenderKind.BOT and m.kind != Message.Kind.CARD
    ]
    return message


def _cards(added: list[Message]) -> list[Message]:
    return [m for m in added if m.kind == Message.Kind.CARD]


def test_verified_customer_gets_status_and_tracking(shop: Any, say: Any) -> None:
    visitor = make_visitor(customer=shop["alice"])
    answer = _bot(say(visitor, "Where is my order?"))
    assert "10001" in answer.body and "10002" in answer.body
    assert "DHL tracking JD0001" in answer.body and "in transit" in answer.body
    assert "https://track.example/JD0001" in answer.body
    assert answer.card["type"] == "bot_orders"
    assert {o["number"] for o in answer.card["orders"]} == {"10001", "10002"}
    assert "20002" not in answer.body and "BOBSECRET9" not in answer.body


def test_the_orders_follow_as_order_cards_and_count_as_answers(shop: Any, say: Any) -> None:
    """The shopper gets each order as the card an agent would send (items, shipment), under
    the intro; the sidebar's "Answers" counts the order answer."""
    visitor = make_visitor(customer=shop["alice"])
    added = say(visitor, "Where is my order?")
    answer = _bot(added)
    assert answer.card["intro"] == "Here are your most recent orders:"
    cards = _cards(added)
    assert [c.sender_kind for c in cards] == ["bot", "bot"]
    assert {c.card["title"] for c in cards} == {"10001", "10002"}
    assert all(c.card["type"] == "order" and c.card["items"] is not None for c in cards)
    shipped = next(c.card for c in cards if c.card.get("shipment"))
    assert shipped["shipment"]["tracking_number"] == "JD0001"
    assert "customer_id" not in shipped
    assert BotState.objects.get(conversation=answer.conversation).answers == 1
    # Asking for a sign-in is no answer.
    _bot(say(make_visitor(), "where is my order"))
    assert sorted(BotState.objects.values_list("answers", flat=True)) == [0, 1]


def test_order_number_of_their_own(shop: Any, say: Any) -> None:
    visitor = make_visitor(customer=shop["alice"])
    answer = _bot(say(visitor, "what's the status of order #10001"))
    assert answer.body.startswith("Here is your order:")
    assert "10002" not in answer.body


def test_another_customers_order_number_never_leaks(shop: Any, say: Any) -> None:
    visitor = make_visitor(customer=shop["alice"])
    answer = _bot(say(visitor, "where is my order 20002"))
    assert "couldn't find order 20002" in answer.body
    assert "BOBSECRET9" not in answer.body and "UPS" not in answer.body
    assert answer.card["orders"] == []
    # Same words as for a number that does not exist at all.
    other = _bot(say(make_visitor(customer=shop["alice"]), "where is my order 99999"))
    assert other.body.replace("99999", "X") == answer.body.replace("20002", "X")


def test_anonymous_shopper_is_asked_to_sign_in(shop: Any, say: Any) -> None:
    visitor = make_visitor()
    answer = _bot(say(visitor, "where is my order 10001?"))
    assert "sign in" in answer.body
    assert answer.card["sign_in"] is True and answer.card["orders"] == []
    assert "JD0001" not in answer.body and "shipped" not in answer.body
    assert [a["id"] for a in answer.card["actions"]] == ["human"]


def test_chinese_order_question(shop: Any, say: Any) -> None:
    visitor = make_visitor(customer=shop["alice"])
    answer = _bot(say(visitor, "我的订单到哪了"))
    assert "您最近的订单" in answer.body and "运输中" in answer.body and "JD0001" in answer.body
    anonymous = _bot(say(make_visitor(), "查一下我的订单"))
    assert "请登录" in anonymous.body


def test_delayed_delivery_hands_over(shop: Any, say: Any) -> None:
    shipment_upsert(external_id="s-1", data={"order": "o-1", "status": "delayed"})
    visitor = make_visitor(customer=shop["alice"])
    added = say(visitor, "where is order 10001")
    assert [m.card["type"] for m in added] == [
        "bot_orders",
        "order",
        "bot_handover",
        "bot_handover_note",
    ]
    assert "delayed" in added[0].body
    assert BotState.objects.get().handover_reason == BotState.Reason.ORDER


def test_customer_without_orders_hands_over(shop: Any, say: Any) -> None:
    carol = Customer.objects.create(external_id="c-carol")
    added = say(make_visitor(customer=carol), "where is my package?")
    assert added[0].card["type"] == "bot_orders" and added[1].card["type"] == "bot_handover"
