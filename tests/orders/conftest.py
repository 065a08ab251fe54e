"""Fixtures for the orders tests: API tokens and clients for the integration API."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from orders.models import ApiToken
from tests.factories import make_token


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
