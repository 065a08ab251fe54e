"""WhatsApp Business (Cloud API) end to end against a local server speaking the Cloud API's
documented wire format: webhook verification and signatures, dedupe, media in and out,
statuses → receipts, the 24-hour window with templates, outages retried then failed."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from chat import events
from chat.access import Actor
from chat.attachments import services as media_services
from chat.models import Channel, Conversation, MediaLimits, Message
from chat.services import message_send
from helpdesk.errors import Forbidden
from inboxes.models import ConversationChannelState, ExternalMessage, InboundEvent, OutboundDelivery
from inboxes.whatsapp.config import check_whatsapp_config
from orders.models import ContactIdentity
from tests.chat.attachments import samples
from tests.factories import make_agent
from tests.providers import GraphApi, provider_server

pytestmark = pytest.mark.django_db

TOKEN = "EAAG-test-token"
SECRET = "app-secret-test"
PHONE_ID = "106540352242922"
WA_ID = "8613800138000"
TEMPLATES = [
    {
        "name": "order_update",
        "language": "en_US",
        "body": "Hello {{1}}, there is news about your order {{2}}. Reply to continue.",
    }
]


@pytest.fixture
def graph() -> Iterator[GraphApi]:
    api = GraphApi(TOKEN)
    with provider_server(api):
        yield api


@pytest.fixture
def channel(graph: GraphApi) -> Channel:
    config = check_whatsapp_config(
        {
            "phone_number_id": PHONE_ID,
            "access_token": TOKEN,
            "app_secret": SECRET,
            "verify_token": "verify-me",
            "graph_url": graph.url,
            "templates": TEMPLATES,
        }
    )
    return Channel.objects.create(
        name="WhatsApp", kind="whatsapp", config=config, bot_enabled=False
    )


_n = iter(range(1, 10_000))


def wa_message(kind: str = "text", **fields: Any) -> dict[str, Any]:
    message = {
        "from": WA_ID,
        "id": fields.pop("id", f"wamid.HBgN{next(_n):06d}"),
        "timestamp": str(int(time.time())),
        "type": kind,
    }
    if kind == "text":
        message["text"] = {"body": fields.pop("body", "Where is my order?")}
    message.update(fields)
    return message


def envelope(messages: list[dict[str, Any]] = (), statuses: list[dict[str, Any]] = ()) -> dict:  # type: ignore[assignment]
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": PHONE_ID},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": "Wei Zhang"}, "wa_id": WA_ID}]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


def post(
    client: Client,
    channel: Channel,
    payload: Any,
    *,
    secret: str = SECRET,
    raw: bytes | None = None,
) -> Any:
    body = raw if raw is not None else json.dumps(payload).encode()
    signature = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return client.post(
        f"/inboxes/whatsapp/{channel.public_id}/",
        body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=signature,
    )


def status(wamid: str, state: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": wamid,
        "status": state,
        "timestamp": str(int(time.time())),
        "recipient_id": WA_ID,
        **extra,
    }


def reply(agent: Any, conversation: Conversation, body: str, cid: str, **kw: Any) -> Message:
    message, _ = message_send(
        actor=Actor(user=agent), client_id=cid, body=body, conversation_id=conversation.pk, **kw
    )
    return message


def test_subscription_check_echoes_the_challenge_only_for_the_verify_token(
    channel, client: Client
) -> None:
    url = f"/inboxes/whatsapp/{channel.public_id}/"
    ok = client.get(
        url,
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    wrong = client.get(
        url, {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"}
    )
    assert wrong.status_code == 403
    assert client.get("/inboxes/whatsapp/not-a-channel/").status_code == 404


def test_text_in_reply_out_statuses_as_receipts_and_the_next_message_joins(
    channel, graph: GraphApi, client: Client, django_capture_on_commit_callbacks
) -> None:
    first = wa_message(body="Where is my order #1001?")
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, channel, envelope([first]))
    assert response.status_code == 200, response.content
    conversation = Conversation.objects.get(channel=channel)
    message = conversation.messages.get()
    assert message.body == "Where is my order #1001?" and message.sender_kind == "visitor"
    assert conversation.visitor.address == "+" + WA_ID and conversation.visitor.name == "Wei Zhang"
    assert ContactIdentity.objects.filter(kind="whatsapp", value="+" + WA_ID).exists()
    # Meta retries a delivery: nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, channel, envelope([first])).status_code == 200
    assert Message.objects.filter(conversation__channel=channel).count() == 1
    assert InboundEvent.objects.count() == 1
    # The agent answers: a text message to the customer's WhatsApp id.
    agent = make_agent()
    with django_capture_on_commit_callbacks(execute=True):
        answer = reply(agent, conversation, "It ships today.", "r1")
    sent = graph.wait(1)[0]
    assert sent["to"] == WA_ID and sent["type"] == "text"
    assert sent["text"]["body"] == "It ships today." and sent["messaging_product"] == "whatsapp"
    delivery = OutboundDelivery.objects.get(message=answer)
    assert delivery.status == "sent"
    # Statuses from Meta become the delivery's state and the conversation's receipts.
    with django_capture_on_commit_callbacks(execute=True):
        post(client, channel, envelope(statuses=[status(sent["_id"], "delivered")]))
        post(client, channel, envelope(statuses=[status(sent["_id"], "read")]))
    delivery.refresh_from_db()
    conversation.refresh_from_db()
    assert delivery.status == "read"
    assert conversation.visitor_read_seq >= answer.seq
    assert events.message_payload(Message.objects.get(pk=answer.pk))["delivery"]["status"] == "read"
    # The customer writes again: the same conversation.
    with django_capture_on_commit_callbacks(execute=True):
        post(client, channel, envelope([wa_message(body="Thanks!")]))
    assert Conversation.objects.filter(channel=channel).count() == 1
    assert conversation.messages.filter(sender_kind="visitor").count() == 2


@pytest.mark.parametrize("tamper", ["no-signature", "wrong-secret", "malformed", "not-json"])
def test_forged_or_malformed_webhook_is_4xx_and_stores_nothing(
    channel, client: Client, tamper: str
) -> None:
    payload = envelope([wa_message()])
    if tamper == "no-signature":
        response = client.post(
            f"/inboxes/whatsapp/{channel.public_id}/", payload, content_type="application/json"
        )
    elif tamper == "wrong-secret":
        response = post(client, channel, payload, secret="guess")
    elif tamper == "malformed":
        payload["entry"][0]["changes"][0]["value"]["messages"][0].pop("from")
        response = post(client, channel, payload)
    else:
        response = post(client, channel, None, raw=b"{not json")
    assert 400 <= response.status_code < 500
    assert response.json()["code"] in ("bad_request", "unauthorized")
    assert not InboundEvent.objects.exists() and not ExternalMessage.objects.exists()
    assert not Conversation.objects.filter(channel=channel).exists()


def test_media_in_through_the_pipeline_and_an_oversize_file_is_refused_with_a_note(
    channel, graph: GraphApi, client: Client, django_capture_on_commit_callbacks
) -> None:
    limits, _ = MediaLimits.objects.get_or_create(pk=1)
    limits.video_max_mb = 1
    limits.save()
    image = graph.add_media(samples.png(), "image/png")
    voice = graph.add_media(samples.wav(1.0), "audio/wav")
    pdf = graph.add_media(
        b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n", "application/pdf"
    )
    big = graph.add_media(b"\x00" * (2 * 1024 * 1024), "video/mp4")
    messages = [
        wa_message("image", image={"id": image, "mime_type": "image/png", "caption": "The box"}),
        wa_message("audio", audio={"id": voice, "mime_type": "audio/wav", "voice": True}),
        wa_message(
            "document",
            document={"id": pdf, "mime_type": "application/pdf", "filename": "invoice.pdf"},
        ),
        wa_message("video", video={"id": big, "mime_type": "video/mp4", "caption": "Unboxing"}),
        wa_message("reaction", reaction={"message_id": "wamid.X", "emoji": "👍"}),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert post(client, channel, envelope(messages)).status_code == 200
    conversation = Conversation.objects.get(channel=channel)
    rows = list(conversation.messages.order_by("seq"))
    public = [(m.kind, m.body) for m in rows if not m.private]
    assert public == [
        ("text", "The box"),
        ("image", ""),
        ("audio", ""),
        ("file", ""),
        ("text", "Unboxing"),
    ]
    names = [m.attachment.name for m in rows if m.kind in ("image", "audio", "file")]
    assert names[2] == "invoice.pdf" and names[1].startswith("voice-")
    notes = [m.body for m in rows if m.private]
    assert len(notes) == 1 and "video-" in notes[0] and "1 MB" in notes[0]
    # The reaction opened nothing but is remembered (a retry stays quiet).
    assert ExternalMessage.objects.filter(external_id=messages[4]["id"], message=None).exists()
    assert InboundEvent.objects.filter(status="done").count() == 5


def test_an_attachment_goes_out_through_the_media_upload(
    channel, graph: GraphApi, client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post(client, channel, envelope([wa_message()]))
    conversation = Conversation.objects.get(channel=channel)
    agent = make_agent()
    content = samples.png()
    upload = media_services.attachment_upload(
        actor=Actor(user=agent),
        fileobj=__import__("io").BytesIO(content),
        name="label.png",
        size=len(content),
    )
    with django_capture_on_commit_callbacks(execute=True):
        message_send(
            actor=Actor(user=agent),
            client_id="img",
            body="Your label",
            conversation_id=conversation.pk,
            attachment_id=str(upload.public_id),
        )
    sent = graph.wait(1)[-1]
    assert sent["type"] == "image" and sent["image"]["id"] in graph.media
    assert graph.uploads and graph.uploads[0][0] == "image/png"


def test_outside_the_window_only_an_approved_template_goes_out(
    channel, graph: GraphApi, client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post(client, channel, envelope([wa_message()]))
    conversation = Conversation.objects.get(channel=channel)
    staff = events.conversation_payload(
        Conversation.objects.select_related("channel_state", "channel").get(), staff=True
    )
    assert staff["channel_window"]["open"] is True
    assert staff["channel_extra"]["templates"][0]["name"] == "order_update"
    ConversationChannelState.objects.filter(conversation=conversation).update(
        last_inbound_at=timezone.now() - dt.timedelta(hours=25)
    )
    agent = make_agent()
    with pytest.raises(Forbidden) as caught:
        reply(agent, conversation, "Hello?", "late")
    assert "24 hours" in str(caught.value.detail)
    api = APIClient()
    api.force_authenticate(agent)
    url = f"/api/v1/conversations/{conversation.pk}/template"
    wrong = api.post(url, {"name": "order_update", "params": ["Wei"]}, format="json")
    assert wrong.status_code == 400
    unknown = api.post(url, {"name": "promo", "params": []}, format="json")
    assert unknown.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        ok = api.post(url, {"name": "order_update", "params": ["Wei", "#1001"]}, format="json")
    assert ok.status_code == 201, ok.content
    assert ok.json()["message"]["body"].startswith(
        "Hello Wei, there is news about your order #1001"
    )
    sent = graph.wait(1)[0]
    assert sent["type"] == "template"
    assert sent["template"]["name"] == "order_update"
    assert sent["template"]["language"] == {"code": "en_US"}
    assert sent["template"]["components"][0]["parameters"] == [
        {"type": "text", "text": "Wei"},
        {"type": "text", "text": "#1001"},
    ]
    assert OutboundDelivery.objects.get(message_id=ok.json()["message"]["id"]).status == "sent"


def test_outage_is_retried_then_failed_and_a_refusal_fails_at_once(
    channel, graph: GraphApi, client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        post(client, channel, envelope([wa_message()]))
    conversation = Conversation.objects.get(channel=channel)
    agent = make_agent()
    # Meta has trouble twice, then takes it: sent on the third try.
    graph.failures = [
        (500, {"message": "An unknown error occurred", "type": "OAuthException", "code": 1}),
        (429, {"message": "Rate limit hit", "code": 130429}),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        first = reply(agent, conversation, "One", "o1")
    delivery = OutboundDelivery.objects.get(message=first)
    assert delivery.status == "sent" and delivery.attempts == 3
    # Down for good: failed after the last try (3 in the tests), with the reason.
    graph.failures = [(503, {"message": "Service temporarily unavailable", "code": 2})] * 3
    with django_capture_on_commit_callbacks(execute=True):
        second = reply(agent, conversation, "Two", "o2")
    delivery = OutboundDelivery.objects.get(message=second)
    assert delivery.status == "failed" and delivery.attempts == 3
    assert "Service temporarily unavailable" in delivery.error
    # The window closed on Meta's side: final at once, the agent told why.
    graph.failures = [(400, {"message": "Re-engagement message", "code": 131047})]
    with django_capture_on_commit_callbacks(execute=True):
        third = reply(agent, conversation, "Three", "o3")
    delivery = OutboundDelivery.objects.get(message=third)
    assert delivery.status == "failed" and delivery.attempts == 1
    assert "24 hours" in delivery.error and "template" in delivery.error
    # A failed status from Meta after the send: failed with Meta's reason.
    graph.failures = []
    with django_capture_on_commit_callbacks(execute=True):
        fourth = reply(agent, conversation, "Four", "o4")
    wamid = graph.wait(2)[-1]["_id"]
    error = {
        "code": 131026,
        "title": "Message undeliverable",
        "error_data": {"details": "The recipient's phone number is not a WhatsApp number."},
    }
    with django_capture_on_commit_callbacks(execute=True):
        post(client, channel, envelope(statuses=[status(wamid, "failed", errors=[error])]))
    delivery = OutboundDelivery.objects.get(message=fourth)
    assert delivery.status == "failed" and "not a WhatsApp number" in delivery.error
    assert Message.objects.filter(pk__in=[first.pk, second.pk, third.pk, fourth.pk]).count() == 4


def test_settings_are_checked() -> None:
    with pytest.raises(ValidationError) as caught:
        check_whatsapp_config({"phone_number_id": "abc", "templates": [{"name": "Bad Name"}]})
    errors = caught.value.message_dict
    assert {"access_token", "app_secret", "verify_token", "phone_number_id", "templates"} <= set(
        errors
    )
    good = check_whatsapp_config(
        {
            "phone_number_id": "1",
            "access_token": "t",
            "app_secret": "s",
            "verify_token": "v",
            "templates": [{"name": "hi", "language": "zh_CN", "body": "您好 {{1}}"}],
        }
    )
    assert good["templates"][0]["params"] == 1 and good["api_version"].startswith("v")
