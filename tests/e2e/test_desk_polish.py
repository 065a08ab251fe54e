"""The workspace's and the widget's rough edges, each driven in a real browser against a real
Daphne, PostgreSQL and Redis."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from chat.models import Conversation
from tests.e2e.support import desk_login, desk_view, off_loop, row
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
