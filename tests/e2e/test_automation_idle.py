"""The "conversation idle" trigger end to end, in a real browser against a real Daphne,
PostgreSQL, Redis and Celery worker: a manager writes an idle rule in the admin, a shopper's
message waits unanswered past its minutes, the beat's scan runs on the worker, and the
shopper, the desk and the admin's run log see the rule's work."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from playwright.sync_api import expect

from chat.models import AutomationRule, AutomationRun, Conversation, ConversationRouting
from tests.e2e.support import (
    desk_login,
    desk_view,
    new_page,
    off_loop,
    row,
    shopper_open,
    wait_db,
    widget_send,
)
from tests.factories import make_agent
from tests.procs import celery_worker, server_env

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _close_db() -> Any:
    yield
    connection.close()


def test_an_idle_rule_fires_on_the_worker_when_a_shopper_waits_past_its_minutes(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    from django.contrib.auth.models import User

    from helpdesk.celery import app

    off_loop(lambda: User.objects.create_superuser("root", "r@example.com", "root-pw-1"))
    make_agent("ana", name="Ana", capacity=0)

    admin = new_page(browser, pages)
    admin.goto(live_daphne + "/admin/login/")
    admin.fill("input[name=username]", "root")
    admin.fill("input[name=password]", "root-pw-1")
    admin.click("input[type=submit]")
    expect(admin).to_have_url(re.compile(r"/admin/$"))
    admin.goto(live_daphne + "/admin/chat/automationrule/add/")
    admin.fill("#id_name", "Nobody answered")
    admin.select_option("#id_event", "conversation_idle")
    admin.fill("#id_conditions", "[]")
    actions = [
        {"type": "priority", "priority": "urgent"},
        {"type": "send_message", "text": "Thanks for waiting, a colleague is on the way."},
    ]
    admin.fill("#id_actions", json.dumps(actions))
    admin.click("input[name=_save]")
    # Idle without its minutes is refused with the admin's message.
    expect(admin.locator(".errorlist")).to_contain_text("Idle for how many minutes")
    admin.fill("#id_idle_minutes", "2")
    admin.select_option("#id_idle_waiting_on", "agent")
    admin.click("input[name=_save]")
    expect(admin).to_have_url(re.compile(r"/admin/chat/automationrule/$"))

    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    shopper = shopper_open(browser, pages, live_daphne)
    widget_send(shopper, "Hello, is anyone there?")
    wait_db(lambda: ConversationRouting.objects.filter(waiting_since__isnull=False).exists())
    conversation = Conversation.objects.get()
    expect(row(agent, conversation.pk)).to_be_visible()
    # Not due yet: the scan on the worker runs nothing.
    with celery_worker(server_env(connection.settings_dict["NAME"]), "idle-e2e"):
        app.send_task("chat.automation.idle_scan")
        wait_db(lambda: _watermark_moved(), timeout=30)
        assert not AutomationRun.objects.exists()
        # Three minutes pass (the clock moved back, not slept): the shopper's wait and the
        # rule's scanned-through mark alike.
        back = dt.timedelta(minutes=3)
        ConversationRouting.objects.filter(conversation=conversation).update(
            waiting_since=F("waiting_since") - back
        )
        AutomationRule.objects.update(idle_checked_through=F("idle_checked_through") - back)
        app.send_task("chat.automation.idle_scan")
        expect(
            shopper.locator(
                '[data-testid="hd-message"]',
                has_text="Thanks for waiting, a colleague is on the way.",
            )
        ).to_be_visible(timeout=30_000)
        wait_db(lambda: AutomationRun.objects.filter(outcome="done").exists(), timeout=30)
    run = AutomationRun.objects.get()
    assert (run.conversation_id, run.event) == (conversation.pk, "conversation_idle")
    conversation.refresh_from_db()
    assert conversation.priority == Conversation.Priority.URGENT
    expect(row(agent, conversation.pk).locator(".dk-prio-urgent")).to_be_visible()

    admin.goto(live_daphne + "/admin/chat/automationrun/")
    expect(admin.locator("#result_list")).to_contain_text("Nobody answered")
    for page in (admin, agent, shopper):
        assert page.js_errors == []  # type: ignore[attr-defined]


def _watermark_moved() -> bool:
    return AutomationRule.objects.filter(idle_checked_through__isnull=False).exists()
