"""Property-based run of the integration API from its own OpenAPI document: whatever
schemathesis generates from /api/schema/, the server answers without a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.factories import make_token

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def token_header() -> dict[str, str]:
    return {"Authorization": f"Token {make_token()}"}


@pytest.mark.django_db(transaction=True)
@schema.include(tag="integration").parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_integration_api_never_5xx(case, token_header) -> None:
    case.call_and_validate(headers=token_header, checks=[not_a_server_error])
