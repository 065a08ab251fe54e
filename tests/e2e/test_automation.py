"""Automation in a real browser against a real Daphne, PostgreSQL, Redis and Celery worker: a
manager writes a rule in the admin (a wrong label refused with the admin's message), a
shopper's message in the widget fires it, the desk shows its label and priority live, and
the admin's run log lists it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from chat.models import AutomationRun, Conversation, Label
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


def test_a_rule_written_in_the_admin_fires_on_a_shoppers_message(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    from django.contrib.auth.models import User

    off_loop(lambda: User.objects.create_superuser("root", "r@example.com", "root-pw-1"))
    Label.objects.create(name="Refund", color="#dc2626")
    make_agent("ana", name="Ana", capacity=0)

    admin = new_page(browser, pages)
    admin.goto(live_daphne + "/admin/login/")
    admin.fill("input[name=username]", "root")
    admin.fill("input[name=password]", "root-pw-1")
    admin.click("input[type=submit]")
    expect(admin).to_have_url(re.compile(r"/admin/$"))
    admin.goto(live_daphne + "/admin/chat/automationrule/add/")
    admin.fill("#id_name", "Refund requests")
    admin.select_option("#id_event", "message_created")
    admin.fill("#id_conditions", json.dumps([{"type": "message_contains", "any": ["refund"]}]))
    actions = [
        {"type": "label", "label": "Refnd"},
        {"type": "priority", "priority": "high"},
        {"type": "send_message", "text": "We have your refund request."},
    ]
    admin.fill("#id_actions", json.dumps(actions))
    admin.click("input[name=_save]")
    expect(admin.locator(".errorlist")).to_contain_text("Action 1: no label named 'Refnd'.")
    actions[0]["label"] = "Refund"
    admin.fill("#id_actions", json.dumps(actions))
    admin.click("input[name=_save]")
    expect(admin).to_have_url(re.compile(r"/admin/chat/automationrule/$"))

    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    with celery_worker(server_env(connection.settings_dict["NAME"]), "automation-e2e"):
        shopper = shopper_open(browser, pages, live_daphne)
        widget_send(shopper, "Hello, I would like a refund for my lamp")
        expect(
            shopper.locator('[data-testid="hd-message"]', has_text="We have your refund request.")
        ).to_be_visible(timeout=30_000)
        wait_db(lambda: AutomationRun.objects.filter(outcome="done").exists(), timeout=30)
    conversation = Conversation.objects.get()
    assert conversation.priority == Conversation.Priority.HIGH
    expect(row(agent, conversation.pk).locator(".dk-prio-high")).to_be_visible()
    expect(row(agent, conversation.pk).locator(".dk-label")).to_have_text("Refund")

    admin.goto(live_daphne + "/admin/chat/automationrun/")
    expect(admin.locator("#result_list")).to_contain_text("Refund requests")
    expect(admin.locator("#result_list")).to_contain_text("Done")
    for page in (admin, agent, shopper):
        assert page.js_errors == []  # type: ignore[attr-defined]
