"""WhatsApp end to end in a real browser: a message posted to the desk the way Meta's Cloud API
posts it (signed) appears live in the agent's workspace with its channel; the agent replies
from the composer; the reply reaches a local server speaking the Cloud API; Meta's "read"
status shows on the agent's message; the customer's next message lands in the same
conversation. Outside the 24-hour window the composer says why and the agent sends an approved
template instead. The contact is merged with another one from the sidebar. One Daphne and a
real Celery worker (the webhook's events and the sends run there)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.request
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from chat.models import Channel, Conversation
from inboxes.models import ConversationChannelState
from inboxes.whatsapp.config import check_whatsapp_config
from orders.models import ContactIdentity, Customer
from tests.e2e.support import desk_login, off_loop, pane, row, wait_db
from tests.factories import make_agent
from tests.procs import celery_worker, daphne, server_env
from tests.providers import GraphApi, provider_server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TOKEN = "EAAG-e2e"
SECRET = "e2e-app-secret"
PHONE_ID = "106540352242922"
WA_ID = "8613800138000"


def webhook(base: str, channel: Channel, value: dict[str, Any]) -> int:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550001111", "phone_number_id": PHONE_ID},
        **value,
    }
    body = json.dumps(
        {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"value": value, "field": "messages"}]}],
        }
    ).encode()
    signature = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"{base}/inboxes/whatsapp/{channel.public_id}/", data=body, method="POST"
    )
    request.add_header("Content-Type", "application/json")
    request.add_header("X-Hub-Signature-256", signature)
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def text(wamid: str, body: str) -> dict[str, Any]:
    return {
        "contacts": [{"profile": {"name": "Wei Zhang"}, "wa_id": WA_ID}],
        "messages": [
            {
                "from": WA_ID,
                "id": wamid,
                "timestamp": str(int(time.time())),
                "type": "text",
                "text": {"body": body},
            }
        ],
    }


def test_whatsapp_live_reply_statuses_window_template_and_merge(
    browser: Any, pages: list[Any]
) -> None:
    graph = GraphApi(TOKEN)
    try:
        with provider_server(graph):
            channel = Channel.objects.create(
                name="Shop WhatsApp",
                kind="whatsapp",
                bot_enabled=False,
                config=check_whatsapp_config(
                    {
                        "phone_number_id": PHONE_ID,
                        "access_token": TOKEN,
                        "app_secret": SECRET,
                        "verify_token": "v",
                        "graph_url": graph.url,
                        "templates": [
                            {
                                "name": "order_update",
                                "language": "en_US",
                                "body": "Hello {{1}}, your order {{2}} has news.",
                            }
                        ],
                    }
                ),
            )
            other = Customer.objects.create(name="Wei (email)", email="wei@example.com")
            ContactIdentity.objects.create(
                customer=other, kind="email", value="wei@example.com", verified=False
            )
            make_agent("ana", name="Ana")
            env = server_env(connection.settings_dict["NAME"])
            env["HELPDESK_SEND_BACKOFF_SECONDS"] = "1"
            connection.close()
            with daphne(env) as base, celery_worker(env, "e2e-whatsapp"):
                agent = desk_login(browser, pages, base, "ana")
                agent.locator('.dk-tab[data-view="all"]').click()
                assert (
                    off_loop(webhook, base, channel, text("wamid.IN1", "Where is my order?")) == 200
                )
                wait_db(lambda: Conversation.objects.filter(channel=channel).exists(), timeout=60)
                conversation = off_loop(lambda: Conversation.objects.get(channel=channel))
                listed = row(agent, conversation.pk)
                expect(listed).to_be_visible(timeout=30_000)
                expect(listed.locator(".dk-ch-whatsapp")).to_be_visible()
                listed.click()
                box = pane(agent, conversation.pk)
                expect(box.locator(".dk-pane-channel .dk-ch-whatsapp")).to_be_visible()
                expect(box.locator(".dk-msg-visitor .dk-msg-body")).to_have_text(
                    "Where is my order?"
                )
                expect(box.locator('.dk-window[data-state="open"]')).to_be_visible()
                box.locator(".dk-textarea").fill("It ships today.")
                box.locator(".dk-textarea").press("Enter")
                sent = off_loop(graph.wait, 1, 60)[0]
                assert sent["to"] == WA_ID and sent["text"]["body"] == "It ships today."
                mine = box.locator(".dk-msg:not(.dk-pending)", has_text="It ships today.")
                expect(mine.locator('.dk-delivery[data-status="sent"]')).to_be_visible(
                    timeout=30_000
                )
                status = {
                    "statuses": [
                        {
                            "id": sent["_id"],
                            "status": "read",
                            "timestamp": str(int(time.time())),
                            "recipient_id": WA_ID,
                        }
                    ]
                }
                assert off_loop(webhook, base, channel, status) == 200
                expect(mine.locator('.dk-delivery[data-status="read"]')).to_be_visible()
                # The customer writes again: the same conversation, live.
                assert off_loop(webhook, base, channel, text("wamid.IN2", "Thank you!")) == 200
                expect(
                    box.locator(".dk-msg-visitor .dk-msg-body", has_text="Thank you!")
                ).to_be_visible(timeout=30_000)
                assert off_loop(lambda: Conversation.objects.filter(channel=channel).count()) == 1
                # Merge the WhatsApp contact with the email contact from the sidebar.
                panel = agent.locator(".dk-contacts")
                expect(panel.locator(".dk-identities li[data-kind='whatsapp']")).to_be_visible()
                panel.locator(".dk-merge-open").click()
                panel.locator(".dk-merge-search").fill("wei@example")
                panel.locator(f".dk-merge-row[data-id='{other.pk}'] .dk-merge-pick").click()
                panel.locator(".dk-merge-confirm").click()
                expect(panel.locator(".dk-identities li[data-kind='email']")).to_be_visible()
                expect(panel.locator(".dk-merges li")).to_have_count(1)
                expect(box.locator(".dk-msg-system", has_text="Wei (email)")).to_be_visible()
                # A day later: the window is closed; the composer says why and offers the template.
                off_loop(
                    lambda: ConversationChannelState.objects.filter(
                        conversation=conversation
                    ).update(last_inbound_at=timezone.now() - dt.timedelta(hours=25))
                )
                agent.reload()
                expect(agent.locator("#dk-conn")).to_have_attribute(
                    "data-state", "open", timeout=30_000
                )
                row(agent, conversation.pk).click()
                box = pane(agent, conversation.pk)
                notice = box.locator('.dk-window[data-state="closed"]')
                expect(notice).to_contain_text("24 hours")
                params = notice.locator(".dk-template-param")
                expect(params).to_have_count(2)
                params.nth(0).fill("Wei")
                params.nth(1).fill("#1001")
                expect(notice.locator(".dk-template-preview")).to_have_text(
                    "Hello Wei, your order #1001 has news."
                )
                notice.locator(".dk-template-send").click()
                template = off_loop(graph.wait, 2, 60)[1]
                assert template["type"] == "template"
                assert template["template"]["name"] == "order_update"
                expect(
                    box.locator(".dk-msg-agent .dk-msg-body", has_text="Hello Wei, your order")
                ).to_be_visible()
    finally:
        connection.close()
