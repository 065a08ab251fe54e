"""The bot's "did you mean" in a real browser: an ambiguous question gets one button per
suggested knowledge-base entry; a press (by keyboard) answers with that entry as a real bot
message, which the agent sees too, and the card stays answered after a reload; "none of these"
hands over, and with nobody available it opens the leave-a-message form (in Chinese).

The server decides on words alone (HELPDESK_EMBEDDER=off, as this process does when it picks
the question), so which questions are ambiguous does not depend on the box's speed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from chat.bot.knowledge_import import demo_items, knowledge_base_load
from chat.models import BotFeedback, Conversation, KnowledgeEntry, Message, SuggestionPick
from tests.e2e.support import desk_login, desk_view, pane, wait_db, wait_sessions_gone
from tests.e2e.support import new_page as _new_page
from tests.e2e.support import off_loop as db
from tests.e2e.support import row as desk_row
from tests.factories import make_agent
from tests.procs import reset_server_caches

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

KB = demo_items()
TIMEOUT = 20_000
new_page = functools.partial(_new_page, timeout=TIMEOUT)
MESSAGE = '[data-testid="hd-message"]'
SUGGEST = f'{MESSAGE}[data-sender="bot"][data-bot-card="bot_suggest"]'
# Vague questions; the test takes the first the bot answers with "did you mean" and at least
# two entries (the calibration may be refitted; one of these stays ambiguous).
EN_QUESTIONS = [
    "what if it does not fit and the colour is wrong",
    "I bought shoes",
    "question about the package and the bill",
    "I have a question about my order from last week",
    "need help with my stuff",
]
ZH_QUESTIONS = ["付款方式有哪些还有运费", "订单有问题", "尺码和运费", "付款和退货"]


@pytest.fixture(scope="module")
def _module_server(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    from django.db import connection

    from tests.procs import daphne, server_env

    with django_db_blocker.unblock():
        env = server_env(connection.settings_dict["NAME"])
    env.update({"CELERY_EAGER": "1", "HELPDESK_BOT_ENABLED": "1", "HELPDESK_EMBEDDER": "off"})
    with daphne(env) as base:
        yield base
    with django_db_blocker.unblock():
        wait_sessions_gone(connection)


@pytest.fixture
def suggest_server(_module_server: str) -> str:
    """The module's server, which forgets the rows it cached before each test (the previous
    test's flushed team and agents, its knowledge base: tests/process_caches.py)."""
    reset_server_caches(_module_server)
    return _module_server


@pytest.fixture
def words_alone(monkeypatch: Any) -> None:
    monkeypatch.setenv("HELPDESK_EMBEDDER", "off")


def ambiguous(questions: list[str], language: str) -> tuple[str, list[dict[str, Any]]]:
    """The first question the bot would answer with "did you mean" and ≥ 2 entries."""
    from chat.bot.matching import hybrid

    def scan() -> tuple[str, list[dict[str, Any]]] | None:
        for text in questions:
            decision = hybrid.decide(text, language=language)
            if decision.decision == "suggest" and len(decision.suggestions) >= 2:
                return text, [s.as_dict() for s in decision.suggestions]
        return None

    found = db(scan)
    assert found, f"none of {questions} is ambiguous for the bot any more: add one that is"
    return found


def shopper_page(
    browser: Any, pages: list[Any], base: str, locale: str, frames: list[str] | None = None
) -> Page:
    """The storefront with the widget open; ``frames`` collects what its socket receives."""
    page = new_page(browser, pages, locale=locale)
    if frames is not None:
        page.on(
            "websocket",
            lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))),
        )
    page.goto(base + "/")
    page.click('[data-testid="hd-launcher"]')
    expect(page.locator('[data-testid="hd-panel"]')).to_have_attribute("data-connection", "online")
    return page


def ask(page: Page, text: str) -> None:
    page.fill('[data-testid="hd-input"]', text)
    page.press('[data-testid="hd-input"]', "Enter")


