"""Identity verification through the widget session (CONTRACT.md)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from chat.models import Conversation, Visitor
from orders.models import Customer
from orders.services import identity_signature
from tests.factories import make_visitor, shopper_says, visitor_token

pytestmark = pytest.mark.django_db


def session(body: dict) -> object:
    return APIClient().post("/api/widget/session", body, format="json")


def test_good_signature_links_and_merges_anonymous_history() -> None:
    visitor = make_visitor()
    anonymous = shopper_says(visitor, "before signing in").conversation
    identity = {
        "external_id": "c-77",
        "signature": identity_signature("c-77"),
        "name": "Bea",
        "email": "bea@example.com",
    }
    response = session({"visitor_token": visitor_token(visitor), "identity": identity})
    assert response.status_code == 200, response.content
    assert response.json()["visitor"]["verified"] is True
    customer = Customer.objects.get(external_id="c-77")
    assert customer.name == "Bea"
    anonymous.refresh_from_db()
    assert anonymous.customer_id == customer.pk
    # Another device: same history.
    phone = session({"identity": identity}).json()
    assert phone["conversation"]["id"] == anonymous.pk


@pytest.mark.parametrize(
    "identity",
    [
        {"external_id": "c-1", "signature": "00" * 32},
        {"external_id": "c-1"},
        {"external_id": "c-1", "signature": identity_signature("c-2")},
        {"external_id": "", "signature": identity_signature("")},
        {"signature": identity_signature("c-1")},
        {"external_id": "c-1", "signature": 12345},
    ],
    ids=["bad", "missing", "replayed-for-another-id", "empty-id", "no-id", "not-a-string"],
)
def test_bad_claims_are_refused_and_change_nothing(identity) -> None:
    visitor = make_visitor()
    conversation = shopper_says(visitor, "hi").conversation
    visitors = Visitor.objects.count()
    response = session({"visitor_token": visitor_token(visitor), "identity": identity})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    fresh = session({"identity": identity})
    assert fresh.status_code == 403
    visitor.refresh_from_db()
    conversation.refresh_from_db()
    assert visitor.customer_id is None and conversation.customer_id is None
    assert Visitor.objects.count() == visitors
    assert not Customer.objects.exists()


def test_verified_identity_does_not_take_over_another_customers_history() -> None:
    a = session({"identity": {"external_id": "a", "signature": identity_signature("a")}}).json()
    a_visitor = Visitor.objects.get(customer__external_id="a")
    shopper_says(a_visitor, "mine")
    b = session({"identity": {"external_id": "b", "signature": identity_signature("b")}}).json()
    assert b["conversation"] is None
    assert a["visitor_token"] != b["visitor_token"]
    assert Conversation.objects.get().customer.external_id == "a"
