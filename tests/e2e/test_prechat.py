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
from tests.e2e.support import (
    desk_login,
    desk_view,
    new_page,
    off_loop,
    pane,
    row,
    wait_db,
    widget_open,
    widget_send,
)
from tests.factories import make_agent

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


def test_a_manager_builds_the_form_in_the_admin_and_the_answers_reach_the_agents_sidebar(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    """No code: the topic's choices typed one per line, the questions picked in a table with
    their label, required and order, a mistake named by its row with everything kept. The
    shopper's empty or malformed answers are caught in the browser before anything is sent;
    the answers show beside the conversation."""
    from django.contrib.auth.models import User

    off_loop(lambda: User.objects.create_superuser("root", "r@example.com", "root-pw-1"))
    make_agent("ana", name="Ana", capacity=0)
    channel = default_web_channel_id()
    admin = new_page(browser, pages)
    admin.goto(live_daphne + "/admin/login/")
    admin.fill("input[name=username]", "root")
    admin.fill("input[name=password]", "root-pw-1")
    admin.click("input[type=submit]")
    expect(admin).to_have_url(re.compile(r"/admin/$"))

    # The topic: a list attribute of the conversation, its choices one per line.
    admin.goto(
        live_daphne + "/admin/chat/attributedefinition/add/?applies_to=conversation&kind=list"
    )
    admin.fill("#id_key", "topic")
    admin.fill("#id_label", "Topic")
    admin.fill("#id_options", "Delivery\nReturns\n\nPayment\n")
    admin.click("input[name=_save]")
    expect(admin).to_have_url(re.compile(r"/admin/chat/attributedefinition/$"))
    topic = AttributeDefinition.objects.get(key="topic")
    assert (topic.kind, topic.options) == ("list", ["Delivery", "Returns", "Payment"])

    # The form: email, then name with its own label (ordered before it), then the topic; the
    # email asked twice is refused by row, what was typed still there.
    admin.goto(live_daphne + "/admin/chat/prechatform/add/")
    admin.select_option("#id_channel", str(channel))
    questions = admin.locator("table.prechat-questions")
    expect(questions.locator("tbody tr")).to_have_count(4)
    admin.select_option("#id_fields-0-field", "email")
    admin.check("#id_fields-0-required")
    admin.fill("#id_fields-0-order", "2")
    admin.select_option("#id_fields-1-field", "name")
    admin.fill("#id_fields-1-label", "Your first name")
    admin.check("#id_fields-1-required")
    admin.fill("#id_fields-1-order", "1")
    expect(
        admin.locator("#id_fields-2-field option", has_text="Delivery, Returns, Payment")
    ).to_have_count(1)
    admin.select_option("#id_fields-2-field", "conversation.topic")
    admin.fill("#id_fields-2-label", "What is it about?")
    admin.check("#id_fields-2-required")
    admin.fill("#id_fields-2-order", "3")
    admin.select_option("#id_fields-3-field", "email")
    admin.click("input[name=_save]")
    expect(admin.locator(".errorlist")).to_have_text(
        "Row 4: this question is already asked in row 1."
    )
    expect(admin.locator("#id_fields-3-error")).to_have_text(
        "Row 4: this question is already asked in row 1."
    )
    expect(admin.locator("#id_fields-3-field")).to_have_attribute("aria-invalid", "true")
    expect(admin.locator("#id_fields-1-label")).to_have_value("Your first name")
    expect(admin.locator("#id_fields-2-field")).to_have_value("conversation.topic")
    expect(admin.locator("#id_fields-2-required")).to_be_checked()
    assert not PrechatForm.objects.exists()
    admin.select_option("#id_fields-3-field", "")
    admin.click("input[name=_save]")
    expect(admin).to_have_url(re.compile(r"/admin/chat/prechatform/$"))
    expect(admin.locator("#result_list")).to_contain_text(
        "Your first name*, email*, What is it about?*"
    )
    assert PrechatForm.objects.get().fields == [
        {"field": "name", "required": True, "label": "Your first name"},
        {"field": "email", "required": True},
        {"field": "conversation.topic", "required": True, "label": "What is it about?"},
    ]

    # The shopper: the questions in that order; an empty or malformed answer never leaves the
    # browser, and the message is under the field.
    shopper = new_page(browser, pages)
    posts: list[str] = []
    shopper.on(
        "request",
        lambda r: posts.append(r.url) if r.method == "POST" and "/prechat" in r.url else None,
    )
    shopper.goto(live_daphne + "/")
    widget_open(shopper)
    prechat = shopper.locator('[data-testid="hd-prechat"]')
    expect(prechat.locator("label")).to_have_text(
        [re.compile("^Your first name"), re.compile("^Email"), re.compile("^What is it about")]
    )
    submit = shopper.locator('[data-testid="hd-prechat-submit"]')
    submit.click()
    for n in range(3):
        expect(prechat.locator(f"#hdp-{n}-error")).to_have_text("This field is required.")
    name = prechat.get_by_role("textbox", name=re.compile("^Your first name"))
    expect(name).to_be_focused()
    name.fill("Mia")
    email = prechat.get_by_role("textbox", name=re.compile("^Email"))
    email.fill("mia@")
    prechat.get_by_role("combobox", name=re.compile("^What is it about")).select_option("Returns")
    submit.click()
    expect(prechat.locator("#hdp-1-error")).to_have_text("Enter a valid email address.")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    expect(prechat.locator("#hdp-0-error")).to_be_hidden()
    expect(name).to_have_value("Mia")
    assert posts == []
    # A reload loses nothing typed.
    shopper.reload()
    widget_open(shopper)
    expect(name).to_have_value("Mia")
    expect(email).to_have_value("mia@")
    expect(prechat.get_by_role("combobox", name=re.compile("^What is it about"))).to_have_value(
        "Returns"
    )
    email.fill("mia@example.com")
    submit.click()
    expect(prechat).to_have_count(0)
    assert len(posts) == 1
    widget_send(shopper, "Hello, about my return")
    wait_db(lambda: Conversation.objects.exists())
    conversation = Conversation.objects.get()

    # The agent sees the answers beside the conversation.
    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    row(agent, conversation.pk).click()
    expect(pane(agent, conversation.pk)).to_be_visible()
    sidebar = agent.locator(f'.dk-sidebar-conv[data-conversation="{conversation.pk}"]')
    expect(sidebar.locator('[data-testid="sidebar-customer-name"]')).to_contain_text("Mia")
    expect(sidebar.locator('[data-testid="sidebar-visitor-email"]')).to_have_text("mia@example.com")
    expect(sidebar.get_by_label("Topic")).to_have_value("Returns")
    for page in (admin, shopper, agent):
        assert page.js_errors == []  # type: ignore[attr-defined]
