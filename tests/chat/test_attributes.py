"""Custom attributes: definitions checked in the admin, values typed and checked with clear
messages, all or none, on the conversation and on its contact (customer or visitor), the list
filter, privacy."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient

from chat.models import AttributeDefinition, AttributeValue, Conversation
from helpdesk import dispatch
from tests.factories import conversation_of, customer_with_orders, make_agent, verified_visitor

pytestmark = pytest.mark.django_db
Kind = AttributeDefinition.Kind


@pytest.fixture
def desk() -> APIClient:
    client = APIClient()
    client.force_login(make_agent("ana", name="Ana"))
    return client


@pytest.fixture
def defs() -> dict[str, AttributeDefinition]:
    make = AttributeDefinition.objects.create
    return {
        "order_ref": make(
            applies_to="conversation", key="order_ref", label="Order", kind=Kind.TEXT
        ),
        "refund": make(applies_to="conversation", key="refund", label="Refund", kind=Kind.NUMBER),
        "due": make(applies_to="conversation", key="due", label="Due", kind=Kind.DATE),
        "shipping": make(
            applies_to="conversation",
            key="shipping",
            label="Shipping",
            kind=Kind.LIST,
            options=["Express", "Standard"],
        ),
        "gift": make(applies_to="conversation", key="gift", label="Gift", kind=Kind.CHECKBOX),
        "profile": make(applies_to="contact", key="profile", label="Profile", kind=Kind.LINK),
        "plan": make(
            applies_to="contact", key="plan", label="Plan", kind=Kind.LIST, options=["Free", "Pro"]
        ),
    }


def url(conversation: Conversation) -> str:
    return f"/api/v1/conversations/{conversation.pk}/attributes"


def test_values_are_typed_stored_and_cleared(
    desk: APIClient, defs: dict[str, AttributeDefinition]
) -> None:
    conversation = conversation_of(name="Mia")
    heard: list[dispatch.DomainEvent] = []
    dispatch.subscribe(dispatch.Event.CONVERSATION_ATTRIBUTES_CHANGED, heard.append)
    try:
        response = desk.post(
            url(conversation),
            {
                "conversation": {
                    "order_ref": "  A-1001 ",
                    "refund": "12.50",
                    "due": "2026-12-24",
                    "shipping": "Express",
                    "gift": True,
                },
                "contact": {"profile": "https://shop.example/u/mia", "plan": "Pro"},
            },
            format="json",
        )
    finally:
        dispatch.unsubscribe(dispatch.Event.CONVERSATION_ATTRIBUTES_CHANGED, heard.append)
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["conversation"] == {
        "order_ref": "A-1001",
        "refund": 12.5,
        "due": "2026-12-24",
        "shipping": "Express",
        "gift": True,
    }
    assert data["contact"] == {"profile": "https://shop.example/u/mia", "plan": "Pro"}
    assert [d["key"] for d in data["definitions"]] == [
        "due",
        "gift",
        "order_ref",
        "refund",
        "shipping",
        "plan",
        "profile",
    ]
    assert data["definitions"][4]["options"] == ["Express", "Standard"]
    assert len(heard) == 1 and heard[0].data["changed"]["contact"]["plan"] == "Pro"
    # The anonymous shopper's contact values sit on the visitor.
    assert AttributeValue.objects.filter(visitor=conversation.visitor).count() == 2

    # Clearing and the same value again: only the change is recorded.
    again = desk.post(
        url(conversation), {"conversation": {"gift": None, "refund": 12.5}}, format="json"
    )
    assert "gift" not in again.json()["conversation"]
    assert again.json()["conversation"]["refund"] == 12.5
    assert desk.get(url(conversation)).json()["conversation"]["shipping"] == "Express"


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        ("refund", "twelve", "Enter a number."),
        ("refund", True, "Enter a number."),
        ("refund", "1e20", "Enter a number."),
        ("due", "24/12/2026", "Enter a date as YYYY-MM-DD."),
        ("shipping", "Overnight", "Pick one of: Express, Standard."),
        ("gift", "maybe", "Yes or no."),
        ("order_ref", "x" * 501, "At most 500 characters."),
        ("order_ref", 5, "Enter text."),
    ],
)
def test_a_bad_value_is_refused_with_its_message_and_nothing_changes(
    desk: APIClient, defs: dict[str, AttributeDefinition], key: str, raw: Any, message: str
) -> None:
    conversation = conversation_of()
    response = desk.post(
        url(conversation),
        {"conversation": {"order_ref": "kept?", key: raw} if key != "order_ref" else {key: raw}},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bad_request" and body["fields"] == {f"conversation.{key}": [message]}
    assert not AttributeValue.objects.exists()


def test_bad_links_unknown_keys_and_shapes(
    desk: APIClient, defs: dict[str, AttributeDefinition]
) -> None:
    conversation = conversation_of()
    bad = desk.post(
        url(conversation),
        {"contact": {"profile": "javascript:alert(1)", "nope": 1}},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["fields"] == {
        "contact.profile": ["Enter a link starting with http:// or https://."],
        "contact.nope": ["No such attribute."],
    }
    for body in ({}, {"people": {}}, {"conversation": "x"}, []):
        assert desk.post(url(conversation), body, format="json").status_code == 400
    assert desk.post(
        "/api/v1/conversations/999999/attributes", {"conversation": {}}, format="json"
    ).status_code in (400, 404)
    assert APIClient().get(url(conversation)).status_code in (401, 403)


def test_contact_values_follow_a_known_customer_and_filter_the_list(
    desk: APIClient, defs: dict[str, AttributeDefinition]
) -> None:
    customer = customer_with_orders("c-7", n=0, name="Kai")
    first = conversation_of(verified_visitor(customer))
    other = conversation_of(name="Leo")
    desk.post(
        url(first),
        {"contact": {"plan": "Pro"}, "conversation": {"shipping": "Express"}},
        format="json",
    )
    assert AttributeValue.objects.filter(customer=customer).count() == 1
    # A second device of the same customer sees the contact's values.
    second = conversation_of(verified_visitor(customer))
    assert desk.get(url(second)).json()["contact"] == {"plan": "Pro"}
    desk.post(
        url(other),
        {"contact": {"plan": "Free"}, "conversation": {"order_ref": "B-77"}},
        format="json",
    )

    def listed(spec: str) -> set[int]:
        response = desk.get(
            "/api/v1/conversations/", {"view": "all", "status": "any", "attribute": spec}
        )
        assert response.status_code == 200, response.content
        return {c["id"] for c in response.json()["results"]}

    assert listed("contact.plan:Pro") == {first.pk, second.pk}
    assert listed("conversation.shipping:Express") == {first.pk}
    assert listed("conversation.order_ref:b-7") == {other.pk}
    assert listed("conversation.order_ref:") == {other.pk}
    for spec in ("conversation.nope:1", "plan:Pro", "contact.plan"):
        response = desk.get("/api/v1/conversations/", {"attribute": spec})
        assert response.status_code == 400
    assert desk.get("/api/v1/conversations/", {"attribute": "contact.plan:Gold"}).json()[
        "fields"
    ] == {"attribute": ["Pick one of: Free, Pro."]}


def test_definitions_are_checked_in_the_admin() -> None:
    with pytest.raises(ValidationError):
        AttributeDefinition(
            applies_to="contact", key="plan", label="Plan", kind="list"
        ).full_clean()
    with pytest.raises(ValidationError):
        AttributeDefinition(
            applies_to="contact", key="Bad Key", label="x", kind="text"
        ).full_clean()
    with pytest.raises(ValidationError):
        AttributeDefinition(
            applies_to="contact", key="t", label="x", kind="text", options=["a"]
        ).full_clean()
    AttributeDefinition(
        applies_to="contact", key="plan", label="Plan", kind="list", options=["A", "B"]
    ).full_clean()


def test_erasure_removes_the_customers_values(
    desk: APIClient, defs: dict[str, AttributeDefinition]
) -> None:
    from orders.privacy import customer_erase, customer_export

    customer = customer_with_orders("c-9", n=0)
    conversation = conversation_of(verified_visitor(customer))
    desk.post(
        url(conversation),
        {"contact": {"plan": "Pro"}, "conversation": {"order_ref": "Z"}},
        format="json",
    )
    exported = customer_export(customer=customer)
    assert {(x["key"], x["value"]) for x in exported["custom_attributes"]} == {
        ("plan", "Pro"),
        ("order_ref", "Z"),
    }
    customer_erase(customer=customer)
    assert not AttributeValue.objects.exists()


async def _attribute_frames(comm: Any, quiet: float = 0.6) -> list[dict[str, Any]]:
    """Every ``conversation.attributes_changed`` until the socket is quiet for ``quiet`` s."""
    found = []
    while not await comm.receive_nothing(timeout=quiet):
        frame = await comm.receive_json_from()
        if frame["type"] == "conversation.attributes_changed":
            found.append(frame)
    return found


@pytest.mark.django_db(transaction=True)
async def test_a_change_reaches_the_agents_watching_with_the_values() -> None:
    """The agents with the conversation open get the changed values, so their sidebars follow;
    an agent without it open gets none, and a save that changes nothing sends nothing."""
    from asgiref.sync import sync_to_async

    from chat.access import Actor
    from chat.attributes.services import conversation_attributes_set
    from tests.sockets import agent_socket

    make = AttributeDefinition.objects.create
    await sync_to_async(make)(
        applies_to="conversation", key="shipping", label="Shipping", kind=Kind.LIST,
        options=["Express", "Standard"],
    )  # fmt: skip
    await sync_to_async(make)(applies_to="contact", key="vip", label="VIP", kind=Kind.CHECKBOX)
    ana = await sync_to_async(make_agent)("ana")
    bo = await sync_to_async(make_agent)("bo")
    cy = await sync_to_async(make_agent)("cy")
    conversation = await sync_to_async(conversation_of)(name="Mia")
    watching, elsewhere = await agent_socket(bo), await agent_socket(cy)
    try:
        await watching.send_json_to({"type": "subscribe", "conversation": conversation.pk})
        await _attribute_frames(watching)

        def set_values(values: dict[str, Any]) -> None:
            conversation_attributes_set(
                actor=Actor(user=ana), conversation_id=conversation.pk, values=values
            )

        await sync_to_async(set_values)(
            {"conversation": {"shipping": "Express"}, "contact": {"vip": True}}
        )
        assert await _attribute_frames(watching) == [
            {
                "type": "conversation.attributes_changed",
                "conversation": conversation.pk,
                "changed": {"conversation": {"shipping": "Express"}, "contact": {"vip": True}},
                "by": ana.pk,
            }
        ]
        assert await _attribute_frames(elsewhere, quiet=0.2) == []
        await sync_to_async(set_values)({"conversation": {"shipping": "Express"}})
        assert await _attribute_frames(watching) == []
        await sync_to_async(set_values)({"conversation": {"shipping": None}})
        (cleared,) = await _attribute_frames(watching)
        assert cleared["changed"] == {"conversation": {"shipping": None}}
    finally:
        await watching.disconnect()
        await elsewhere.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_contact_change_reaches_the_same_customers_other_open_conversations() -> None:
    """A contact attribute belongs to the customer: the agents with another of their open
    conversations get it as that conversation's change (a conversation attribute stays with
    its conversation), across the customer's devices; a resolved one and another shopper's
    get nothing."""
    from asgiref.sync import sync_to_async

    from chat.access import Actor
    from chat.attributes.services import conversation_attributes_set
    from tests.sockets import agent_socket

    make = AttributeDefinition.objects.create
    await sync_to_async(make)(applies_to="contact", key="plan", label="Plan", kind=Kind.TEXT)
    await sync_to_async(make)(applies_to="conversation", key="ref", label="Ref", kind=Kind.TEXT)
    ana = await sync_to_async(make_agent)("ana")
    bo = await sync_to_async(make_agent)("bo")

    def conversations() -> tuple[Conversation, Conversation, Conversation, Conversation]:
        customer = customer_with_orders("c-7", n=0)
        here = conversation_of(verified_visitor(customer), body="on the phone")
        other_device = conversation_of(verified_visitor(customer), body="on the laptop")
        done = conversation_of(verified_visitor(customer), body="last week")
        Conversation.objects.filter(pk=done.pk).update(status=Conversation.Status.RESOLVED)
        return here, other_device, done, conversation_of(name="Leo")

    here, other_device, done, stranger = await sync_to_async(conversations)()
    sockets = {}
    try:
        for conversation in (other_device, done, stranger):
            sockets[conversation.pk] = comm = await agent_socket(bo)
            await comm.send_json_to({"type": "subscribe", "conversation": conversation.pk})
            await _attribute_frames(comm)
        await sync_to_async(conversation_attributes_set)(
            actor=Actor(user=ana),
            conversation_id=here.pk,
            values={"contact": {"plan": "Pro"}, "conversation": {"ref": "A-1"}},
        )
        assert await _attribute_frames(sockets[other_device.pk]) == [
            {
                "type": "conversation.attributes_changed",
                "conversation": other_device.pk,
                "changed": {"contact": {"plan": "Pro"}},
                "by": ana.pk,
            }
        ]
        assert await _attribute_frames(sockets[done.pk], quiet=0.2) == []
        assert await _attribute_frames(sockets[stranger.pk], quiet=0.2) == []
        # A conversation attribute alone tells the other conversations nothing.
        await sync_to_async(conversation_attributes_set)(
            actor=Actor(user=ana), conversation_id=here.pk, values={"conversation": {"ref": "B"}}
        )
        assert await _attribute_frames(sockets[other_device.pk], quiet=0.3) == []
    finally:
        for comm in sockets.values():
            await comm.disconnect()
