"""Admin: tokens show their key once; customers export and erase from the list actions."""

from __future__ import annotations

import json
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from orders.models import ApiToken, Customer, token_hash
from tests.factories import customer_with_orders

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_() -> Client:
    user = User.objects.create_superuser("root", "root@example.com", "pw")
    client = Client()
    client.force_login(user)
    return client


def test_token_created_in_admin_shows_key_once(admin_client_) -> None:
    response = admin_client_.post(
        "/admin/orders/apitoken/add/",
        {"name": "Shopify sync", "scope": "read_write", "active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    key = re.search(r"shown again: ([A-Za-z0-9_\-]{20,})", response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.key_hash == token_hash(key) and token.can_write
    assert (
        key not in admin_client_.get(f"/admin/orders/apitoken/{token.pk}/change/").content.decode()
    )


def test_export_and_erase_actions(admin_client_) -> None:
    customer = customer_with_orders("cust-admin", n=1)
    export = admin_client_.post(
        "/admin/orders/customer/",
        {"action": "export_json", "_selected_action": [customer.pk]},
    )
    assert export.status_code == 200 and export["Content-Type"].startswith("application/json")
    data = json.loads(export.content)
    assert data["profile"]["external_id"] == "cust-admin" and len(data["orders"]) == 1
    erase = admin_client_.post(
        "/admin/orders/customer/",
        {"action": "erase", "_selected_action": [customer.pk]},
        follow=True,
    )
    assert erase.status_code == 200
    customer.refresh_from_db()
    assert customer.erased_at is not None and customer.email == "" and customer.name == ""
    assert not Customer.objects.filter(external_id="cust-admin").exists()
