"""WeChat end to end in a real browser: a message pushed to the desk the way WeChat's servers
push it (XML, signed with the account's token) appears live in the agent's workspace with the
WeChat icon; the agent replies from the composer; the reply reaches a local server speaking
WeChat's Official Account API (access token, customer-service message); the customer's next
message lands in the same conversation, live. Outside the 48-hour window the composer says
why. One Daphne and a real Celery worker (the pushes' events and the sends run there)."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import time
import urllib.request
from typing import Any

import pytest
import xmltodict
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from chat.models import Channel, Conversation
from inboxes.models import ConversationChannelState, OutboundDelivery
from inboxes.wechat.config import check_wechat_config
from tests.e2e.support import desk_login, off_loop, pane, row, wait_db
from tests.factories import make_agent
from tests.procs import celery_worker, daphne, server_env
from tests.providers import WeChatApi, provider_server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

APPID = "wxe2e0000000000001"
SECRET = "wechat-e2e-secret"
TOKEN = "deskTokenE2E"
OPENID = "oE2E8uMuAJO_M2pxb1Q9zNjWeS6o"
_ids = itertools.count(6_900_000_000_000_000_001)


def push(base: str, channel: Channel, content: str) -> int:
    """POST a text message as WeChat pushes it (plain mode): XML, signed in the query."""
    xml = xmltodict.unparse(
        {
            "xml": {
                "ToUserName": "gh_e2e0000000",
                "FromUserName": OPENID,
                "CreateTime": str(int(time.time())),
                "MsgType": "text",
                "Content": content,
                "MsgId": str(next(_ids)),
            }
        },
        full_document=False,
    )
    timestamp, nonce = str(int(time.time())), "5839201"
    signature = hashlib.sha1("".join(sorted([TOKEN, timestamp, nonce])).encode()).hexdigest()
    request = urllib.request.Request(
        f"{base}/inboxes/wechat/{channel.public_id}/"
        f"?signature={signature}&timestamp={timestamp}&nonce={nonce}",
        data=xml.encode(),
        method="POST",
    )
    request.add_header("Content-Type", "text/xml")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.read() == b"success"
        return response.status


def test_wechat_live_with_its_icon_reply_reaches_the_api_and_the_window(
    browser: Any, pages: list[Any]
) -> None:
    api = WeChatApi(APPID, SECRET)
    cache.delete(f"wechat:{APPID}_access_token")
    try:
        with provider_server(api) as url:
            channel = Channel.objects.create(
                name="Shop WeChat",
                kind="wechat",
                bot_enabled=False,
                config=check_wechat_config(
                    {"appid": APPID, "secret": SECRET, "token": TOKEN, "api_url": url}
                ),
            )
            make_agent("ana", name="Ana")
            env = server_env(connection.settings_dict["NAME"])
            env["HELPDESK_SEND_BACKOFF_SECONDS"] = "1"
            connection.close()
            with daphne(env) as base, celery_worker(env, "e2e-wechat"):
                agent = desk_login(browser, pages, base, "ana")
                agent.locator('.dk-tab[data-view="all"]').click()
                assert off_loop(push, base, channel, "我的订单到哪了？") == 200
                wait_db(lambda: Conversation.objects.filter(channel=channel).exists(), timeout=60)
                conversation = off_loop(lambda: Conversation.objects.get(channel=channel))
                listed = row(agent, conversation.pk)
                expect(listed).to_be_visible(timeout=30_000)
                icon = listed.locator(".dk-ch-wechat")
                expect(icon).to_be_visible()
                expect(icon).to_have_attribute("title", "WeChat · Shop WeChat")
                listed.click()
                box = pane(agent, conversation.pk)
                expect(box.locator(".dk-pane-channel .dk-ch-wechat")).to_be_visible()
                expect(box.locator(".dk-msg-visitor .dk-msg-body")).to_have_text("我的订单到哪了？")
                expect(box.locator('.dk-window[data-state="open"]')).to_be_visible()
                box.locator(".dk-textarea").fill("今天发货。")
                box.locator(".dk-textarea").press("Enter")
                sent = off_loop(api.wait, 1, 60)[0]
                assert sent == {
                    "touser": OPENID,
                    "msgtype": "text",
                    "text": {"content": "今天发货。"},
                }
                assert api.token_fetches == 1
                wait_db(
                    lambda: OutboundDelivery.objects.filter(status="sent").count() == 1, timeout=30
                )
                mine = box.locator(".dk-msg:not(.dk-pending)", has_text="今天发货。")
                expect(mine.locator('.dk-delivery[data-status="sent"]')).to_be_visible(
                    timeout=30_000
                )
                # The customer writes again: the same conversation, live.
                assert off_loop(push, base, channel, "谢谢！") == 200
                expect(
                    box.locator(".dk-msg-visitor .dk-msg-body", has_text="谢谢！")
                ).to_be_visible(timeout=30_000)
                assert off_loop(lambda: Conversation.objects.filter(channel=channel).count()) == 1
                # Two days later: the 48 hours are over; the composer says why.
                off_loop(
                    lambda: ConversationChannelState.objects.filter(
                        conversation=conversation
                    ).update(last_inbound_at=timezone.now() - dt.timedelta(hours=49))
                )
                agent.reload()
                expect(agent.locator("#dk-conn")).to_have_attribute(
                    "data-state", "open", timeout=30_000
                )
                row(agent, conversation.pk).click()
                box = pane(agent, conversation.pk)
                expect(box.locator('.dk-window[data-state="closed"]')).to_contain_text("48 hours")
    finally:
        cache.delete(f"wechat:{APPID}_access_token")
        connection.close()
