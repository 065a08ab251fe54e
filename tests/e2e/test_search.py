"""Message search in the desk: a Chinese word from an old message is found, marked, and
picking the hit opens the conversation scrolled to that message (real Daphne, PostgreSQL,
Redis and Chromium)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from tests.e2e.support import desk_login, desk_view, off_loop, pane
from tests.factories import make_agent, make_visitor, shopper_says

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _close_db() -> Any:
    yield
    connection.close()


def _long_conversation(name: str, early: str, n: int = 30) -> int:
    visitor = make_visitor(name=name)
    shopper_says(visitor, "你好")
    message = shopper_says(visitor, early)
    for i in range(n):
        shopper_says(visitor, f"later line {i} with nothing in it")
    return message.conversation_id


def test_search_finds_an_old_chinese_word_and_jumps_to_the_message(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    make_agent("ana", name="Ana")
    wanted = off_loop(_long_conversation, "Mia", "我想退货，尺码太小了")
    off_loop(_long_conversation, "Leo", "请问什么时候发货", 2)

    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    agent.fill("#dk-search", "退货")
    hits = agent.locator('[data-testid="dk-hit"]')
    expect(hits).to_have_count(1)
    hit = hits.first
    expect(hit).to_have_attribute("data-conversation", str(wanted))
    expect(hit).to_have_attribute("data-seq", "2")
    expect(hit.locator("mark")).to_have_text("退货")
    expect(hit).to_contain_text("尺码太小了")

    # Keyboard: from the box down to the hit, Enter opens it.
    agent.focus("#dk-search")
    agent.keyboard.press("ArrowDown")
    expect(hit).to_be_focused()
    agent.keyboard.press("Enter")
    opened = pane(agent, wanted)
    found = opened.locator('.dk-msg[data-seq="2"]')
    expect(found).to_have_class(re.compile(r"\bdk-msg-found\b"))
    expect(found).to_be_in_viewport()
    # The newest message is out of view: the pane did not stay scrolled to the end.
    expect(opened.locator('.dk-msg[data-seq="32"]')).not_to_be_in_viewport()

    # Two words must both occur; a word nobody wrote lists nothing.
    agent.fill("#dk-search", "退货 发货")
    expect(agent.locator("#dk-hits .dk-hits-empty")).to_be_visible()
    agent.fill("#dk-search", "")
    expect(agent.locator('[data-testid="dk-hits"]')).to_be_hidden()
    assert agent.js_errors == []  # type: ignore[attr-defined]
