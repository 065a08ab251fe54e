"""The workspace's and the widget's rough edges, each driven in a real browser against a real
Daphne, PostgreSQL and Redis."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from chat.models import Conversation
from tests.e2e.support import desk_login, desk_view, new_page, off_loop, row
from tests.factories import make_agent, make_visitor, shopper_says

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _close_db() -> Any:
    """The test body's own connection (Playwright's loop gives it its own context) closes at
    the end, or it would block the test database's DROP."""
    yield
    connection.close()


def test_list_search_finds_a_word_from_an_earlier_shopper_message(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    make_agent("ana", name="Ana")
    first = make_visitor(name="Mia")
    off_loop(shopper_says, first, "My parcel to Reykjavik has not arrived")
    off_loop(shopper_says, first, "thanks")
    other = make_visitor(name="Leo")
    off_loop(shopper_says, other, "Do you ship to Oslo?")
    wanted = Conversation.objects.get(visitor=first)
    unwanted = Conversation.objects.get(visitor=other)

    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    expect(row(agent, unwanted.pk)).to_be_visible()
    agent.fill("#dk-search", "reykjavik")
    expect(row(agent, unwanted.pk)).to_have_count(0)
    expect(row(agent, wanted.pk)).to_be_visible()
    # A word no message, name or email has finds nothing.
    agent.fill("#dk-search", "zanzibar")
    expect(row(agent, wanted.pk)).to_have_count(0)
    assert agent.js_errors == []  # type: ignore[attr-defined]


def test_storefront_offers_the_demo_customer_sign_in_once_and_styled(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    from orders.demo import load_shop

    off_loop(load_shop, lambda _line: None)
    page = new_page(browser, pages)
    page.goto(live_daphne + "/")
    switch = page.locator('[data-testid="demo-customer-switch"]')
    expect(switch).to_be_visible()
    # The words show once (the select's first option), not again as a stray label.
    assert switch.inner_text().count("Sign in as a demo customer") == 1
    select = page.locator('[data-testid="demo-customer-select"]')
    expect(select).to_have_accessible_name("Sign in as a demo customer")
    # Styled as the shop's other controls (the cart's pill), not the browser's default.
    button = page.locator('[data-testid="demo-sign-in"]')
    for control in (select, button):
        radius = control.evaluate("e => getComputedStyle(e).borderTopLeftRadius")
        assert float(radius.removesuffix("px")) >= 16, radius
    assert button.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
