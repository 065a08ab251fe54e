"""A request without a login is told so: ``401 unauthorized`` with a challenge, on every API.

Walks the OpenAPI schema the desk serves, as an outside client would: every operation that
takes a session login (agents, managers) and no other credential, called without one,
answers 401 with the contract's JSON error body and a ``WWW-Authenticate`` header; the
browser-facing JSON never turns into an HTML page or a 403 that means "forbidden".
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def session_only_operations(schema: dict[str, Any]) -> list[tuple[str, str]]:
    global_security = schema.get("security", [])
    found = []
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            security = op.get("security", global_security)
            schemes = {name for requirement in security for name in requirement}
            if schemes == {"cookieAuth"} and {} not in security:
                found.append((method, re.sub(r"\{[^}]+\}", "1", path)))
    return found


def test_every_session_api_answers_401_without_a_login() -> None:
    client = Client()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operations = session_only_operations(schema)
    assert len(operations) >= 10, operations
    wrong = []
    for method, path in operations:
        if method == "get":
            response = client.get(path)
        else:
            response = getattr(client, method)(path, data="{}", content_type="application/json")
        body = response.json() if response["Content-Type"].startswith("application/json") else {}
        if (
            response.status_code != 401
            or body.get("code") != "unauthorized"
            or "WWW-Authenticate" not in response
        ):
            wrong.append((method, path, response.status_code, body.get("code")))
    assert not wrong, wrong
