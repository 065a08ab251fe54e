"""The API channel end to end: the shop's app posts a shopper's message with the channel's
token; the agent's reply reaches the app's webhook (a real local HTTP server) signed, retried
on an outage, failed on a refusal; a repeat stores nothing; a bad token or payload is 4xx."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from rest_framework.test import APIClient

from chat.access import Actor
from chat.models import Channel, Conversation, Message
from chat.services import message_send
from inboxes.api.tokens import token_issue, webhook_secret_issue
from inboxes.api.webhooks import signature, verify
from inboxes.models import OutboundDelivery
from orders.models import ContactIdentity, Customer
from tests.factories import make_agent
from tests.providers import http_recorder

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_channel() -> Channel:
    return Channel.objects.create(name="Shop app", kind="api")


@pytest.fixture
def app(api_channel: Channel) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(api_channel)}")
    return client


def post_message(
    app: APIClient, message_id: str = "m-1", body: str = "Is it in stock?", **contact: Any
) -> Any:
    payload = {
        "message_id": message_id,
        "contact": {"id": "user-9", "name": "Li Lei", **contact},
        "body": body,
    }
    return app.post("/api/v1/channel/messages", payload, format="json")


def test_app_message_opens_a_conversation_and_a_repeat_stores_nothing(
    app, api_channel, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        first = post_message(app)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["duplicate"] is False and body["message"]["channel"] == "api"
    with django_capture_on_commit_callbacks(execute=True):
        again = post_message(app)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["message"]["id"] == body["message"]["id"]
    conversation = Conversation.objects.get(channel=api_channel)
    assert conversation.messages.count() == 1
    assert conversation.visitor.name == "Li Lei"


@pytest.mark.parametrize(
    ("header", "payload", "status"),
    [
        (
            "Bearer hdc_00000000000000000000000000000000_nope",
            {"message_id": "x", "contact": {"id": "u"}, "body": "hi"},
            401,
        ),
        (None, {"message_id": "x", "contact": {"id": "u"}, "body": "hi"}, 401),
        ("token", {"message_id": "x", "body": "hi"}, 400),
        ("token", {"message_id": "", "contact": {"id": "u"}, "body": "hi"}, 400),
        ("token", {"message_id": "x", "contact": {"id": "u"}, "body": ""}, 400),
        (
            "token",
            {"message_id": "x", "contact": {"id": "u"}, "body": "hi", "conversation": "abc"},
            400,
        ),
    ],
)
def test_bad_token_or_payload_is_4xx_and_stores_nothing(
    api_channel, header, payload, status
) -> None:
    client = APIClient()
    if header == "token":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(api_channel)}")
    elif header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.post("/api/v1/channel/messages", payload, format="json")
    assert response.status_code == status, response.content
    assert "code" in response.json()
    assert not Message.objects.exists()


def test_agent_reply_reaches_the_app_webhook_signed_and_the_next_message_joins(
    app, api_channel, django_capture_on_commit_callbacks
) -> None:
    with http_recorder() as (url, recorder):
        registered = app.put("/api/v1/channel/webhook", {"url": url + "/hook"}, format="json")
        assert registered.status_code == 200
        secret = registered.json()["secret"]
        with django_capture_on_commit_callbacks(execute=True):
            post_message(app)
        conversation = Conversation.objects.get(channel=api_channel)
        agent = make_agent()
        with django_capture_on_commit_callbacks(execute=True):
            reply, _ = message_send(
                actor=Actor(user=agent),
                client_id="a1",
                body="Yes, 3 left.",
                conversation_id=conversation.pk,
            )
        headers, raw = recorder.wait(1)[0]
        assert verify(
            secret,
            body=raw,
            timestamp=headers["x-helpdesk-timestamp"],
            signature_header=headers["x-helpdesk-signature"],
        )
        assert not verify(
            "whsec_other",
            body=raw,
            timestamp=headers["x-helpdesk-timestamp"],
            signature_header=headers["x-helpdesk-signature"],
        )
        # An old timestamp is a replay, whatever its signature.
        old = int(time.time()) - 3600
        assert not verify(
            secret, body=raw, timestamp=str(old), signature_header=signature(secret, old, raw)
        )
        event = json.loads(raw)
        assert event["type"] == "message.created" and event["id"] == headers["x-helpdesk-event-id"]
        assert event["data"]["contact"]["id"] == "user-9"
        assert (
            event["data"]["message"]["body"] == "Yes, 3 left."
            and event["data"]["conversation"] == conversation.pk
        )
        assert OutboundDelivery.objects.get(message=reply).status == "sent"
        with django_capture_on_commit_callbacks(execute=True):
            response = post_message(app, "m-2", "Great, thanks")
        assert response.json()["conversation"] == conversation.pk


def test_app_outage_is_retried_then_sent_and_a_refusal_fails(
    app, api_channel, django_capture_on_commit_callbacks
) -> None:
    with http_recorder() as (url, recorder):
        webhook_secret_issue(api_channel, url)
        with django_capture_on_commit_callbacks(execute=True):
            post_message(app)
        conversation = Conversation.objects.get()
        agent = make_agent()
        recorder.statuses = [503, 200]
        with django_capture_on_commit_callbacks(execute=True):
            first, _ = message_send(
                actor=Actor(user=agent), client_id="a1", body="one", conversation_id=conversation.pk
            )
        delivery = OutboundDelivery.objects.get(message=first)
        assert delivery.status == "sent" and delivery.attempts == 2
        ids = {json.loads(body)["id"] for _h, body in recorder.posts}
        assert len(ids) == 1  # the retry is the same event: the app dedupes on its id
        recorder.statuses = [410]
        with django_capture_on_commit_callbacks(execute=True):
            second, _ = message_send(
                actor=Actor(user=agent), client_id="a2", body="two", conversation_id=conversation.pk
            )
        failed = OutboundDelivery.objects.get(message=second)
        assert failed.status == "failed" and failed.attempts == 1 and "410" in failed.error


def test_verified_external_id_links_the_app_contact_to_the_shop_customer(
    app, django_capture_on_commit_callbacks
) -> None:
    customer = Customer.objects.create(external_id="cust-77", name="Li Lei")
    with django_capture_on_commit_callbacks(execute=True):
        post_message(app, external_id="cust-77", email="li@example.com")
    conversation = Conversation.objects.get()
    assert conversation.customer_id == customer.pk
    assert ContactIdentity.objects.filter(
        customer=customer, kind="email", value="li@example.com", verified=True
    ).exists()


def test_history_is_read_by_cursor(app, api_channel, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        conversation_id = post_message(app).json()["conversation"]
        post_message(app, "m-2", "second")
    response = app.get(f"/api/v1/channel/conversations/{conversation_id}/messages?after_seq=1")
    assert response.status_code == 200
    assert [m["body"] for m in response.json()["messages"]] == ["second"]
    other = Channel.objects.create(name="Other app", kind="api")
    stranger = APIClient()
    stranger.credentials(HTTP_AUTHORIZATION=f"Bearer {token_issue(other)}")
    assert (
        stranger.get(f"/api/v1/channel/conversations/{conversation_id}/messages").status_code == 404
    )


def test_example_client_verifies_what_the_desk_signs() -> None:
    """docs/channels.md's example client uses the same check as the desk's own."""
    from examples import api_channel_client as example

    secret, body, ts = "whsec_x", b'{"id":"e1"}', int(time.time())
    assert example.verify(secret, body, str(ts), signature(secret, ts, body))
    assert not example.verify(secret, body, str(ts - 1000), signature(secret, ts - 1000, body))


def test_typing_and_status_reach_the_app(
    app, api_channel, django_capture_on_commit_callbacks
) -> None:
    from chat.events import typing_frame
    from chat.services import conversation_status_set
    from inboxes.api import events as api_events

    with http_recorder() as (url, recorder):
        webhook_secret_issue(api_channel, url)
        api_events._api_channels = (0.0, frozenset())  # the cache saw no webhook yet
        with django_capture_on_commit_callbacks(execute=True):
            conversation_id = post_message(app).json()["conversation"]
        conversation = Conversation.objects.get(pk=conversation_id)
        agent = make_agent()
        typing_frame(actor=Actor(user=agent), conversation=conversation, on=True)
        typing_frame(actor=Actor(user=agent), conversation=conversation, on=True)  # throttled
        with django_capture_on_commit_callbacks(execute=True):
            conversation_status_set(
                actor=Actor(user=agent), conversation_id=conversation_id, status="resolved"
            )
        recorder.wait(2)
        types = [json.loads(body)["type"] for _h, body in recorder.posts]
        assert types == ["typing", "conversation.updated"]
        status = json.loads(recorder.posts[1][1])["data"]
        assert status["status"] == "resolved" and status["contact"]["id"] == "user-9"
