"""The bot in a real browser: a shopper asks an FAQ question and gets the bot's answer with its
buttons, asks for a person, waits in the queue, and an agent who comes online gets the
conversation with the bot transcript.

Runs its own Daphne on the test database with Celery eager, so the bot's after-commit task runs
inside the server process exactly as a worker would run it (no broker round trip to wait for).
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from chat.bot.knowledge_import import demo_items, knowledge_base_load
from chat.models import BotFeedback, Conversation, Message
from tests.e2e.support import new_page as _new_page
from tests.e2e.support import off_loop as db
from tests.e2e.support import wait_db
from tests.factories import make_agent
from tests.procs import reset_server_caches

KB = demo_items()

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TIMEOUT = 20_000
new_page = functools.partial(_new_page, timeout=TIMEOUT)
MESSAGE = '[data-testid="hd-message"]'


@pytest.fixture(scope="module")
def _bot_process(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    from django.db import connection

    from tests.procs import daphne, server_env

    with django_db_blocker.unblock():
        env = server_env(connection.settings_dict["NAME"])
    env.update({"CELERY_EAGER": "1", "HELPDESK_BOT_ENABLED": "1"})
    with daphne(env) as base:
        yield base
    with django_db_blocker.unblock():
        _wait_sessions_gone(connection)


@pytest.fixture
def bot_server(_bot_process: str) -> str:
    """The module's server, which forgets the rows it cached before each test (the previous
    test's flushed rows: tests/process_caches.py)."""
    reset_server_caches(_bot_process)
    return _bot_process


