"""What the workspace's channel features read: the contact search of "merge contacts", and the
Chinese catalogue covering every string of parts/channels.js and the channel modules it uses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from orders.models import ContactIdentity, Customer
from tests.factories import make_agent

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    ROOT / "static/workspace/parts/channels.js",
    ROOT / "static/workspace/channel-window.js",
    ROOT / "static/workspace/channel-contacts.js",
    ROOT / "static/workspace/channel-badge.js",
]


def test_contact_search_finds_by_any_address_and_needs_an_agent() -> None:
    wei = Customer.objects.create(name="Wei Zhang")
    ContactIdentity.objects.create(customer=wei, kind="whatsapp", value="+8613800138000")
    Customer.objects.create(name="Jane", email="jane@example.com")
    Customer.objects.create(name="Gone", email="gone@example.com", erased_at="2026-01-01T00:00Z")
    api = APIClient()
    assert api.get("/api/v1/contacts", {"q": "wei"}).status_code in (401, 403)
    api.force_authenticate(make_agent())
    by_number = api.get("/api/v1/contacts", {"q": "13800138"}).json()
    assert [c["id"] for c in by_number] == [wei.pk]
    assert by_number[0]["identities"] == [
        {"kind": "whatsapp", "value": "+8613800138000", "verified": False}
    ]
    assert [c["name"] for c in api.get("/api/v1/contacts", {"q": "example.com"}).json()] == ["Jane"]
    assert api.get("/api/v1/contacts", {"q": "w"}).status_code == 400


def test_every_channel_string_of_the_workspace_has_a_chinese_translation() -> None:
    client = Client()
    client.force_login(make_agent())
    catalog = json.loads(
        client.get(
            reverse("javascript-catalog"), headers={"accept-language": "zh-hans"}
        ).content.decode()
    )["catalog"]
    used: set[str] = set()
    for source in SOURCES:
        text = source.read_text()
        used |= set(re.findall(r'\bt\(\s*"((?:[^"\\]|\\.)*)"', text))
    assert len(used) > 40
    missing = sorted(s for s in used if s not in catalog)
    assert missing == []
