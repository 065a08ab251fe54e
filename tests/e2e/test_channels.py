"""Email end to end in a real browser: a mail posted to the desk the way Mailgun posts it
appears live in the agent's workspace; the agent replies from the composer; the reply arrives
at a real local SMTP server with the thread's headers; the customer's answer lands in the same
conversation, live. One Daphne of its own (with the ESP's webhook keys) and a real Celery
worker (the mail is turned into a message, and the reply leaves, from Celery)."""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.parse
import urllib.request
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from chat.models import Channel, Conversation
from inboxes.models import OutboundDelivery
from tests.e2e.support import desk_login, off_loop, pane, row, wait_db
from tests.factories import make_agent
from tests.procs import celery_worker, daphne, server_env
from tests.providers import smtp_server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

KEY = "key-e2e-mailgun"
AUTH = "esp:e2e-secret"


def mime(message_id: str, text: str, subject: str = "Parcel", in_reply_to: str = "") -> str:
    headers = [
        "From: Jane Doe <jane@example.com>",
        "To: support@shop.test",
        f"Subject: {subject}",
        f"Message-ID: {message_id}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
    ]
    if in_reply_to:
        headers += [f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
    return "\r\n".join(headers) + "\r\n\r\n" + text + "\r\n"


def mailgun(base: str, raw: str) -> int:
    timestamp = str(int(time.time()))
    token = hashlib.sha256((raw + timestamp).encode()).hexdigest()[:50]
    signature = hmac.new(KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    data = urllib.parse.urlencode(
        {
            "body-mime": raw,
            "recipient": "support@shop.test",
            "sender": "jane@example.com",
            "timestamp": timestamp,
            "token": token,
            "signature": signature,
        }
    ).encode()
    request = urllib.request.Request(
        base + "/inboxes/email/mailgun/inbound/", data=data, method="POST"
    )
    import base64

    request.add_header("Authorization", "Basic " + base64.b64encode(AUTH.encode()).decode())
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def test_email_reaches_the_agent_live_and_the_reply_threads(browser: Any, pages: list[Any]) -> None:
    try:
        with smtp_server() as (host, port, sink):
            channel = Channel.objects.create(
                name="Support mail",
                kind="email",
                config={
                    "address": "support@shop.test",
                    "from_name": "Shop",
                    "smtp_host": host,
                    "smtp_port": port,
                    "smtp_security": "none",
                    "imap_port": 993,
                    "smtp_username": "",
                    "smtp_password": "",
                },
            )
            make_agent("ana", name="Ana")
            env = server_env(connection.settings_dict["NAME"])
            env.update(
                {
                    "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY": KEY,
                    "ANYMAIL_WEBHOOK_SECRET": AUTH,
                    "HELPDESK_SEND_BACKOFF_SECONDS": "1",
                }
            )
            connection.close()
            with daphne(env) as base, celery_worker(env, "e2e-mail"):
                agent = desk_login(browser, pages, base, "ana")
                agent.locator('.dk-tab[data-view="all"]').click()
                assert (
                    off_loop(mailgun, base, mime("<m1@example.com>", "Where is my parcel?")) == 200
                )
                # The webhook stored the mail at the door; the Celery worker makes the message.
                wait_db(lambda: Conversation.objects.filter(channel=channel).exists(), timeout=60)
                conversation = off_loop(lambda: Conversation.objects.get(channel=channel))
                expect(row(agent, conversation.pk)).to_be_visible()
                expect(row(agent, conversation.pk).locator(".dk-ch-email")).to_be_visible()
                row(agent, conversation.pk).click()
                box = pane(agent, conversation.pk)
                expect(box.locator(".dk-pane-channel .dk-ch-email")).to_be_visible()
                expect(box.locator(".dk-window")).to_be_hidden()  # email has no window
                expect(box.locator(".dk-msg-visitor .dk-msg-body")).to_have_text(
                    "Where is my parcel?"
                )
                box.locator(".dk-textarea").fill("It ships tomorrow.")
                box.locator(".dk-textarea").press("Enter")
                expect(
                    box.locator(
                        ".dk-msg:not(.dk-pending) .dk-msg-body", has_text="It ships tomorrow."
                    )
                ).to_be_visible()
                sent = off_loop(sink.wait, 1, 60)[0]
                assert sent["To"] == "jane@example.com"
                assert sent["In-Reply-To"] == "<m1@example.com>"
                assert sent["Subject"] == "Re: Parcel"
                assert f"+c{conversation.pk}." in sent["Reply-To"]
                wait_db(
                    lambda: OutboundDelivery.objects.filter(status="sent").count() == 1, timeout=30
                )
                # The agent sees the mail left (the message.delivery frame).
                expect(
                    box.locator(".dk-msg", has_text="It ships tomorrow.").locator(
                        '.dk-delivery[data-status="sent"]'
                    )
                ).to_be_visible()
                # The customer answers the agent's mail: it lands in the same conversation, live.
                answer = mime(
                    "<m2@example.com>", "Thanks, Ana!", "Re: Parcel", in_reply_to=sent["Message-ID"]
                )
                assert off_loop(mailgun, base, answer) == 200
                expect(
                    box.locator(".dk-msg-visitor .dk-msg-body", has_text="Thanks, Ana!")
                ).to_be_visible()
                assert off_loop(lambda: Conversation.objects.filter(channel=channel).count()) == 1
    finally:
        connection.close()
