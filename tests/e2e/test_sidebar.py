"""Orders beside the conversation, in a real browser: the shopper signs in with the demo
storefront's switch (a real signed identity), the agent's sidebar shows that customer's orders
and tracking, and an order card sent from the sidebar arrives in the shopper's widget."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from chat.models import Conversation
from orders.demo import load_shop
from orders.models import Customer, Order, Product
from tests.e2e.support import (
    desk_login,
    desk_view,
    new_page,
    off_loop,
    pane,
    row,
    widget_open,
    widget_send,
)
from tests.factories import make_agent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp"


def test_sidebar_shows_demo_customer_orders_and_card_reaches_widget(
    live_daphne: str,
    browser: Any,
    pages: list[Any],
) -> None:
    off_loop(load_shop, lambda _line: None)
    customer = Customer.objects.get(external_id="demo-001")
    make_agent("ana", name="Ana")

    # The shopper signs in as a demo customer with the storefront's switch.
    shopper = new_page(browser, pages)
    shopper.goto(live_daphne + "/")
    shopper.select_option('[data-testid="demo-customer-select"]', "demo-001")
    shopper.click('[data-testid="demo-sign-in"]')
    expect(shopper.locator('[data-testid="demo-customer-name"]')).to_have_text(customer.name)
    widget_open(shopper)
    widget_send(shopper, "Where is my order?")
    conversation = Conversation.objects.get(customer=customer)

    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    row(agent, conversation.pk).click()
    expect(pane(agent, conversation.pk)).to_be_visible()
    name = agent.locator('[data-testid="sidebar-customer-name"]:visible')
    expect(name).to_have_text(customer.name)
    orders = agent.locator('[data-testid="sidebar-order"]:visible')
    latest = Order.objects.filter(customer=customer).order_by("-placed_at", "-pk").first()
    assert latest is not None
    expect(orders.first).to_contain_text(latest.number)
    expect(orders).to_have_count(min(5, Order.objects.filter(customer=customer).count()))
    agent.screenshot(path=f"{SHOTS}/sidebar_orders.png")

    orders.first.locator('[data-testid="send-order-card"]').click()
    card = shopper.locator('[data-testid="hd-card"][data-card-type="order"]')
    expect(card).to_be_visible()
    expect(card.locator('[data-testid="hd-card-title"]')).to_have_text(latest.number)
    shopper.screenshot(path=f"{SHOTS}/widget_order_card.png")

    # The shopper moves to a product page: the agent sees it live, without a reload.
    product = Product.objects.get(external_id="P0010")
    shopper.goto(live_daphne + f"/p/{product.slug}/")
    now_viewing = agent.locator('[data-testid="sidebar-current-page"]:visible')
    expect(now_viewing).to_contain_text(product.name)
    # ... and the product joins "recently viewed".
    viewed = agent.locator('[data-testid="sidebar-viewed"]:visible')
    expect(viewed).to_contain_text(product.name)

    # A product card from the sidebar's catalogue search.
    agent.fill('[data-testid="sidebar-catalog-search"]:visible', "Wool beanie")
    agent.locator(
        '[data-testid="sidebar-catalog"]:visible [data-testid="send-product-card"]'
    ).first.click()
    widget_open(shopper)
    product_card = shopper.locator('[data-testid="hd-card"][data-card-type="product"]')
    expect(product_card.locator('[data-testid="hd-card-title"]')).to_have_text("Wool beanie")
    agent.screenshot(path=f"{SHOTS}/sidebar_live_page.png")
    assert not shopper.js_errors and not agent.js_errors  # type: ignore[attr-defined]