def test_a_picked_suggestion_answers_for_shopper_and_agent_and_survives_reload(
    suggest_server: str, browser: Any, pages: list[Any], words_alone: None
) -> None:
    db(knowledge_base_load, items=KB)
    db(make_agent, "ana", name="Ana")
    question, offered = ambiguous(EN_QUESTIONS, "en")
    # An agent is online: "none of these" offers a person.
    desk = desk_login(browser, pages, suggest_server, "ana")

    frames: list[str] = []
    shopper = shopper_page(browser, pages, suggest_server, "en-US", frames)
    ask(shopper, question)
    card = shopper.locator(SUGGEST)
    expect(card).to_have_count(1)
    expect(card.locator('[data-testid="hd-message-body"]')).to_have_text("Did you mean…")
    buttons = card.locator('[data-testid="hd-bot-suggestion"]')
    expect(buttons).to_have_text([s["title"] for s in offered])
    none = card.locator('[data-testid="hd-bot-none"]')
    expect(none).to_have_text("None of these — talk to a person")
    expect(card.locator('[data-testid="hd-bot-suggest"]')).to_have_attribute(
        "aria-label", "Did you mean…"
    )

    # The keyboard: Tab from the first entry to the second, Enter presses it.
    choice = offered[1]
    buttons.nth(0).focus()
    shopper.keyboard.press("Tab")
    expect(buttons.nth(1)).to_be_focused()
    shopper.keyboard.press("Enter")
    entry = db(lambda: KnowledgeEntry.objects.get(key=choice["key"], language="en"))
    answer = shopper.locator(f'{MESSAGE}[data-sender="bot"][data-bot-card="bot_answer"]')
    expect(answer).to_have_count(1)
    expect(answer.locator('[data-testid="hd-message-body"]')).to_have_text(entry.answer)
    chosen = card.locator(f'[data-testid="hd-bot-suggestion"][data-key="{choice["key"]}"]')
    expect(chosen).to_have_attribute("aria-pressed", "true")
    for i in range(len(offered)):
        expect(buttons.nth(i)).to_be_disabled()
    expect(none).to_be_disabled()
    expect(shopper.locator('[data-testid="hd-input"]')).to_be_focused()
    conversation_id, answer_id = db(
        lambda: SuggestionPick.objects.values_list("conversation_id", "answer_message_id").get()
    )
    stored = db(lambda: Message.objects.get(pk=answer_id))
    assert (stored.sender_kind, stored.body, stored.card["key"]) == ("bot", entry.answer, entry.key)

    # After a reload the history draws the card answered, the same choice marked.
    shopper.reload()
    shopper.click('[data-testid="hd-launcher"]')
    card = shopper.locator(SUGGEST)
    expect(card.locator('[data-testid="hd-bot-suggest"]')).to_have_attribute(
        "data-picked", choice["key"]
    )
    expect(
        card.locator(f'[data-testid="hd-bot-suggestion"][data-key="{choice["key"]}"]')
    ).to_have_attribute("aria-pressed", "true")
    expect(card.locator("button:enabled")).to_have_count(0)
    expect(shopper.locator(f'{MESSAGE}[data-bot-card="bot_answer"]')).to_have_count(1)

    # The agent sees the question, the suggestions and the answer the shopper chose, each bot
    # message with which entry and why: titles linking to the admin, scores, matched words.
    desk_view(desk, "all")
    desk_row(desk, conversation_id).click()
    conversation = pane(desk, conversation_id)
    bodies = conversation.locator(".dk-msg-body")
    expect(bodies.filter(has_text=question)).to_have_count(1)
    expect(bodies.filter(has_text=entry.answer)).to_have_count(1)
    ids = db(lambda: dict(KnowledgeEntry.objects.filter(language="en").values_list("key", "pk")))
    suggested = conversation.locator('.dk-bot-why[data-decision="suggest"][data-picked="0"]')
    expect(suggested).to_have_count(1)
    expect(suggested.locator(".dk-bot-why-head")).to_contain_text("Did you mean")
    expect(suggested.locator(".dk-bot-why-entry")).to_have_text([s["title"] for s in offered])
    for i, s in enumerate(offered):
        link = suggested.locator(".dk-bot-why-entry").nth(i)
        expect(link).to_have_attribute(
            "href", re.compile(f"/admin/chat/knowledgeentry/{ids[s['key']]}/change/$")
        )
        expect(suggested.locator(".dk-bot-why-score").nth(i)).to_have_text(f" {s['score']:.2f}")
    expect(suggested.locator(".dk-bot-why-terms")).to_have_count(len(offered))
    expect(suggested.locator(".dk-bot-why-terms", has_text="matched: ")).not_to_have_count(0)
    answered = conversation.locator('.dk-bot-why[data-picked="1"]')
    expect(answered).to_contain_text("Picked by the shopper")
    expect(answered).to_contain_text(f"confidence {choice['score']:.2f}")
    expect(answered.locator(".dk-bot-why-entry")).to_have_text(entry.title)

    # What the shopper's widget received never had any of it.
    assert any("bot_suggest" in f for f in frames)
    assert not any("bot_why" in f for f in frames)

    # An entry deleted since: its title stays, marked deleted, with no link to a missing page.
    gone = offered[0]
    db(lambda: KnowledgeEntry.objects.get(key=gone["key"], language="en").delete())
    desk.reload()
    desk_view(desk, "all")
    desk_row(desk, conversation_id).click()
    suggested = pane(desk, conversation_id).locator(
        '.dk-bot-why[data-decision="suggest"][data-picked="0"]'
    )
    first = suggested.locator("li").nth(0)
    expect(first.locator(".dk-bot-why-entry")).to_have_text(gone["title"])
    expect(first.locator(".dk-bot-why-deleted")).to_have_text(" (entry deleted)")
    expect(first.locator("a")).to_have_count(0)
    expect(suggested.locator("li").nth(1).locator("a.dk-bot-why-entry")).to_have_count(1)


