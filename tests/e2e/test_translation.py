"""Automatic translation in a real browser: a German-speaking shopper in the widget and a
Chinese-speaking agent in the workspace. One Daphne, a real Celery worker and a local server
speaking LibreTranslate's API. The agent reads the shopper in Chinese with the German original
one click away; the shopper reads the agent's reply and the desk's "has joined" line in German,
marked "Translated", with the original on tap; the agent's change of language makes the history
again in English, live."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from chat.models import AgentProfile, Conversation, MessageTranslation
from tests.e2e.support import (
    desk_login,
    desk_view,
    off_loop,
    pane,
    row,
    shopper_open,
    wait_db,
    widget_send,
)
from tests.factories import make_agent
from tests.procs import celery_worker, daphne, server_env
from tests.providers import LibreTranslateApi, provider_server

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_widget_and_workspace_show_translations_and_originals(
    browser: Any, pages: list[Any]
) -> None:
    api = LibreTranslateApi()
    with provider_server(api) as url:
        make_agent("wei", name="Wei", language="zh")
        env = {
            **server_env(connection.settings_dict["NAME"]),
            "TRANSLATION_PROVIDER": "libretranslate",
            "TRANSLATION_URL": url,
            "TRANSLATION_BACKOFF_SECONDS": "1",
        }
        connection.close()
        with daphne(env) as base, celery_worker(env, "e2e-translation"):
            agent = desk_login(browser, pages, base, "wei")
            expect(agent.locator('[data-testid="dk-my-language"]')).to_have_value("zh")
            shopper = shopper_open(browser, pages, base)
            widget_send(shopper, "Wo ist meine Bestellung?")
            wait_db(lambda: Conversation.objects.exists(), timeout=30)
            conversation = off_loop(lambda: Conversation.objects.get())
            wait_db(lambda: MessageTranslation.objects.filter(status="done").exists(), timeout=60)

            # The agent reads the shopper in Chinese; the German original is a click away.
            desk_view(agent, "all")
            row(agent, conversation.pk).click()
            box = pane(agent, conversation.pk)
            bubble = box.locator(".dk-msg-visitor").first
            body = bubble.locator(".dk-msg-body")
            expect(body).to_have_text("我的订单在哪里？", timeout=30_000)
            expect(bubble.locator('[data-testid="dk-translated"]')).to_contain_text("German")
            bubble.locator('[data-testid="dk-translation-toggle"]').click()
            expect(body).to_have_text("Wo ist meine Bestellung?")
            bubble.locator('[data-testid="dk-translation-toggle"]').click()
            expect(body).to_have_text("我的订单在哪里？")
            expect(box.locator('[data-testid="dk-translate-switch"]')).to_be_checked()
            expect(box.locator('[data-testid="dk-shopper-language"]')).to_have_text("(German)")

            # The agent writes Chinese; the shopper reads German, marked, original on tap.
            box.locator(".dk-textarea").fill("您的订单明天发货。")
            box.locator(".dk-textarea").press("Enter")
            reply = shopper.locator('[data-testid="hd-message"][data-sender="agent"]').last
            reply_body = reply.locator('[data-testid="hd-message-body"]')
            expect(reply_body).to_have_text("Ihre Bestellung wird morgen versandt.", timeout=30_000)
            expect(reply.locator('[data-testid="hd-translated"]')).to_have_text("Translated")
            reply.locator('[data-testid="hd-translation-toggle"]').click()
            expect(reply_body).to_have_text("您的订单明天发货。")
            expect(reply.locator('[data-testid="hd-translation-toggle"]')).to_have_text(
                "Show translation"
            )
            reply.locator('[data-testid="hd-translation-toggle"]').click()
            expect(reply_body).to_have_text("Ihre Bestellung wird morgen versandt.")
            # The agent sees what the shopper received.
            mine = box.locator(".dk-msg-agent", has_text="您的订单明天发货。")
            expect(mine.locator('[data-testid="dk-sent-translated"]')).to_contain_text(
                "Ihre Bestellung wird morgen versandt."
            )

            # The routing's "Wei has joined the conversation" (written in English, the desk's
            # words for a German shopper) reaches the shopper in German; the desk draws the line
            # from its card in Chinese, with what the shopper received under it.
            line = shopper.locator('[data-testid="hd-message"][data-sender="system"]').first
            expect(line.locator('[data-testid="hd-message-body"]')).to_have_text(
                "Wei ist dem Gespräch beigetreten", timeout=30_000
            )
            expect(line.locator('[data-testid="hd-translated"]')).to_have_text("Translated")
            expect(box.locator('[data-testid="dk-sent-translated"]').first).to_contain_text(
                "Wei ist dem Gespräch beigetreten"
            )

            # Wei switches to the desk's language (English): the shopper's messages of his open
            # conversations are made again in English (Celery, a message.translated frame
            # each), live in the open pane, and from history after a reload.
            agent.select_option('[data-testid="dk-my-language"]', "")
            wait_db(lambda: AgentProfile.objects.filter(user__username="wei", language="").exists())
            bubble = pane(agent, conversation.pk).locator(".dk-msg-visitor").first
            expect(bubble.locator(".dk-msg-body")).to_have_text(
                "Where is my order?", timeout=30_000
            )
            expect(bubble.locator('[data-testid="dk-translated"]')).to_contain_text(
                "Translated from German"
            )
            agent.reload()
            expect(agent.locator("#dk-rows")).to_have_attribute("data-loaded", "1", timeout=30_000)
            desk_view(agent, "all")
            row(agent, conversation.pk).click()
            bubble = pane(agent, conversation.pk).locator(".dk-msg-visitor").first
            expect(bubble.locator(".dk-msg-body")).to_have_text(
                "Where is my order?", timeout=30_000
            )
            bubble.locator('[data-testid="dk-translation-toggle"]').click()
            expect(bubble.locator(".dk-msg-body")).to_have_text("Wo ist meine Bestellung?")

            # After a reload the widget draws the stored translation from history.
            shopper.reload()
            shopper.locator('[data-testid="hd-launcher"]').click()
            again = shopper.locator('[data-testid="hd-message"][data-sender="agent"]').last
            expect(again.locator('[data-testid="hd-message-body"]')).to_have_text(
                "Ihre Bestellung wird morgen versandt.", timeout=30_000
            )
            assert agent.js_errors == [] and shopper.js_errors == []
