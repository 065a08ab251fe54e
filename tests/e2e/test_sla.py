"""The desk marks conversations whose SLA clock is about to pass ("SLA at risk") or has passed
("SLA breached") and lists them first, in Chromium against a real Daphne, PostgreSQL and Redis
(docs/metrics.md, "SLA")."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from analytics.models import ConversationTrack, SlaPolicy
from chat.models import Conversation
from tests.e2e.support import desk_login, desk_view, off_loop, row
from tests.factories import agent_says, make_agent, make_visitor, shopper_says

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _close_db() -> Any:
    yield
    connection.close()


def _waiting_since(conversation: Conversation, minutes: float) -> None:
    """The shopper has waited ``minutes`` for a person (the listeners' track, backdated: the
    live server's clock is real)."""
    since = timezone.now() - dt.timedelta(minutes=minutes)
    ConversationTrack.objects.filter(pk=conversation.pk).update(
        opened_at=since, cycle_started_at=since, awaiting_since=since, handover_at=None
    )


def test_at_risk_and_breached_conversations_are_marked_and_listed_first(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    SlaPolicy.objects.create(name="Chat", first_response_minutes=10, business_hours=False)
    ana = make_agent("ana", name="Ana")
    conversations = {}
    for name in ("Breached", "Risky", "Calm"):  # Calm has the newest activity
        message = off_loop(shopper_says, make_visitor(name=name), f"hello from {name}")
        conversations[name] = Conversation.objects.get(pk=message.conversation_id)
    _waiting_since(conversations["Breached"], 11)  # due a minute ago
    _waiting_since(conversations["Risky"], 8.5)  # 1.5 of 10 minutes left
    _waiting_since(conversations["Calm"], 1)

    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    breached, risky, calm = (row(agent, conversations[n].pk) for n in ("Breached", "Risky", "Calm"))
    expect(breached).to_have_attribute("data-sla", "breached")
    expect(breached.locator(".dk-sla-badge")).to_have_text("SLA breached")
    expect(risky).to_have_attribute("data-sla", "at_risk")
    expect(risky.locator(".dk-sla-badge")).to_have_text("SLA at risk")
    expect(calm.locator(".dk-sla-badge")).to_have_count(0)
    order = agent.locator("#dk-rows .dk-row").evaluate_all("rows => rows.map(r => r.dataset.id)")
    wanted = [str(conversations[n].pk) for n in ("Breached", "Risky", "Calm")]
    assert order[:3] == wanted, order
    # A reply ends the first-response clock: the mark goes on the next poll after the update.
    off_loop(agent_says, ana, conversations["Risky"], "on it")
    expect(risky.locator(".dk-sla-badge")).to_have_count(0)
    assert agent.js_errors == []  # type: ignore[attr-defined]
