"""Saved filters in the desk: Ana saves her list's filters under a name, shared; the list
changes; one click brings the filters back; Bob sees the shared one and applies it
(real Daphne, PostgreSQL, Redis and Chromium)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from chat.models import Conversation, SavedFilter
from tests.e2e.support import desk_login, desk_view, off_loop, row, wait_db
from tests.factories import make_agent, make_visitor, shopper_says

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _close_db() -> Any:
    yield
    connection.close()


def test_save_share_and_apply_a_filter(live_daphne: str, browser: Any, pages: list[Any]) -> None:
    make_agent("ana", name="Ana")
    make_agent("bob", name="Bob")
    off_loop(shopper_says, make_visitor(name="Mia"), "退货运费谁出？")
    off_loop(shopper_says, make_visitor(name="Leo"), "Do you ship to Oslo?")
    refund = Conversation.objects.get(visitor__name="Mia")
    oslo = Conversation.objects.get(visitor__name="Leo")

    ana = desk_login(browser, pages, live_daphne, "ana")
    desk_view(ana, "all", status="any")
    ana.fill("#dk-search", "运费")
    expect(row(ana, oslo.pk)).to_have_count(0)
    expect(row(ana, refund.pk)).to_be_visible()
    ana.click('[data-testid="dk-saved-new"]')
    ana.fill('[data-testid="dk-saved-name"]', "运费问题")
    ana.check('[data-testid="dk-saved-share"]')
    ana.click('[data-testid="dk-saved-submit"]')
    item = ana.locator('[data-testid="dk-saved-item"]')
    expect(item).to_have_text("运费问题×")
    wait_db(lambda: SavedFilter.objects.filter(name="运费问题", shared=True).exists())
    saved = SavedFilter.objects.get(name="运费问题")
    assert saved.filters == {"view": "all", "status": "any", "sort": "recent", "q": "运费"}

    # Another view, then one click brings the saved one back.
    ana.fill("#dk-search", "")
    desk_view(ana, "unassigned", status="resolved")
    expect(row(ana, refund.pk)).to_have_count(0)
    item.locator(".dk-saved-apply").click()
    expect(ana.locator("#dk-search")).to_have_value("运费")
    expect(ana.locator("#dk-status")).to_have_value("any")
    expect(ana.locator('.dk-tab[data-view="all"]')).to_have_attribute("aria-selected", "true")
    expect(row(ana, refund.pk)).to_be_visible()
    expect(row(ana, oslo.pk)).to_have_count(0)

    # Bob sees the shared filter (no delete button: it is Ana's) and applies it by keyboard.
    bob = desk_login(browser, pages, live_daphne, "bob")
    his = bob.locator('[data-testid="dk-saved-item"]')
    expect(his).to_have_text("运费问题")
    expect(his.locator(".dk-saved-delete")).to_have_count(0)
    his.locator(".dk-saved-apply").focus()
    bob.keyboard.press("Enter")
    expect(row(bob, refund.pk)).to_be_visible()
    expect(row(bob, oslo.pk)).to_have_count(0)

    # Ana deletes it.
    item.locator(".dk-saved-delete").click()
    expect(item).to_have_count(0)
    wait_db(lambda: not SavedFilter.objects.exists())
    assert ana.js_errors == [] and bob.js_errors == []  # type: ignore[attr-defined]
