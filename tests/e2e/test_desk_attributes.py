"""Custom attributes in the workspace, in a real browser against a real Daphne, PostgreSQL and
Redis: the sidebar's fields saved on change with the server's messages under the field, and the
list's attribute filter."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from chat.models import AttributeDefinition, AttributeValue, Conversation
from tests.e2e.support import desk_login, desk_view, off_loop, pane, row, wait_db
from tests.factories import make_agent, make_visitor, shopper_says

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _close_db() -> Any:
    yield
    connection.close()


def _value(key: str) -> Any:
    found = AttributeValue.objects.filter(definition__key=key).first()
    return found.value if found else None


def shipping_and_gift_wrap() -> None:
    """The conversation attributes both tests edit: a list and a checkbox."""
    make = AttributeDefinition.objects.create
    make(
        applies_to="conversation",
        key="shipping",
        label="Shipping",
        kind="list",
        options=["Express", "Standard"],
    )
    make(applies_to="conversation", key="gift", label="Gift wrap", kind="checkbox")


def test_attributes_edited_in_the_sidebar_with_clear_errors_and_filtered_in_the_list(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    make = AttributeDefinition.objects.create
    make(applies_to="conversation", key="refund", label="Refund amount", kind="number")
    shipping_and_gift_wrap()
    make(applies_to="contact", key="profile", label="Profile", kind="link")
    make_agent("ana", name="Ana", capacity=0)
    for name in ("Mia", "Leo"):
        off_loop(shopper_says, make_visitor(name=name), f"Hello from {name}")
    mia, leo = (Conversation.objects.get(visitor__name=n).pk for n in ("Mia", "Leo"))
    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    row(agent, mia).click()
    expect(pane(agent, mia)).to_be_visible()
    panel = agent.locator(
        f'.dk-sidebar-conv[data-conversation="{mia}"] .dk-panel[data-part="attributes"]'
    )
    expect(panel).to_contain_text("Conversation attributes")
    expect(panel).to_contain_text("Contact attributes")

    # A wrong number: the server's message under the field, marked invalid, nothing stored.
    refund = panel.get_by_label("Refund amount")
    refund.fill("twelve")
    refund.press("Tab")
    error = panel.locator('[data-attribute="conversation.refund"] .dk-attr-error')
    expect(error).to_have_text("Enter a number.")
    expect(refund).to_have_attribute("aria-invalid", "true")
    assert refund.get_attribute("aria-describedby") == error.get_attribute("id")
    assert off_loop(_value, "refund") is None
    # Corrected: stored as a number, the error gone, the save announced.
    refund.fill("12.50")
    refund.press("Tab")
    expect(error).to_be_hidden()
    expect(refund).not_to_have_attribute("aria-invalid", "true")
    expect(panel.locator(".dk-attr-status")).to_have_text("Refund amount saved.")
    wait_db(lambda: _value("refund") == 12.5)

    panel.get_by_label("Shipping").select_option("Express")
    wait_db(lambda: _value("shipping") == "Express")
    panel.get_by_label("Gift wrap").check()
    wait_db(lambda: _value("gift") is True)
    profile = panel.get_by_label("Profile")
    profile.fill("javascript:alert(1)")
    profile.press("Tab")
    expect(panel.locator('[data-attribute="contact.profile"] .dk-attr-error')).to_have_text(
        "Enter a link starting with http:// or https://."
    )
    profile.fill("https://shop.example/u/mia")
    profile.press("Tab")
    wait_db(lambda: _value("profile") == "https://shop.example/u/mia")

    # The list's filter: Shipping is Express shows Mia only.
    agent.select_option("#dk-attr", label="Shipping")
    agent.select_option("#dk-attr-value", "Express")
    expect(row(agent, leo)).to_have_count(0)
    expect(row(agent, mia)).to_be_visible()
    agent.select_option("#dk-attr", "")
    expect(row(agent, leo)).to_be_visible()

    # The values are there when the conversation is opened again.
    agent.locator(f'.dk-panetab[data-id="{mia}"] .dk-panetab-close').click()
    row(agent, mia).click()
    panel = agent.locator(
        f'.dk-sidebar-conv[data-conversation="{mia}"] .dk-panel[data-part="attributes"]'
    )
    expect(panel.get_by_label("Refund amount")).to_have_value("12.5")
    expect(panel.get_by_label("Gift wrap")).to_be_checked()
    assert agent.js_errors == []  # type: ignore[attr-defined]


def test_an_attribute_saved_by_one_agent_shows_live_in_another_agents_open_sidebar(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    make = AttributeDefinition.objects.create
    shipping_and_gift_wrap()
    make(applies_to="contact", key="plan", label="Plan", kind="text")
    make_agent("ana", name="Ana", capacity=0)
    make_agent("bo", name="Bo", capacity=0)
    off_loop(shopper_says, make_visitor(name="Mia"), "Hello from Mia")
    mia = Conversation.objects.get(visitor__name="Mia").pk
    panels = []
    for username in ("ana", "bo"):
        agent = desk_login(browser, pages, live_daphne, username)
        desk_view(agent, "all")
        row(agent, mia).click()
        expect(pane(agent, mia)).to_be_visible()
        panel = agent.locator(
            f'.dk-sidebar-conv[data-conversation="{mia}"] .dk-panel[data-part="attributes"]'
        )
        expect(panel.get_by_label("Shipping")).to_have_value("")
        panels.append((agent, panel))
    (ana, at_ana), (bo, at_bo) = panels

    # Bo is typing the plan when Ana saves hers: his field is left as he has it.
    at_bo.get_by_label("Plan").fill("Pro (typing)")
    at_ana.get_by_label("Shipping").select_option("Express")
    at_ana.get_by_label("Gift wrap").check()
    plan = at_ana.get_by_label("Plan")
    plan.fill("Business")
    plan.press("Tab")
    wait_db(lambda: _value("plan") == "Business")
    expect(at_bo.get_by_label("Shipping")).to_have_value("Express")
    expect(at_bo.get_by_label("Gift wrap")).to_be_checked()
    expect(at_bo.get_by_label("Plan")).to_have_value("Pro (typing)")
    expect(at_bo.locator(".dk-attr-status")).to_contain_text("changed by another agent")
    # Ana's own sidebar says nothing of the kind; a cleared value clears at Bo's too.
    expect(at_ana.locator(".dk-attr-status")).to_have_text("Plan saved.")
    at_ana.get_by_label("Shipping").select_option("")
    expect(at_bo.get_by_label("Shipping")).to_have_value("")
    assert ana.js_errors == [] and bo.js_errors == []  # type: ignore[attr-defined]


def test_a_contact_attribute_saved_in_one_conversation_shows_live_in_the_customers_other(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    """The contact's values are the customer's: Bo, with the customer's chat from another
    device open, sees the plan Ana saves in hers without reloading."""
    from tests.factories import customer_with_orders, verified_visitor

    make = AttributeDefinition.objects.create
    make(applies_to="contact", key="plan", label="Plan", kind="text")
    make(applies_to="contact", key="vip", label="VIP", kind="checkbox")
    make_agent("ana", name="Ana", capacity=0)
    make_agent("bo", name="Bo", capacity=0)
    customer = off_loop(customer_with_orders, "c-5", n=0)
    for body in ("From my phone", "From my laptop"):
        off_loop(shopper_says, off_loop(verified_visitor, customer), body)
    phone, laptop = (
        Conversation.objects.get(messages__body=body).pk
        for body in ("From my phone", "From my laptop")
    )
    panels = []
    for username, conversation in (("ana", phone), ("bo", laptop)):
        agent = desk_login(browser, pages, live_daphne, username)
        desk_view(agent, "all")
        row(agent, conversation).click()
        expect(pane(agent, conversation)).to_be_visible()
        panel = agent.locator(
            f'.dk-sidebar-conv[data-conversation="{conversation}"] '
            '.dk-panel[data-part="attributes"]'
        )
        expect(panel.get_by_label("Plan")).to_have_value("")
        panels.append((agent, panel))
    (ana, at_ana), (bo, at_bo) = panels

    plan = at_ana.get_by_label("Plan")
    plan.fill("Business")
    plan.press("Tab")
    at_ana.get_by_label("VIP").check()
    expect(at_bo.get_by_label("Plan")).to_have_value("Business")
    expect(at_bo.get_by_label("VIP")).to_be_checked()
    expect(at_bo.locator(".dk-attr-status")).to_contain_text("changed by another agent")
    assert ana.js_errors == [] and bo.js_errors == []  # type: ignore[attr-defined]


def test_two_quick_changes_of_a_field_reach_the_server_in_order(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    """The agent picks Express, then Standard, while the first save is still out: the second
    waits for it, so the server ends with Standard (sent side by side, the older save could
    land last and win, and the status named whichever answer came back last)."""
    shipping_and_gift_wrap()
    make_agent("ana", name="Ana", capacity=0)
    off_loop(shopper_says, make_visitor(name="Mia"), "Hello from Mia")
    mia = Conversation.objects.get(visitor__name="Mia").pk
    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    row(agent, mia).click()
    panel = agent.locator(
        f'.dk-sidebar-conv[data-conversation="{mia}"] .dk-panel[data-part="attributes"]'
    )
    shipping = panel.get_by_label("Shipping")
    expect(shipping).to_have_value("")

    held: list[Any] = []

    def hold_the_first_save(route: Any) -> None:
        if route.request.method == "POST" and not held:
            held.append(route)  # answered when the test says
        else:
            route.continue_()

    agent.route(re.compile(r"/attributes$"), hold_the_first_save)
    shipping.select_option("Express")
    deadline = time.monotonic() + 20
    while not held:
        assert time.monotonic() < deadline, "the first save never left"
        agent.wait_for_timeout(50)
    shipping.select_option("Standard")
    agent.wait_for_timeout(1500)  # a second save sent beside the first has landed by now
    held[0].continue_()
    # Later requests straight through (the route's handler runs only while the test is
    # inside a Playwright call, and the waits below poll the database).
    agent.unroute(re.compile(r"/attributes$"))
    wait_db(lambda: _value("shipping") == "Standard")
    expect(panel.locator(".dk-attr-status")).to_have_text("Shipping saved.")
    expect(shipping).to_have_value("Standard")
    agent.wait_for_timeout(500)
    assert off_loop(_value, "shipping") == "Standard"
    assert agent.js_errors == []  # type: ignore[attr-defined]
