"""@mentions in the desk: Bob names Ana in a note through the keyboard suggestions; Ana's
desk counts it live, her Mentions view lists it unread, and opening it jumps to the note and
reads it (real Daphne, PostgreSQL, Redis and two Chromium contexts)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from chat.models import Conversation, Mention
from tests.e2e.support import desk_login, desk_view, off_loop, pane, row, wait_db
from tests.factories import make_agent, make_visitor, shopper_says

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _close_db() -> Any:
    yield
    connection.close()


def test_a_mention_in_a_note_notifies_the_agent_live_and_lists_it_until_opened(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    ana = make_agent("ana", name="Ana")
    make_agent("bob", name="Bob")
    make_agent("anton", name="Anton")
    visitor = make_visitor(name="Mia")
    off_loop(shopper_says, visitor, "My parcel is lost")
    conversation = Conversation.objects.get(visitor=visitor)

    her = desk_login(browser, pages, live_daphne, "ana")
    badge = her.locator('[data-testid="dk-mentions-count"]')
    expect(badge).to_be_hidden()

    him = desk_login(browser, pages, live_daphne, "bob")
    desk_view(him, "all")
    row(him, conversation.pk).click()
    box = pane(him, conversation.pk)
    box.locator(".dk-mode-note").click()
    area = box.locator(".dk-textarea")
    area.click()
    area.type("@an")
    menu = him.locator('[data-testid="dk-mention-menu"]')
    expect(menu.locator(".dk-mention-item")).to_have_count(2)  # Ana, Anton; not Bob himself
    him.keyboard.press("ArrowDown")
    him.keyboard.press("ArrowUp")
    him.keyboard.press("Enter")  # chooses, does not send
    expect(area).to_have_value("@ana ")
    area.type("please call the courier")
    him.keyboard.press("Enter")
    expect(box.locator(".dk-msg.dk-private")).to_contain_text("@ana please call the courier")
    wait_db(lambda: Mention.objects.filter(user=ana).exists())

    # Live on Ana's desk: the count and a toast, without a reload.
    expect(badge).to_have_text("1")
    expect(her.locator("#dk-toasts .dk-toast").last).to_contain_text("Bob mentioned you")
    her.locator('[data-testid="dk-mentions-btn"]').click()
    entry = her.locator('[data-testid="dk-mention-row"]')
    expect(entry).to_have_count(1)
    expect(entry).to_have_class(re.compile(r"\bdk-mention-unread\b"))
    expect(entry).to_contain_text("Bob mentioned you:")
    entry.press("Enter")
    note = pane(her, conversation.pk).locator(".dk-msg.dk-private")
    expect(note).to_have_class(re.compile(r"\bdk-msg-found\b"))
    expect(badge).to_be_hidden()
    wait_db(lambda: not Mention.objects.filter(user=ana, read_at__isnull=True).exists())
    her.reload()
    expect(her.locator("#dk-conn")).to_have_attribute("data-state", "open", timeout=30_000)
    her.locator('[data-testid="dk-mentions-btn"]').click()
    expect(her.locator('[data-testid="dk-mention-row"]')).not_to_have_class(
        re.compile(r"\bdk-mention-unread\b")
    )
    assert her.js_errors == [] and him.js_errors == []  # type: ignore[attr-defined]
