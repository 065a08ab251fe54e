"""The pre-chat form in the widget, in a real browser against a real Daphne, PostgreSQL and
Redis: shown before the first message with the composer waiting, driven by the keyboard,
errors from the server under their fields for screen readers, answers stored, and Chinese."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from chat.models import AttributeDefinition, AttributeValue, Conversation, PrechatForm, Visitor
from chat.models.inbox import default_web_channel_id
from tests.e2e.support import new_page, wait_db, widget_open, widget_send

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _close_db() -> Any:
    yield
    connection.close()


@pytest.fixture
def form() -> PrechatForm:
    AttributeDefinition.objects.create(
        applies_to="conversation",
        key="topic",
        label="Topic",
        kind="list",
        options=["Delivery", "Returns"],
    )
    return PrechatForm.objects.create(
        channel_id=default_web_channel_id(),
        fields=[
            {"field": "name", "required": True},
            {"field": "email", "required": True},
            {"field": "phone"},
            {"field": "conversation.topic", "required": True},
        ],
    )


def test_the_form_comes_first_by_keyboard_with_errors_read_out_then_the_chat(
    live_daphne: str, browser: Any, pages: list[Any], form: PrechatForm
) -> None:
    page = new_page(browser, pages)
    page.goto(live_daphne + "/")
    widget_open(page)
    prechat = page.locator('[data-testid="hd-prechat"]')
    expect(prechat).to_be_visible()
    expect(prechat).to_have_accessible_name("Before we start")
    expect(page.locator('[data-testid="hd-composer"]')).to_be_hidden()
    name = prechat.get_by_role("textbox", name=re.compile(r"^Your name"))
    expect(name).to_have_attribute("aria-required", "true")
    expect(prechat.get_by_role("textbox", name="Phone")).not_to_have_attribute(
        "aria-required", "true"
    )
    expect(name).to_be_focused()

    # Enter on an empty form: the server's message under each required field, focus on the
    # first, the field invalid and described by its message.
    page.keyboard.press("Enter")
    error = prechat.locator("#hdp-0-error")
    expect(error).to_have_text("This field is required.")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_attribute("aria-describedby", "hdp-0-error")
    expect(name).to_be_focused()
    expect(page.locator('[data-testid="hd-prechat-alert"]')).to_have_text("Please check the form.")

    # Typed and tabbed through; a bad email comes back with its message.
    page.keyboard.type("Mia Wong")
    page.keyboard.press("Tab")
    page.keyboard.type("mia@")
    page.keyboard.press("Tab")
    page.keyboard.type("+44 20 7946 0000")
    page.keyboard.press("Tab")
    expect(prechat.get_by_role("combobox", name=re.compile("^Topic"))).to_be_focused()
    prechat.get_by_role("combobox", name=re.compile("^Topic")).select_option("Returns")
    page.keyboard.press("Tab")
    expect(page.locator('[data-testid="hd-prechat-submit"]')).to_be_focused()
    page.keyboard.press("Enter")
    email = prechat.get_by_role("textbox", name=re.compile(r"^Email"))
    expect(prechat.locator("#hdp-1-error")).to_have_text("Enter a valid email address.")
    expect(email).to_be_focused()
    expect(error).to_be_hidden()
    email.fill("mia@example.com")
    page.keyboard.press("Enter")

    # Done: the composer is back with the cursor in it; the first message opens the
    # conversation, which carries the topic; name and email are the visitor's.
    expect(prechat).to_have_count(0)
    expect(page.locator('[data-testid="hd-input"]')).to_be_focused()
    widget_send(page, "Hi, about my return")
    wait_db(lambda: Conversation.objects.exists())
    conversation = Conversation.objects.select_related("visitor").get()
    assert (conversation.visitor.name, conversation.visitor.email) == (
        "Mia Wong",
        "mia@example.com",
    )
    assert AttributeValue.objects.get(conversation=conversation).value == "Returns"
    assert AttributeValue.objects.get(visitor=conversation.visitor).value == "+44 20 7946 0000"
    # A reload does not ask again.
    page.reload()
    widget_open(page)
    expect(page.locator('[data-testid="hd-input"]')).to_be_visible()
    expect(prechat).to_have_count(0)
    assert page.js_errors == []  # type: ignore[attr-defined]


def test_a_chinese_shopper_sees_the_form_in_chinese(
    live_daphne: str, browser: Any, pages: list[Any], form: PrechatForm
) -> None:
    page = new_page(browser, pages, locale="zh-CN")
    page.goto(live_daphne + "/")
    widget_open(page)
    prechat = page.locator('[data-testid="hd-prechat"]')
    expect(prechat).to_have_accessible_name("开始之前")
    expect(prechat.get_by_role("textbox", name=re.compile("^您的姓名"))).to_be_visible()
    page.locator('[data-testid="hd-prechat-submit"]').click()
    expect(prechat.locator("#hdp-0-error")).to_have_text("此字段为必填项。")
    expect(page.locator('[data-testid="hd-prechat-submit"]')).to_have_text("开始聊天")
    assert Visitor.objects.count() == 1
    assert page.js_errors == []  # type: ignore[attr-defined]