def test_none_of_these_with_nobody_available_hands_over_and_opens_the_form_in_chinese(
    suggest_server: str, browser: Any, pages: list[Any], words_alone: None
) -> None:
    db(knowledge_base_load, items=KB)
    question, offered = ambiguous(ZH_QUESTIONS, "zh-hans")
    shopper = shopper_page(browser, pages, suggest_server, "zh-CN")
    ask(shopper, question)
    card = shopper.locator(SUGGEST)
    expect(card.locator('[data-testid="hd-bot-suggestion"]')).to_have_text(
        [s["title"] for s in offered]
    )
    expect(card.locator('[data-testid="hd-message-body"]')).to_have_text("您是不是想问…")
    none = card.locator('[data-testid="hd-bot-none"]')
    # No agent is online: the way out is a message left for later.
    expect(none).to_have_text("都不是，给我们留言")
    none.focus()
    shopper.keyboard.press("Enter")
    expect(shopper.locator('[data-testid="hd-leave-form"]')).to_be_visible()
    expect(none).to_have_attribute("aria-pressed", "true")
    expect(card.locator("button:enabled")).to_have_count(0)
    # The bot handed over: the shopper is told, in Chinese; no answer was given.
    expect(
        shopper.locator(f'{MESSAGE}[data-sender="bot"]', has_text="正在为您转接人工客服")
    ).to_have_count(1)
    reason, feedback = db(
        lambda: (
            Conversation.objects.values_list("bot_state__handover_reason", flat=True).get(),
            list(BotFeedback.objects.values_list("choice", flat=True)),
        )
    )
    assert reason == "feedback" and feedback == ["human"]
    assert not db(lambda: SuggestionPick.objects.exists())
    wait_db(lambda: Message.objects.filter(card__picked="human").exists())

    # Reloaded, the card shows "none of these" chosen.
    shopper.reload()
    shopper.click('[data-testid="hd-launcher"]')
    expect(shopper.locator(SUGGEST).locator('[data-testid="hd-bot-suggest"]')).to_have_attribute(
        "data-picked", "human"
    )


def test_none_of_these_hands_over_to_the_agent_online(
    suggest_server: str, browser: Any, pages: list[Any], words_alone: None
) -> None:
    db(knowledge_base_load, items=KB)
    db(make_agent, "ana", name="Ana")
    question, _offered = ambiguous(EN_QUESTIONS, "en")
    desk_login(browser, pages, suggest_server, "ana")
    shopper = shopper_page(browser, pages, suggest_server, "en-US")
    ask(shopper, question)
    card = shopper.locator(SUGGEST)
    none = card.locator('[data-testid="hd-bot-none"]')
    expect(none).to_have_text("None of these — talk to a person")
    none.click()
    expect(none).to_have_attribute("aria-pressed", "true")
    expect(card.locator("button:enabled")).to_have_count(0)
    # Routing gives the conversation to the agent online; the shopper is told who is coming
    # and is not asked to leave a message.
    wait_db(lambda: Conversation.objects.filter(assignee__username="ana").exists())
    expect(shopper.locator('[data-testid="hd-status"]')).to_contain_text("Ana")
    told = re.compile("Ana will be with you|passing you to a person")
    expect(shopper.locator(f'{MESSAGE}[data-sender="bot"]', has_text=told)).to_have_count(1)
    expect(shopper.locator('[data-testid="hd-leave-form"]')).to_have_count(0)
    reason = db(
        lambda: Conversation.objects.values_list("bot_state__handover_reason", flat=True).get()
    )
    assert reason == "feedback"
    assert not db(lambda: SuggestionPick.objects.exists())
