"""Fixtures for the channel tests: channels, a local SMTP server, mail builders and the
Mailgun inbound webhook as Mailgun posts it (anymail's documented format)."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import time
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from django.test import Client

from chat.models import Channel
from tests.providers import SmtpSink, smtp_server

MAILGUN_KEY = "key-mailgun-test-signing"
WEBHOOK_AUTH = ("esp", "webhook-secret")
_n = itertools.count(1)


@pytest.fixture(autouse=True)
def _channels_settings(settings: Any) -> None:
    settings.ANYMAIL = {
        "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY,
        "WEBHOOK_SECRET": ":".join(WEBHOOK_AUTH),
    }
    settings.HELPDESK_CHANNELS = {"SEND_ATTEMPTS": 3, "BACKOFF_SECONDS": 0.0}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # The per-process channel cache must not carry a rolled-back test's channels.
    from inboxes.email.receive import email_channels_changed

    email_channels_changed()


@pytest.fixture
def smtp() -> Iterator[tuple[str, int, SmtpSink]]:
    with smtp_server() as server:
        yield server


def make_email_channel(smtp_port: int | None = None, **config: Any) -> Channel:
    base = {"address": "support@shop.test", "from_name": "Shop Support"}
    if smtp_port is not None:
        base.update({"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "smtp_security": "none"})
    base.update(config)
    from inboxes.email.config import check_email_config

    return Channel.objects.create(
        name="Support mail", kind="email", config=check_email_config(base)
    )


@pytest.fixture
def email_channel(smtp: tuple[str, int, SmtpSink]) -> Channel:
    return make_email_channel(smtp[1])


def mail(
    *,
    sender: str = "Jane Doe <jane@example.com>",
    to: str = "support@shop.test",
    subject: str = "Where is my order?",
    text: str = "Hello, where is my parcel #1001?",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes, str]] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or make_msgid(domain="example.com", idstring=str(next(_n)))
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for key, value in (headers or {}).items():
        msg[key] = value
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for name, content, content_type in attachments or []:
        maintype, subtype = content_type.split("/", 1)
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def mailgun_post(
    client: Client,
    raw: bytes,
    *,
    recipient: str = "support@shop.test",
    key: str = MAILGUN_KEY,
    auth: tuple[str, str] = WEBHOOK_AUTH,
) -> Any:
    """Post raw MIME the way Mailgun's forward() route does to a ``…/inbound_mime/`` URL:
    form fields ``body-mime``, ``recipient``, ``sender``, and the signature of
    ``timestamp + token`` with the webhook signing key."""
    import base64

    timestamp = str(int(time.time()))
    token = hashlib.sha256(raw + timestamp.encode()).hexdigest()[:50]
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    basic = base64.b64encode(":".join(auth).encode()).decode()
    return client.post(
        "/inboxes/email/mailgun/inbound/",
        {
            "body-mime": raw.decode("utf-8", "replace"),
            "recipient": recipient,
            "sender": "bounce@example.com",
            "timestamp": timestamp,
            "token": token,
            "signature": signature,
        },
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
