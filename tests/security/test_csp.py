"""The Content-Security-Policy on the desk, the admin and the storefront (headers and pages);
tests/e2e/conftest.py makes every browser test fail on a violation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.factories import make_agent

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _policy(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


def _strict(policy: dict[str, list[str]]) -> None:
    scripts = policy["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert "'self'" in scripts
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert policy["script-src-attr"] == ["'none'"]


def test_desk_admin_storefront_and_login_carry_a_strict_policy() -> None:
    agent = make_agent()
    desk = Client()
    desk.force_login(agent)
    root = Client()
    root.force_login(User.objects.create_superuser("root", "r@example.com", "pw"))
    pages = {
        "desk": desk.get("/desk/"),
        "login": Client().get("/accounts/login/"),
        "admin": root.get("/admin/"),
        "admin form": root.get("/admin/orders/order/add/"),
        "reports": root.get("/admin/reports/"),
        "storefront": Client().get("/"),
        "api docs": Client().get("/api/docs/"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        policy = _policy(response)
        _strict(policy)
        # The sockets: this host's ws/wss, nothing else.
        assert {"ws://testserver", "wss://testserver"} <= set(policy["connect-src"]), name
        assert not any(v in ("ws:", "wss:", "*") for v in policy["connect-src"]), name
        # The widget shows attachments from blob: URLs.
        assert "blob:" in policy["img-src"] and "blob:" in policy["media-src"], name
        html = response.content.decode()
        inline = [
            tag
            for tag in re.findall(r"<script\b[^>]*>", html)
            if "src=" not in tag and "application/json" not in tag
        ]
        assert inline == [], (name, inline)


def test_attachments_keep_their_own_sandbox_policy() -> None:
    from chat.attachments.views import SANDBOX_CSP

    assert "sandbox" in SANDBOX_CSP  # set by the view; the middleware leaves a set header alone


def test_templates_have_no_inline_script_or_handler() -> None:
    found = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                found.append((path.name, tag))
        for handler in re.findall(r"\son[a-z]+\s*=\s*[\"']", text):
            found.append((path.name, handler))
        if "javascript:" in text:
            found.append((path.name, "javascript:"))
    assert found == []
