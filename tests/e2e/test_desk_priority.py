"""Priorities in the workspace, in a real browser against a real Daphne, PostgreSQL and Redis:
the pane's picker (by mouse and by keyboard), the list's badge, filter and order, live."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from chat.models import Conversation
from tests.e2e.support import desk_login, desk_view, off_loop, pane, row, wait_db
from tests.factories import make_agent, make_visitor, shopper_says

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _close_db() -> Any:
    yield
    connection.close()


def _set_priority(user: Any, conversation_id: int, priority: str) -> None:
    from chat.access import Actor
    from chat.priority.services import conversation_priority_set

    conversation_priority_set(
        actor=Actor(user=user), conversation_id=conversation_id, priority=priority
    )


def test_priority_from_the_header_and_keyboard_shown_filtered_and_sorted_live(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    make_agent("ana", name="Ana", capacity=0)
    bo = make_agent("bo", name="Bo", capacity=0)
    for name in ("Mia", "Leo", "Kai"):
        off_loop(shopper_says, make_visitor(name=name), f"Hello from {name}")
    mia, leo, kai = (Conversation.objects.get(visitor__name=n).pk for n in ("Mia", "Leo", "Kai"))
    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")

    # The pane's picker: Mia is urgent; the row shows it and the timeline says who did it.
    row(agent, mia).click()
    picker = pane(agent, mia).locator('[data-testid="dk-priority-pick"]')
    expect(picker).to_have_value("none")
    picker.select_option("urgent")
    wait_db(lambda: Conversation.objects.filter(pk=mia, priority=4).exists())
    expect(row(agent, mia).locator(".dk-prio-urgent")).to_have_text("Urgent")
    expect(row(agent, mia)).to_have_attribute("data-priority", "urgent")
    expect(pane(agent, mia).locator('.dk-msg[data-sender="system"]').last).to_contain_text(
        "Ana set the priority to Urgent"
    )

    # The keyboard: p puts the cursor on the picker, a letter picks "High".
    row(agent, leo).click()
    agent.keyboard.press("Escape")  # opening put the cursor in the composer
    agent.keyboard.press("p")
    leo_picker = pane(agent, leo).locator('[data-testid="dk-priority-pick"]')
    expect(leo_picker).to_be_focused()
    agent.keyboard.press("h")
    wait_db(lambda: Conversation.objects.filter(pk=leo, priority=3).exists())
    expect(row(agent, leo).locator(".dk-prio-high")).to_have_text("High")
    agent.keyboard.press("Escape")
    agent.keyboard.press("?")
    expect(agent.locator('[data-testid="dk-shortcuts"]')).to_contain_text("Set the priority")
    agent.keyboard.press("Escape")

    # Most urgent first.
    agent.select_option("#dk-sort", "priority")
    rows = agent.locator("#dk-rows .dk-row")
    # Each place read with a retry: the list redraws as the sorted page and live updates come.
    for place, conversation_id in enumerate([mia, leo, kai]):
        expect(rows.nth(place)).to_have_attribute("data-id", str(conversation_id))
    expect(rows).to_have_count(3)

    # The filter, kept live: another agent makes Kai urgent and Kai joins the list.
    agent.select_option("#dk-priority", "urgent")
    expect(row(agent, leo)).to_have_count(0)
    expect(row(agent, kai)).to_have_count(0)
    expect(row(agent, mia)).to_be_visible()
    off_loop(_set_priority, bo, kai, "urgent")
    expect(row(agent, kai).locator(".dk-prio-urgent")).to_be_visible()
    # Kai's latest activity is newer, but within one priority the newest comes first.
    expect(rows.first).to_have_attribute("data-id", str(kai))
    agent.select_option("#dk-priority", "")
    expect(row(agent, leo)).to_be_visible()
    assert agent.js_errors == []  # type: ignore[attr-defined]


def test_a_list_page_read_before_a_live_update_does_not_undo_it(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    """A list reload read before a live update and answered after it keeps what the update
    said (the rows' ``version``). CI once read Leo's row back in its old place and without
    its priority: the reload a first change scheduled was read just before a second change
    and answered just after it."""
    make_agent("ana", name="Ana", capacity=0)
    bo = make_agent("bo", name="Bo", capacity=0)
    for name in ("Mia", "Leo"):
        off_loop(shopper_says, make_visitor(name=name), f"Hello from {name}")
    mia, leo = (Conversation.objects.get(visitor__name=n).pk for n in ("Mia", "Leo"))
    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    rows = agent.locator("#dk-rows .dk-row")
    expect(rows.first).to_have_attribute("data-id", str(leo))

    # From here the server reads each list request at once, and the test says when it answers;
    # the page's timers run on a clock the test can stop.
    agent.clock.install()
    held: list[tuple[Any, Any]] = []
    lists = re.compile(r"/api/v1/conversations/\?")
    agent.route(lists, lambda route: held.append((route, route.fetch())))
    off_loop(_set_priority, bo, mia, "urgent")  # the list reloads 1.5 s after this update
    deadline = time.monotonic() + 20
    while not held:
        assert time.monotonic() < deadline, "the list did not reload after a live update"
        agent.wait_for_timeout(100)
    # That page says Mia is urgent and newest, Leo as he was. Leo's update comes next (its own
    # reload waits on the stopped clock), then that page.
    agent.clock.pause_at(int(agent.evaluate("Date.now()")) + 10)
    off_loop(_set_priority, bo, leo, "high")
    expect(row(agent, leo)).to_have_attribute("data-priority", "high")
    expect(rows.first).to_have_attribute("data-id", str(leo))
    stale_route, stale = held.pop(0)
    body = stale.json()
    body["counts"]["all"] = 97  # drawn once the desk has taken this page
    stale_route.fulfill(response=stale, json=body)
    expect(agent.locator('.dk-count[data-count="all"]')).to_have_text("97")

    expect(row(agent, leo)).to_have_attribute("data-priority", "high")
    expect(row(agent, leo).locator(".dk-prio-high")).to_have_text("High")
    expect(rows.first).to_have_attribute("data-id", str(leo))
    expect(rows.nth(1)).to_have_attribute("data-id", str(mia))

    agent.unroute(lists)
    agent.clock.resume()
    for route, response in held:
        route.fulfill(response=response)
    assert agent.js_errors == []  # type: ignore[attr-defined]
