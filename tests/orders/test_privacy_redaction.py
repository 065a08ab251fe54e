"""Export, erasure and the masking of card numbers."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from chat.redaction import redact_sensitive
from orders import privacy, services
from tests.factories import (
    agent_says,
    conversation_of,
    customer_with_orders,
    make_agent,
    shopper_says,
    verified_visitor,
)

pytestmark = pytest.mark.django_db

PII = [
    "Ana Lima",
    "ana@example.com",
    "900 000 000",
    "cust-ana",
    "JD000000",
    "Rua das Flores 5",
    "+351 912 345 678",
    "Avenida Liberdade 10",
]


def _setup():
    customer = customer_with_orders("cust-ana", n=2)
    services.consent_set(customer=customer, granted=True, source="checkout")
    visitor = verified_visitor(
        customer, name="Ana Lima", email="ana@example.com", current_url="/p/mug/"
    )
    conversation = conversation_of(visitor, "Deliver to Rua das Flores 5 please, ana@example.com")
    agent_says(make_agent(), conversation, "Sure Ana Lima")
    services.browsing_event_record(kind="page_view", url="/p/mug/", customer_id=customer.pk)
    _side_records(conversation)
    return customer, conversation


def _side_records(conversation) -> None:
    """What a shopper leaves outside messages: a leave-a-message form, a CSAT comment, and the
    bot's copy of a question it could not answer."""
    from django.utils import timezone

    from chat.models import LeftMessage, Message, SatisfactionRating, UnmatchedQuestion

    LeftMessage.objects.create(
        conversation=conversation, phone="+351 912 345 678", body="Call me, Avenida Liberdade 10"
    )
    SatisfactionRating.objects.create(
        conversation=conversation, resolved_at=timezone.now(), rating=2, comment="Ana Lima here"
    )
    first = Message.objects.filter(conversation=conversation).order_by("seq").first()
    UnmatchedQuestion.objects.create(
        conversation=conversation,
        message=first,
        text="Deliver to Rua das Flores 5 please",
        language="en",
        created_at=timezone.now(),
    )


def test_export_has_profile_orders_conversations_messages(shop) -> None:
    customer, conversation = _setup()
    response = shop.get("/api/v1/customers/cust-ana/export")
    assert response.status_code == 200
    data = response.json()
    assert data["profile"]["email"] == "ana@example.com"
    assert len(data["orders"]) == 2 and data["orders"][0]["items"]
    assert data["consents"][0]["source"] == "checkout"
    (exported,) = data["conversations"]
    assert exported["id"] == conversation.pk
    assert [m["body"] for m in exported["messages"]][:2] == [
        "Deliver to Rua das Flores 5 please, ana@example.com",
        "Sure Ana Lima",
    ]


def _all_text() -> str:
    """Every text and JSON column of the project's tables, dumped as one string."""
    chunks = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND data_type IN "
            "('text', 'character varying', 'jsonb') "
            "AND (table_name LIKE 'orders_%%' OR table_name LIKE 'chat_%%' "
            "OR table_name LIKE 'analytics_%%')"
        )
        for table, column in cursor.fetchall():
            cursor.execute(f'SELECT "{column}"::text FROM "{table}"')
            chunks.extend(str(row[0]) for row in cursor.fetchall())
    return "\n".join(chunks)


def test_erase_leaves_nothing_identifying(shop) -> None:
    customer, conversation = _setup()
    assert all(p in _all_text() for p in PII)
    response = shop.post("/api/v1/customers/cust-ana/erase", format="json")
    assert response.status_code == 200 and response.json()["erased"] is True
    text = _all_text()
    for value in PII:
        assert value not in text, (
            value,
            text[max(0, text.find(value) - 30) : text.find(value) + 80],
        )
    # Facts stay: the conversation, its message count and the orders' amounts.
    conversation.refresh_from_db()
    assert conversation.last_seq >= 2
    assert customer.orders.count() == 2
    assert json.dumps(privacy.customer_export(customer=customer)).count("[erased]") >= 2
    # The shop cannot find it by its old id any more.
    assert shop.get("/api/v1/customers/cust-ana").status_code == 404


def test_erase_needs_a_write_token(shop_read) -> None:
    _setup()
    assert shop_read.post("/api/v1/customers/cust-ana/erase").status_code == 403


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my card 4111 1111 1111 1111 thanks", "my card •••• •••• •••• 1111 thanks"),
        ("4111-1111-1111-1111", "••••-••••-••••-1111"),
        ("num 4111111111111111", "num ••••••••••••1111"),
        ("order 100234 phone +1 415 555 0100", "order 100234 phone +1 415 555 0100"),
        ("iban 12345678901234567890", "iban ••••••••••••••••7890"),
        ("short 123456789012", "short 123456789012"),
    ],
)
def test_redaction(text, expected) -> None:
    assert redact_sensitive(text) == expected


def test_card_numbers_masked_before_storage() -> None:
    from tests.factories import make_visitor

    message = shopper_says(make_visitor(), "pay with 5500 0000 0000 0004 ok?")
    message.refresh_from_db()
    assert message.body == "pay with •••• •••• •••• 0004 ok?"
    # Agents' own messages are not rewritten.
    reply = agent_says(make_agent(), message.conversation, "ref 1234567890123456")
    assert reply.body == "ref 1234567890123456"