def _wait_sessions_gone(connection: Any, timeout: float = 10) -> None:
    """The stopped server's pooled connections end a moment after the process: wait, so the
    test database can be flushed and dropped."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            if not cursor.fetchone()[0]:
                return
            time.sleep(0.1)


def widget_send(page: Page, text: str) -> None:
    page.fill('[data-testid="hd-input"]', text)
    page.press('[data-testid="hd-input"]', "Enter")


def test_faq_answer_then_person_with_transcript(
    bot_server: str, browser: Any, pages: list[Any]
) -> None:
    db(knowledge_base_load, items=KB)
    db(make_agent, "ana", name="Ana")

    shopper = new_page(browser, pages, locale="en-US")
    shopper.goto(bot_server + "/")
    shopper.click('[data-testid="hd-launcher"]')
    expect(shopper.locator('[data-testid="hd-panel"]')).to_have_attribute(
        "data-connection", "online"
    )

    # An FAQ question with a typo: the bot answers with the feedback buttons.
    widget_send(shopper, "how lnog does shiping take?")
    answer = shopper.locator(f'{MESSAGE}[data-sender="bot"][data-bot-card="bot_answer"]')
    expect(answer).to_have_count(1)
    expect(answer.locator('[data-testid="hd-message-body"]')).to_contain_text(
        "Orders ship within 24 hours"
    )
    expect(answer.locator('[data-testid="hd-bot-prompt"]')).to_have_text("Did this help?")
    expect(answer.locator('[data-testid="hd-bot-yes"]')).to_have_text("Yes")
    expect(answer.locator('[data-testid="hd-bot-no"]')).to_have_text("No")
    expect(answer.locator('[data-testid="hd-bot-human"]')).to_have_text("Talk to a person")

    # "Yes" is recorded and marked.
    answer.locator('[data-testid="hd-bot-yes"]').click()
    expect(answer.locator('[data-testid="hd-bot-yes"]')).to_have_attribute("aria-pressed", "true")
    assert db(lambda: list(BotFeedback.objects.values_list("choice", flat=True))) == ["yes"]

    # Asking for a person hands over: the shopper is told a person is coming …
    widget_send(shopper, "I want to talk to a person")
    handover = shopper.locator(f'{MESSAGE}[data-sender="bot"]', has_text="no need to repeat")
    expect(handover).to_have_count(1)
    conversation_id, reason, assignee, queued = db(
        lambda: Conversation.objects.values_list(
            "pk", "bot_state__handover_reason", "assignee_id", "routing__queued_at"
        ).get()
    )
    assert reason == "requested" and assignee is None and queued is not None
    # … and, nobody being online, is told so (routing's widget part), with no place in a line
    # that nobody serves.
    expect(handover).to_contain_text("Everyone is busy or offline right now")
    expect(shopper.locator('[data-testid="hd-away"]')).to_contain_text("busy or offline")
    expect(shopper.locator('[data-testid="hd-queue-position"]')).to_have_count(0)

    # The agent comes online: the router gives them the conversation; the pane has the
    # whole bot exchange and the reason.
    desk = new_page(browser, pages)
    desk.goto(bot_server + "/desk/")
    desk.fill("input[name=username]", "ana")
    desk.fill("input[name=password]", "pw-ana")
    desk.click("button[type=submit]")
    expect(desk.locator("#dk-conn")).to_have_attribute("data-state", "open")
    wait_db(
        lambda: Conversation.objects.filter(pk=conversation_id, assignee__username="ana").exists()
    )
    row = desk.locator(f'#dk-rows .dk-row[data-id="{conversation_id}"]')
    expect(row).to_be_visible()
    row.click()
    pane = desk.locator(f'.dk-pane[data-conversation="{conversation_id}"]')
    bodies = pane.locator(".dk-msg-body")
    expect(bodies.filter(has_text="how lnog does shiping take?")).to_have_count(1)
    expect(bodies.filter(has_text="Orders ship within 24 hours")).to_have_count(1)
    expect(bodies.filter(has_text=re.compile("^I want to talk to a person$"))).to_have_count(1)
    expect(bodies.filter(has_text="Bot handed over: The shopper asked for a person")).to_have_count(
        1
    )
    expect(desk.locator('.dk-panel[data-part="bot"]')).to_contain_text(
        "The shopper asked for a person"
    )
    # Each shopper message carries its sentiment; the bot answer its entry and confidence.
    expect(pane.locator('.dk-msg[data-sender="visitor"] .dk-bot-mood')).to_have_count(2)
    expect(pane.locator(".dk-bot-meta")).to_contain_text("confidence")

    # The shopper sees who took it; the bot stays silent from now on.
    expect(shopper.locator('[data-testid="hd-status"]')).to_contain_text("Ana")
    widget_send(shopper, "what is your return policy")
    # Acked: the bot (which runs at commit, before the ack) had its chance and kept quiet.
    expect(
        shopper.locator(
            f'{MESSAGE}[data-sender="visitor"]:not([data-seq=""])',
            has_text="what is your return policy",
        )
    ).to_have_count(1)
    assert not db(
        lambda: Message.objects.filter(
            conversation_id=conversation_id, sender_kind="bot", body__contains="30 days"
        ).exists()
    )


def test_chinese_shopper_presses_talk_to_a_person(
    bot_server: str, browser: Any, pages: list[Any]
) -> None:
    db(knowledge_base_load, items=KB)
    shopper = new_page(browser, pages, locale="zh-CN")
    shopper.goto(bot_server + "/")
    shopper.click('[data-testid="hd-launcher"]')
    expect(shopper.locator('[data-testid="hd-panel"]')).to_have_attribute(
        "data-connection", "online"
    )
    widget_send(shopper, "退货政策是什么")
    answer = shopper.locator(f'{MESSAGE}[data-sender="bot"][data-bot-card="bot_answer"]')
    expect(answer.locator('[data-testid="hd-message-body"]')).to_contain_text("30 天内")
    expect(answer.locator('[data-testid="hd-bot-prompt"]')).to_have_text("这有帮助吗？")
    expect(answer.locator('[data-testid="hd-bot-yes"]')).to_have_text("是")
    human = answer.locator('[data-testid="hd-bot-human"]')
    expect(human).to_have_text("转人工")
    human.click()
    # The button is spent; the bot says a person is coming, in Chinese.
    expect(human).to_be_disabled()
    expect(
        shopper.locator(f'{MESSAGE}[data-sender="bot"]', has_text="您不用重复说明")
    ).to_have_count(1)
    reason, feedback = db(
        lambda: (
            Conversation.objects.values_list("bot_state__handover_reason", flat=True).get(),
            list(BotFeedback.objects.values_list("choice", flat=True)),
        )
    )
    assert reason == "feedback" and feedback == ["human"]


def test_the_bot_answers_order_status_with_order_cards(
    bot_server: str, browser: Any, pages: list[Any]
) -> None:
    """A signed-in demo customer asks where their order is: the bot says one line and the
    orders follow as order cards (items, a thumbnail, the shipment), not a text list."""
    from orders.demo import load_shop

    db(knowledge_base_load, items=KB)
    db(load_shop, lambda _line: None)
    shopper = new_page(browser, pages, locale="en-US")
    shopper.goto(bot_server + "/")
    shopper.select_option('[data-testid="demo-customer-select"]', "demo-001")
    shopper.click('[data-testid="demo-sign-in"]')
    expect(shopper.locator('[data-testid="demo-customer-name"]')).to_be_visible()
    shopper.click('[data-testid="hd-launcher"]')
    expect(shopper.locator('[data-testid="hd-panel"]')).to_have_attribute(
        "data-connection", "online"
    )
    widget_send(shopper, "Where is my order?")
    intro = shopper.locator(f'{MESSAGE}[data-sender="bot"]', has_text="most recent orders")
    expect(intro).to_have_count(1)
    expect(intro).not_to_contain_text("Order ")  # no text list under the intro
    cards = shopper.locator('[data-testid="hd-card"][data-card-type="order"]')
    expect(cards.first).to_be_visible()
    assert cards.count() >= 1
    expect(cards.first.locator('[data-testid="hd-card-items"]')).to_contain_text("×")
    expect(cards.first.locator('[data-testid="hd-card-thumb"], img.hdc-img').first).to_be_visible()
    assert shopper.locator('[data-testid="hd-card-shipment"]').count() >= 1
    assert not shopper.js_errors  # type: ignore[attr-defined]

    # The desk's bot panel counts the order answer, and draws the cards too.
    db(make_agent, "ana", name="Ana", capacity=0)
    conversation_id = db(lambda: Conversation.objects.get().pk)
    desk = new_page(browser, pages)
    desk.goto(bot_server + "/desk/")
    desk.fill("input[name=username]", "ana")
    desk.fill("input[name=password]", "pw-ana")
    desk.click("button[type=submit]")
    expect(desk.locator("#dk-conn")).to_have_attribute("data-state", "open")
    desk.locator(f'#dk-rows .dk-row[data-id="{conversation_id}"]').click()
    panel = desk.locator('.dk-panel[data-part="bot"]')
    answers = panel.locator("dt", has_text=re.compile("^Answers$"))
    expect(answers.locator("xpath=following-sibling::dd[1]")).to_have_text("1")
    pane = desk.locator(f'.dk-pane[data-conversation="{conversation_id}"]')
    expect(
        pane.locator('[data-testid="timeline-card"][data-card-type="order"]').first
    ).to_be_visible()


def test_the_left_message_form_is_never_answered_by_the_bot(
    bot_server: str, browser: Any, pages: list[Any]
) -> None:
    """Nobody online: the shopper leaves a question with the form; it is for a person, and the
    bot (which would answer the same words typed in the chat) says nothing."""
    db(knowledge_base_load, items=KB)
    shopper = new_page(browser, pages, locale="en-US")
    shopper.goto(bot_server + "/")
    shopper.click('[data-testid="hd-launcher"]')
    shopper.locator('[data-testid="hd-leave-open"]').click()
    form = shopper.locator('[data-testid="hd-leave-form"]')
    form.locator('[data-testid="hd-leave-email"]').fill("tea@example.com")
    form.locator('[data-testid="hd-leave-body"]').fill("What is your return policy?")
    form.locator('[data-testid="hd-leave-send"]').click()
    expect(shopper.get_by_text("Thanks! We'll get back to you soon.")).to_be_visible()
    wait_db(lambda: Message.objects.filter(sender_kind="visitor").exists())
    # The bot runs at commit in this server (Celery eager): give it ample time to misbehave.
    time.sleep(3)
    assert not db(lambda: Message.objects.filter(sender_kind="bot").exists())
    expect(shopper.locator(f'{MESSAGE}[data-sender="bot"]')).to_have_count(0)
    assert not shopper.js_errors  # type: ignore[attr-defined]
