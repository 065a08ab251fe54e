"""The audit log: agent and admin actions with actor, time and target; read-only in the admin;
kept through erasure without the shopper's personal data."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from rest_framework.test import APIClient

from audit.models import AuditEntry
from chat import services
from chat.access import Actor
from orders.models import ApiToken, Customer
from orders.privacy import customer_erase
from orders.services import customer_upsert
from tests.factories import make_agent, make_token, make_visitor, shopper_says

pytestmark = pytest.mark.django_db


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_assign_transfer_unassign_and_resolve_are_recorded_with_actor_and_target() -> None:
    ana, bo = make_agent("ana"), make_agent("bo")
    conversation = shopper_says(make_visitor(), "hi").conversation
    services.conversation_assign(
        actor=Actor(user=ana), conversation_id=conversation.pk, assignee_id=ana.pk
    )
    services.conversation_assign(
        actor=Actor(user=ana), conversation_id=conversation.pk, assignee_id=bo.pk
    )
    services.conversation_status_set(
        actor=Actor(user=bo), conversation_id=conversation.pk, status="resolved"
    )
    services.conversation_assign(
        actor=Actor(user=bo), conversation_id=conversation.pk, assignee_id=None
    )
    rows = list(
        AuditEntry.objects.filter(target_type="conversation")
        .order_by("pk")
        .values_list("action", "actor_id", "actor_name", "target_id")
    )
    target = str(conversation.pk)
    assert rows == [
        ("conversation.assign", ana.pk, "ana", target),
        ("conversation.transfer", ana.pk, "ana", target),
        ("conversation.resolve", bo.pk, "bo", target),
        ("conversation.unassign", bo.pk, "bo", target),
    ]
    transfer = _entries("conversation.transfer")[0]
    assert transfer.details["previous_assignee_id"] == ana.pk
    assert transfer.details["assignee_id"] == bo.pk
    assert transfer.at is not None


def test_merge_export_and_erase_name_who_did_it_and_survive_the_erasure() -> None:
    agent = make_agent("ana")
    keep, _ = customer_upsert(external_id="c-1", data={"name": "Jane Roe", "email": "j@x.io"})
    other = Customer.objects.create(name="Jane R.", email="jane@elsewhere.example")
    client = APIClient()
    client.force_authenticate(agent)
    merged = client.post(
        "/api/v1/contacts/merge", {"customer": keep.pk, "other": other.pk}, format="json"
    )
    assert merged.status_code == 200, merged.content
    shop = APIClient()
    token_key = make_token()
    shop.credentials(HTTP_AUTHORIZATION=f"Token {token_key}")
    token = ApiToken.objects.latest("pk")
    assert shop.get("/api/v1/customers/c-1/export").status_code == 200
    assert shop.post("/api/v1/customers/c-1/erase").status_code == 200

    merge = _entries("customer.merge")[0]
    assert (merge.actor_id, merge.target_id) == (agent.pk, str(keep.pk))
    assert merge.details == {"merged_id": other.pk, "reason": "agent"}
    export, erase = _entries("customer.export")[0], _entries("customer.erase")[0]
    for entry in (export, erase):
        assert (entry.actor_kind, entry.actor_id) == ("token", token.pk)
        assert entry.target_id == str(keep.pk)
    # Nothing of the shopper's is in the log, and the erasure left the log whole.
    dump = json.dumps(list(AuditEntry.objects.values()), default=str)
    for personal in ("Jane", "j@x.io", "jane@elsewhere", "c-1"):
        assert personal not in dump
    customer_erase(customer=Customer.objects.get(pk=keep.pk))
    assert AuditEntry.objects.filter(action="customer.merge").count() == 1


def _admin_client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_admin_changes_and_token_creation_are_recorded_without_values() -> None:
    root = User.objects.create_superuser("root", "root@example.com", "pw")
    client = _admin_client(root)
    added = client.post(
        "/admin/orders/apitoken/add/", {"name": "shop app", "scope": "read_write", "active": "on"}
    )
    assert added.status_code == 302, added.content[:500]
    token = ApiToken.objects.get(name="shop app")
    created = _entries("token.created")[0]
    assert (created.actor_id, created.target_type, created.target_id) == (
        root.pk,
        "orders.apitoken",
        str(token.pk),
    )
    customer, _ = customer_upsert(external_id="c-9", data={"name": "Sam Shopper"})
    changed = client.post(
        f"/admin/orders/customer/{customer.pk}/change/",
        {
            "external_id": "c-9",
            "name": "Sam Shopper",
            "email": "",
            "phone": "",
            "language": "",
            "vip_tier": customer.vip_tier,
            "tags": "[]",
            "notes": "Called twice about a refund",
            "consents-TOTAL_FORMS": "0",
            "consents-INITIAL_FORMS": "0",
            "consents-MIN_NUM_FORMS": "0",
            "consents-MAX_NUM_FORMS": "1000",
        },
    )
    assert changed.status_code == 302, changed.content.decode()[:3000]
    entry = _entries("admin.change")[0]
    assert entry.target_type == "orders.customer" and entry.target_id == str(customer.pk)
    assert "notes" in [f.lower() for f in entry.details["fields"]] or entry.details["fields"]
    assert "Sam" not in json.dumps(entry.details) and "refund" not in json.dumps(entry.details)


def test_managers_read_the_log_in_the_admin_and_nobody_edits_it() -> None:
    agent = make_agent("ana")
    conversation = shopper_says(make_visitor(), "hi").conversation
    services.conversation_assign(
        actor=Actor(user=agent), conversation_id=conversation.pk, assignee_id=agent.pk
    )
    entry = AuditEntry.objects.get()
    manager = User.objects.create_user("max", password="x", is_staff=True)
    manager.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    client = _admin_client(manager)
    listing = client.get("/admin/audit/auditentry/")
    assert listing.status_code == 200 and "ana" in listing.content.decode()
    detail = client.get(f"/admin/audit/auditentry/{entry.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()  # shown, not a form to save
    assert client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {}).status_code == 403
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    # Even a superuser cannot edit or delete it there.
    root = _admin_client(User.objects.create_superuser("root", "r@example.com", "pw"))
    assert root.post(f"/admin/audit/auditentry/{entry.pk}/change/", {}).status_code == 403
    assert (
        root.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    # An agent without the permission does not see it.
    assert _admin_client(agent).get("/admin/audit/auditentry/").status_code == 302
    with pytest.raises(ValueError):
        entry.save()
    assert AuditEntry.objects.count() == 1


def test_a_bulk_delete_in_the_admin_records_every_object() -> None:
    """Django logs two or more deletions with one bulk insert (no ``post_save``): each deleted
    object still gets its entry, and a single deletion gets exactly one."""
    root = User.objects.create_superuser("root", "root@example.com", "pw")
    client = _admin_client(root)
    for n in range(4):
        make_token(name=f"app {n}")
    tokens = list(ApiToken.objects.filter(name__startswith="app ").order_by("pk"))
    ids = [str(t.pk) for t in tokens[:3]]
    deleted = client.post(
        "/admin/orders/apitoken/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert deleted.status_code == 302, deleted.content.decode()[:2000]
    assert ApiToken.objects.filter(pk__in=ids).count() == 0
    entries = _entries("admin.delete")
    assert sorted(e.target_id for e in entries) == sorted(ids)
    assert {(e.actor_id, e.target_type) for e in entries} == {(root.pk, "orders.apitoken")}
    single = client.post(
        "/admin/orders/apitoken/",
        {"action": "delete_selected", "_selected_action": [str(tokens[3].pk)], "post": "yes"},
    )
    assert single.status_code == 302
    assert [e.target_id for e in _entries("admin.delete")].count(str(tokens[3].pk)) == 1


def test_a_report_downloaded_as_csv_is_recorded_with_its_range() -> None:
    root = User.objects.create_superuser("root", "root@example.com", "pw")
    client = _admin_client(root)
    page = client.get("/admin/reports/?format=csv&table=daily&start=2026-11-01&end=2026-11-07")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/csv")
    (entry,) = _entries("report.export")
    assert (entry.actor_id, entry.target_type) == (root.pk, "report")
    assert entry.target_id.endswith("/daily")
    assert entry.details["start"] == "2026-11-01" and entry.details["zone"]
    # Reading the page is not an export.
    assert client.get("/admin/reports/").status_code == 200
    assert len(_entries("report.export")) == 1
