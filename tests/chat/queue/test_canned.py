"""Canned replies: search, personal vs shared, placeholders (incl. missing data, no injection)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from chat.access import Actor
from chat.canned import selectors, services
from chat.canned.services import Conflict
from chat.models import CannedReply
from helpdesk.errors import BadRequest, NotFound
from orders.models import Customer
from tests.factories import conversation_of, make_agent

pytestmark = pytest.mark.django_db


def test_search_shared_and_own_prefix_first() -> None:
    me, other = make_agent(), make_agent()
    CannedReply.objects.create(shortcut="refund", title="Refunds", body="Refunds take 5 days.")
    services.canned_create(user=me, shortcut="ref-mine", body="My refund text")
    services.canned_create(user=other, shortcut="refer", body="Not mine")
    CannedReply.objects.create(shortcut="ship", title="Shipping", body="About refund shipping")
    found = [r.shortcut for r in selectors.canned_search(user=me, query="/ref")]
    # Shortcut prefix matches first (mine before shared), then text matches; never another's.
    assert found == ["ref-mine", "refund", "ship"]
    assert [r.shortcut for r in selectors.canned_search(user=me)] == ["ref-mine", "refund", "ship"]


def test_personal_crud_and_validation() -> None:
    me, other = make_agent(), make_agent()
    reply = services.canned_create(user=me, shortcut="/Hello", title="Hi", body="Hello!")
    assert reply.shortcut == "hello" and reply.owner_id == me.pk
    with pytest.raises(Conflict):
        services.canned_create(user=me, shortcut="hello", body="again")
    services.canned_create(user=other, shortcut="hello", body="theirs")  # per owner
    with pytest.raises(BadRequest):
        services.canned_create(user=me, shortcut="has space", body="x")
    with pytest.raises(BadRequest):
        services.canned_create(user=me, shortcut="ok", body="   ")
    updated = services.canned_update(user=me, canned_id=reply.pk, body="Hello there")
    assert updated.body == "Hello there"
    shared = CannedReply.objects.create(shortcut="shared", body="x")
    with pytest.raises(NotFound):
        services.canned_update(user=me, canned_id=shared.pk, body="hijack")
    with pytest.raises(NotFound):
        services.canned_delete(user=other, canned_id=reply.pk)
    services.canned_delete(user=me, canned_id=reply.pk)
    assert not CannedReply.objects.filter(pk=reply.pk).exists()


def test_placeholders_filled_from_customer_order_and_agent() -> None:
    from orders.models import Order

    agent = make_agent(name="Ana")
    customer = Customer.objects.create(external_id="c-1", name="Li Wei", email="li@example.com")
    Order.objects.create(
        customer=customer,
        external_id="o-old",
        number="SO-1",
        status="delivered",
        placed_at=timezone.now() - dt.timedelta(days=9),
    )
    Order.objects.create(
        customer=customer,
        external_id="o-new",
        number="SO-2",
        status="shipped",
        placed_at=timezone.now(),
    )
    conversation = conversation_of(customer=customer, body="hi")
    reply = CannedReply.objects.create(
        shortcut="where",
        body="Hi {{customer.first_name}}, order {{ order.number }} is {{order.status}}. "
        "— {{agent.name}}",
    )
    body, missing = selectors.canned_render(
        actor=Actor(user=agent), canned_id=reply.pk, conversation_id=conversation.pk
    )
    assert body.startswith("Hi Li, order SO-2 is ")
    assert body.endswith("— Ana")
    assert "order.tracking_number" not in missing and missing == []


def test_missing_data_is_empty_and_reported() -> None:
    agent = make_agent(name="Ana")
    conversation = conversation_of(body="hi")  # anonymous visitor, no customer, no orders
    reply = CannedReply.objects.create(
        shortcut="x", body="Dear {{customer.name}}, order {{order.number}}. {{agent.name}}"
    )
    body, missing = selectors.canned_render(
        actor=Actor(user=agent), canned_id=reply.pk, conversation_id=conversation.pk
    )
    assert body == "Dear , order . Ana"
    assert missing == ["customer.name", "order.number"]


def test_fallbacks_fill_placeholders_without_data_in_any_language() -> None:
    agent = make_agent(name="Ana")
    anonymous = conversation_of(body="hi")  # no name, no customer, no orders
    reply = CannedReply.objects.create(
        shortcut="sorry",
        body="Sorry about that, {{customer.name|there}} — I'm {{agent.name|your agent}}. "
        "{{ customer.first_name | 您 }}好，订单{{order.number|}}。{{customer.email}}",
    )
    body, missing = selectors.canned_render(
        actor=Actor(user=agent), canned_id=reply.pk, conversation_id=anonymous.pk
    )
    # The fallback stands in for missing data (trimmed, Chinese too); data wins over it; an empty
    # fallback is the writer's choice and is not reported; only a bare placeholder is missing.
    assert body == "Sorry about that, there — I'm Ana. 您好，订单。"
    assert missing == ["customer.email"]

    named = conversation_of(
        customer=Customer.objects.create(external_id="c-f", name="Li Wei"), body="hi"
    )
    body, missing = selectors.canned_render(
        actor=Actor(user=agent), canned_id=reply.pk, conversation_id=named.pk
    )
    assert body.startswith("Sorry about that, Li Wei — I'm Ana. Li好")


def test_fallback_text_is_literal_and_malformed_ones_stay_as_written() -> None:
    values = dict.fromkeys(selectors.PLACEHOLDERS, "")
    body, missing = selectors.fill_placeholders(
        "{{customer.name|a}b}} {{customer.name|a|b}} {{customer.name|%s <b>}}", values
    )
    assert body == "{{customer.name|a}b}} {{customer.name|a|b}} %s <b>"
    assert missing == []


def test_no_template_injection() -> None:
    agent = make_agent(name="Ana")
    customer = Customer.objects.create(
        external_id="evil", name="{{agent.name}} {% debug %} {{settings.SECRET_KEY}}"
    )
    conversation = conversation_of(customer=customer, body="hi")
    reply = CannedReply.objects.create(
        shortcut="evil",
        body="{{customer.name}} | {{settings.SECRET_KEY}} | {% load static %} | {{ Customer.Name }}",
    )
    body, _missing = selectors.canned_render(
        actor=Actor(user=agent), canned_id=reply.pk, conversation_id=conversation.pk
    )
    # The value is inserted literally (never re-expanded); unknown tags stay as written.
    assert body == (
        "{{agent.name}} {% debug %} {{settings.SECRET_KEY}} | {{settings.SECRET_KEY}} | "
        "{% load static %} | {{ Customer.Name }}"
    )


def test_rest_search_create_render_and_access(client: Client) -> None:
    agent = make_agent(name="Ana")
    client.force_login(agent)
    created = client.post(
        "/api/v1/canned/",
        {"shortcut": "thanks", "body": "Thanks {{customer.name}}!"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    canned_id = created.json()["id"]
    results = client.get("/api/v1/canned/?q=tha").json()["results"]
    assert [r["shortcut"] for r in results] == ["thanks"] and results[0]["shared"] is False
    conversation = conversation_of(name="Zoe", body="hi")
    rendered = client.post(
        f"/api/v1/canned/{canned_id}/render",
        {"conversation": conversation.pk},
        content_type="application/json",
    )
    assert rendered.json() == {"body": "Thanks Zoe!", "missing": []}
    missing = client.post(
        f"/api/v1/canned/{canned_id}/render",
        {"conversation": 999999},
        content_type="application/json",
    )
    assert missing.status_code == 404
    dup = client.post(
        "/api/v1/canned/", {"shortcut": "thanks", "body": "x"}, content_type="application/json"
    )
    assert dup.status_code == 409 and dup.json()["code"] == "conflict"
    patched = client.patch(
        f"/api/v1/canned/{canned_id}", {"title": "Thank you"}, content_type="application/json"
    )
    assert patched.json()["title"] == "Thank you"
    assert client.delete(f"/api/v1/canned/{canned_id}").status_code == 204
    other = make_agent()
    theirs = services.canned_create(user=other, shortcut="secret", body="x")
    assert client.delete(f"/api/v1/canned/{theirs.pk}").status_code == 404
    client.logout()
    assert client.get("/api/v1/canned/").status_code in (401, 403)


def test_demo_replies_are_idempotent_and_read_well_for_an_anonymous_visitor() -> None:
    from chat.canned import demo

    lines: list[str] = []
    demo.load_canned_replies(lines.append)
    demo.load_canned_replies(lines.append)
    assert CannedReply.objects.filter(owner=None).count() == len(demo.DEMO_REPLIES)
    assert "(0 new)" in lines[1]
    agent = make_agent(name="Ana")
    anonymous = conversation_of()
    bodies = {}
    for reply in CannedReply.objects.all():
        body, missing = selectors.canned_render(
            actor=Actor(user=agent), canned_id=reply.pk, conversation_id=anonymous.pk
        )
        assert missing == [] and "{{" not in body and "  " not in body, (reply.shortcut, body)
        bodies[reply.shortcut] = body
    assert bodies["sorry"].startswith("Sorry about that, there — I'm Ana")
    assert bodies["zh-hi"] == "您好，我是Ana，请问有什么可以帮您？"
    # The picker finds them as typed: "/zh" lists the Chinese ones.
    found = {r.shortcut for r in selectors.canned_search(user=agent, query="/zh")}
    assert found >= {"zh-hi", "zh-sorry", "zh-where", "zh-thanks"}
