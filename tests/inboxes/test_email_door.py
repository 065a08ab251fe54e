"""The email webhook's door: raw MIME from Mailgun (``body-mime``) and SendGrid ("send raw"
``email``) is stored byte for byte after reading only its headers; routing by envelope, then
by headers; dedupe by Message-ID, else by the bytes' digest; the worker's whole parse then
makes the same conversation as before."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from chat.models import Conversation, Message
from inboxes.models import InboundEvent
from tests.providers import WEBHOOK_AUTH, mailgun_post

pytestmark = pytest.mark.django_db

CRLF_MAIL = (
    b"From: Jane Doe <jane@example.com>\r\n"
    b"To: Support <support@shop.test>\r\n"
    b"Subject: =?utf-8?q?Wo_ist_mein_Paket=3F?=\r\n"
    b"Message-ID: <door-1@example.com>\r\n"
    b"X-Long: a header folded\r\n over two lines\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"Gr\xc3\xbc\xc3\x9fe, where is my parcel?\r\n"
)


def test_mailgun_raw_mime_is_stored_as_received_and_becomes_the_message(
    email_channel, client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = mailgun_post(client, CRLF_MAIL)
    assert response.status_code == 200, response.content
    event = InboundEvent.objects.get()
    assert "door-1@example.com" in event.external_id
    conversation = Conversation.objects.get(channel=email_channel)
    message = conversation.messages.get()
    assert message.body == "Grüße, where is my parcel?"
    assert conversation.visitor.address == "jane@example.com"
    # A retry with another token: nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        assert mailgun_post(client, CRLF_MAIL).status_code == 200
    assert InboundEvent.objects.count() == 1
    assert Message.objects.filter(conversation__channel=email_channel).count() == 1


def test_the_stored_bytes_are_the_posted_ones(email_channel, client: Client) -> None:
    """Kept as received, not parsed and written out again (which turned CRLF into LF)."""
    response = mailgun_post(client, CRLF_MAIL)
    assert response.status_code == 200
    assert bytes(InboundEvent.objects.get().payload) == CRLF_MAIL


def test_routed_by_headers_when_the_envelope_is_not_ours(email_channel, client: Client) -> None:
    response = mailgun_post(client, CRLF_MAIL, recipient="someone@elsewhere.test")
    assert response.status_code == 200
    assert InboundEvent.objects.get().channel_id == email_channel.pk
    nobody = CRLF_MAIL.replace(b"support@shop.test", b"sales@other.test").replace(
        b"door-1", b"door-2"
    )
    assert mailgun_post(client, nobody, recipient="x@other.test").status_code == 200
    assert InboundEvent.objects.count() == 1  # for no channel: answered 2xx, nothing stored


def test_a_mail_without_message_id_is_deduplicated_by_its_bytes(
    email_channel, client: Client
) -> None:
    raw = CRLF_MAIL.replace(b"Message-ID: <door-1@example.com>\r\n", b"")
    assert mailgun_post(client, raw).status_code == 200
    assert mailgun_post(client, raw).status_code == 200
    assert InboundEvent.objects.get().external_id.startswith("sha256-")


def _sendgrid(client: Client, raw: bytes, *, auth: tuple[str, str] = WEBHOOK_AUTH) -> Any:
    basic = base64.b64encode(":".join(auth).encode()).decode()
    return client.post(
        "/inboxes/email/sendgrid/inbound/",
        {
            "email": raw.decode("utf-8"),
            "envelope": json.dumps({"to": ["support@shop.test"], "from": "jane@example.com"}),
            "charsets": json.dumps({"to": "UTF-8", "from": "UTF-8"}),
        },
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )


@pytest.mark.filterwarnings("ignore::anymail.exceptions.AnymailNotSupportedWarning")
def test_sendgrid_send_raw_takes_the_same_door(
    email_channel, client: Client, django_capture_on_commit_callbacks
) -> None:
    assert _sendgrid(client, CRLF_MAIL, auth=("esp", "guess")).status_code in (400, 401, 403)
    assert not InboundEvent.objects.exists()
    with django_capture_on_commit_callbacks() as callbacks:
        response = _sendgrid(client, CRLF_MAIL)
    assert response.status_code == 200, response.content
    assert bytes(InboundEvent.objects.get().payload) == CRLF_MAIL
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    message = Message.objects.get(conversation__channel=email_channel)
    assert message.body == "Grüße, where is my parcel?"
