"""Fixtures for the orders tests: API tokens and clients for the integration API."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from orders.models import ApiToken


def make_token(scope: str = ApiToken.Scope.WRITE, name: str = "shop") -> str:
    token = ApiToken(name=name, scope=scope)
    key = token.set_new_key()
    token.save()
    return key


@pytest.fixture
def shop() -> APIClient:
    """A client with a read-write token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_token()}")
    return client


@pytest.fixture
def shop_read() -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {make_token(ApiToken.Scope.READ)}")
    return client


def order_payload(n: int = 1, customer: str = "c-1", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "external_id": f"o-{n}",
        "customer": customer,
        "number": f"#{1000 + n}",
        "status": "paid",
        "currency": "USD",
        "total": "59.00",
        "placed_at": "2026-11-01T10:00:00Z",
        "items": [
            {"product": "P1", "name": "Canvas sneakers", "quantity": 1, "unit_price": "59.00"}
        ],
    }
    data.update(extra)
    return data
