"""Property-based run of the desk's own REST endpoints (the widget's and the workspace's),
from the OpenAPI document: whatever schemathesis generates, the server answers without a 5xx.
``tests/orders/test_schemathesis.py`` does the same for the integration API; the fixed hostile
bodies of ``tests/faults/test_hostile_input.py`` go to every writable endpoint over real
servers."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.factories import make_agent, make_visitor, shopper_says, visitor_token

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())

EXAMPLES = settings(
    max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
CSRF = "f" * 32  # the same secret in the cookie and the header passes Django's check


@pytest.fixture
def shopper_header() -> dict[str, str]:
    visitor = make_visitor()
    shopper_says(visitor, "hello")
    return {"Authorization": f"Visitor {visitor_token(visitor)}"}


@pytest.fixture
def agent_headers() -> dict[str, str]:
    agent = make_agent()
    shopper_says(make_visitor(), "hello")
    client = Client()
    client.force_login(agent)
    session = client.cookies["sessionid"].value
    return {"Cookie": f"sessionid={session}; csrftoken={CSRF}", "X-CSRFToken": CSRF}


@pytest.mark.django_db(transaction=True)
@schema.include(tag="widget").parametrize()
@EXAMPLES
def test_widget_api_never_5xx(case: Any, shopper_header: dict[str, str]) -> None:
    case.call_and_validate(headers=shopper_header, checks=[not_a_server_error])


@pytest.mark.django_db(transaction=True)
@schema.exclude(tag=["integration", "widget"]).parametrize()
@EXAMPLES
def test_workspace_api_never_5xx(case: Any, agent_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=agent_headers, checks=[not_a_server_error])
