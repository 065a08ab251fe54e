"""One customer across channels: identities attach when the link is verified, agents merge
contacts otherwise (histories join, the merge is recorded and shown), and erasure and export
cover every identity."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from chat.models import Channel, Conversation, Message, Visitor
from inboxes.email.receive import email_receive
from inboxes.models import EmailDetail
from orders.models import ContactIdentity, Customer, CustomerMerge
from orders.privacy import customer_erase, customer_export
from orders.services import customer_upsert, customers_merge
from tests.factories import make_agent, make_email_channel, make_visitor, shopper_says
from tests.providers import mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel(settings: Any) -> Channel:
    return make_email_channel()


def agent_client() -> APIClient:
    client = APIClient()
    client.force_login(make_agent())
    return client


def test_integration_api_vouching_for_an_email_joins_the_email_contact(
    channel, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=channel, raw=mail(sender="Jane <jane@example.com>"))
    contact = Conversation.objects.get().customer
    assert contact.external_id is None
    shop_customer, _ = customer_upsert(
        external_id="c-1", data={"name": "Jane Doe", "email": "Jane@Example.com"}
    )
    conversation = Conversation.objects.get()
    assert conversation.customer_id == shop_customer.pk
    assert not Customer.objects.filter(pk=contact.pk).exists()
    identity = ContactIdentity.objects.get(kind="email", value="jane@example.com")
    assert identity.customer_id == shop_customer.pk and identity.verified
    merge = CustomerMerge.objects.get(customer=shop_customer)
    assert merge.reason == "verified" and merge.merged_identities[0]["value"] == "jane@example.com"
    # The next mail from that address lands with the shop's customer.
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=channel, raw=mail(sender="jane@example.com", subject="again"))
    assert set(Conversation.objects.values_list("customer_id", flat=True)) == {shop_customer.pk}


def test_agent_merges_two_contacts_histories_join_and_the_merge_is_shown(
    channel, django_capture_on_commit_callbacks
) -> None:
    web_customer = Customer.objects.create(external_id="c-9", name="Bo")
    visitor = make_visitor(customer=web_customer)
    with django_capture_on_commit_callbacks(execute=True):
        shopper_says(visitor, "hi from the web")
        email_receive(channel=channel, raw=mail(sender="Bo <bo@example.com>"))
    email_conversation = Conversation.objects.get(channel=channel)
    email_contact = email_conversation.customer
    client = agent_client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/contacts/merge",
            {"customer": email_contact.pk, "other": web_customer.pk},
            format="json",
        )
    assert response.status_code == 200, response.content
    assert response.json()["customer"] == web_customer.pk  # the shop's customer stays
    assert {i["value"] for i in response.json()["identities"]} == {"bo@example.com"}
    assert response.json()["merges"][0]["by"]
    assert set(Conversation.objects.values_list("customer_id", flat=True)) == {web_customer.pk}
    note = email_conversation.messages.filter(sender_kind="system", private=True).last()
    assert note is not None and "merged" in note.body.lower()
    # The kept contact's own open conversation shows the merge too.
    web_conversation = Conversation.objects.exclude(channel=channel).get()
    kept_note = web_conversation.messages.filter(sender_kind="system", private=True).last()
    assert kept_note is not None and "merged" in kept_note.body.lower()
    # The sidebar of the web conversation lists the email conversation among past ones.
    sidebar = client.get(f"/api/v1/conversations/{web_conversation.pk}/sidebar")
    if sidebar.status_code == 200:
        ids = [c["id"] for c in sidebar.json()["previous_conversations"]]
        assert email_conversation.pk in ids


def test_merging_two_shop_customers_is_refused() -> None:
    a = Customer.objects.create(external_id="a")
    b = Customer.objects.create(external_id="b")
    from helpdesk.errors import BadRequest

    with pytest.raises(BadRequest):
        customers_merge(keep=a, merge=b)
    response = agent_client().post(
        "/api/v1/contacts/merge", {"customer": a.pk, "other": b.pk}, format="json"
    )
    assert response.status_code == 400


def test_a_claimed_address_never_moves_to_another_customer() -> None:
    from orders.services import identity_attach

    owner = Customer.objects.create(name="owner")
    identity_attach(
        customer=owner, kind="email", value="x@example.com", verified=False, source="inbound"
    )
    other = Customer.objects.create(external_id="shop-2")
    identity_attach(
        customer=other, kind="email", value="x@example.com", verified=False, source="widget"
    )
    assert ContactIdentity.objects.get(value="x@example.com").customer_id == owner.pk


def test_erasure_covers_every_identity_and_channel(
    channel, django_capture_on_commit_callbacks
) -> None:
    customer, _ = customer_upsert(
        external_id="c-5",
        data={"name": "Ann", "email": "ann@example.com", "phone": "+44 20 7946 0000"},
    )
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(
            channel=channel, raw=mail(sender="Ann <ann@example.com>", text="My address is 1 Road")
        )
        shopper_says(make_visitor(customer=customer), "web hello")
    exported = customer_export(customer=Customer.objects.get(pk=customer.pk))
    assert {i["value"] for i in exported["identities"]} >= {"ann@example.com", "+442079460000"}
    assert exported["emails"] and exported["channel_contacts"][0]["address"] == "ann@example.com"
    customer_erase(customer=Customer.objects.get(pk=customer.pk))
    assert not ContactIdentity.objects.filter(customer=customer).exists()
    assert not EmailDetail.objects.exists()
    assert not Visitor.objects.filter(customer=customer).exclude(address="").exists()
    assert set(Message.objects.filter(sender_kind="visitor").values_list("body", flat=True)) == {
        "[erased]"
    }
    # The erased address writes again: a fresh contact, nothing joins the erased one.
    with django_capture_on_commit_callbacks(execute=True):
        email_receive(channel=channel, raw=mail(sender="ann@example.com", subject="new"))
    newest = Conversation.objects.order_by("-pk").first()
    assert newest.customer_id != customer.pk
