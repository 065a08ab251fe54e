"""The workspace's and the widget's rough edges, each driven in a real browser against a real
Daphne, PostgreSQL and Redis."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import expect

from chat.models import AttributeDefinition, Conversation, Label
from tests.e2e.support import desk_login, desk_view, new_page, off_loop, pane, row, wait_db
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


def test_storefront_offers_the_demo_customer_sign_in_once_and_styled(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    from orders.demo import load_shop

    off_loop(load_shop, lambda _line: None)
    page = new_page(browser, pages)
    page.goto(live_daphne + "/")
    switch = page.locator('[data-testid="demo-customer-switch"]')
    expect(switch).to_be_visible()
    # The words show once (the select's first option), not again as a stray label.
    assert switch.inner_text().count("Sign in as a demo customer") == 1
    select = page.locator('[data-testid="demo-customer-select"]')
    expect(select).to_have_accessible_name("Sign in as a demo customer")
    # Styled as the shop's other controls (the cart's pill), not the browser's default.
    button = page.locator('[data-testid="demo-sign-in"]')
    for control in (select, button):
        radius = control.evaluate("e => getComputedStyle(e).borderTopLeftRadius")
        assert float(radius.removesuffix("px")) >= 16, radius
    assert button.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"


ONE_ROW = """(head) => {
  const boxes = [...head.querySelectorAll('.dk-pane-title, .dk-pane-actions > *')]
    .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().width > 0)
    .map((e) => e.getBoundingClientRect());
  const top = Math.min(...boxes.map((b) => b.top)), bottom = Math.max(...boxes.map((b) => b.bottom));
  return {rows: bottom - top, tallest: Math.max(...boxes.map((b) => b.height))};
}"""


def test_tabs_and_split_view_fit_a_1366_pixel_screen(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    # Capacity 0: the router gives Ana nothing, so both stay unassigned.
    make_agent("ana", name="Ana", capacity=0)
    for name in ("Mia Lindqvist-Hernández", "Leo"):
        off_loop(shopper_says, make_visitor(name=name), "Hello there")
    one, two = Conversation.objects.order_by("pk")
    agent = desk_login(browser, pages, live_daphne, "ana")
    agent.set_viewport_size({"width": 1366, "height": 768})
    desk_view(agent, "all")

    # "Unassigned" and its count are whole, not clipped to "nassigned".
    tab = agent.locator('.dk-tab[data-view="unassigned"]')
    expect(tab.locator(".dk-count")).to_have_text("2")
    fits = tab.evaluate(
        "t => t.scrollWidth <= t.clientWidth && [...t.querySelectorAll('.dk-count')]"
        ".every(c => c.getBoundingClientRect().right <= t.getBoundingClientRect().right)"
    )
    assert fits, tab.evaluate("t => [t.scrollWidth, t.clientWidth]")

    row(agent, one.pk).click()
    agent.click("#dk-split")
    row(agent, two.pk).click()
    heads = agent.locator(".dk-pane:not([hidden]) .dk-pane-head")
    expect(heads).to_have_count(2)
    agent.screenshot(path="/tmp/desk_split_1366.png")
    for i in range(2):
        size = heads.nth(i).evaluate(ONE_ROW)
        # Everything on one row: the header is no taller than its tallest item.
        assert size["rows"] <= size["tallest"] + 1, size


# Each visible filter select is wide enough for its chosen option's words (the text measured
# in the select's own font, plus its padding and arrow).
SELECT_WORDS_FIT = """(root) => [...root.querySelectorAll('select')]
  .filter((s) => s.offsetParent !== null)
  .map((s) => {
    const style = getComputedStyle(s);
    const ctx = document.createElement('canvas').getContext('2d');
    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const words = s.options[s.selectedIndex]?.text || '';
    const need = ctx.measureText(words).width + parseFloat(style.paddingLeft) + 20;
    return {words, need: Math.ceil(need), width: Math.floor(s.getBoundingClientRect().width)};
  })
  .filter((s) => s.width < s.need)"""

# The point at the middle of the shopper's name is the name itself, not a control over it.
NAME_UNCOVERED = """(head) => {
  const name = head.querySelector('.dk-pane-name'), box = name.getBoundingClientRect();
  const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return box.width > 0 && name.contains(hit);
}"""


def test_one_pane_header_and_the_list_filters_show_their_words_on_a_laptop(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    # Every filter the desk can show: labels and custom attributes beside status and priority.
    Label.objects.create(name="VIP", color="#d97706")
    AttributeDefinition.objects.create(
        applies_to="conversation", key="topic", label="Topic", kind="list", options=["Returns"]
    )
    make_agent("ana", name="Ana", capacity=0)
    off_loop(shopper_says, make_visitor(name="Sunny Seal"), "can i return shoes i wore once?")
    one = Conversation.objects.get()
    agent = desk_login(browser, pages, live_daphne, "ana")
    agent.set_viewport_size({"width": 1440, "height": 900})
    desk_view(agent, "all")
    row(agent, one.pk).click()
    head = pane(agent, one.pk).locator(".dk-pane-head")
    expect(head.locator(".dk-pane-name")).to_have_text("Sunny Seal")
    expect(head.locator(".dk-priority")).to_be_visible()
    # The actions wrap under the title rather than covering the avatar and the name.
    assert head.evaluate(NAME_UNCOVERED), "the header's actions cover the shopper's name"
    expect(agent.locator("#dk-attr")).to_be_visible()
    expect(agent.locator("#dk-label")).to_be_visible()
    cut = agent.locator(".dk-list-head").evaluate(SELECT_WORDS_FIT)
    assert cut == [], cut
    assert agent.js_errors == []  # type: ignore[attr-defined]


def test_shoppers_named_well_previews_show_the_last_line_and_chinese(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    from chat.access import Actor
    from chat.routing.services import _auto_assign
    from chat.services.messages import message_create

    ana = make_agent("ana", name="Ana")
    anonymous = make_visitor(language="en")
    off_loop(shopper_says, anonymous, "Is the teapot in stock?")
    by_email = make_visitor(email="mia@example.com")
    off_loop(shopper_says, by_email, "Hi")
    first = Conversation.objects.get(visitor=anonymous)
    second = Conversation.objects.get(visitor=by_email)
    # Routing assigns Ana: its "Ana has joined the conversation" is not the list's preview.
    off_loop(_auto_assign, first, user=ana)
    # A picture without text previews as "[image]".
    off_loop(
        lambda: message_create(
            conversation=Conversation.objects.get(pk=second.pk),
            sender_kind="visitor",
            body="",
            kind="image",
            sender_name=Actor(visitor=by_email).visitor.display_name,
        )
    )
    anonymous.refresh_from_db()
    nick = anonymous.display_name
    assert not nick.startswith("Visitor") and len(nick.split()) == 2

    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    expect(row(agent, first.pk).locator(".dk-row-name")).to_have_text(nick)
    expect(row(agent, first.pk).locator(".dk-row-preview")).to_have_text("Is the teapot in stock?")
    expect(row(agent, second.pk).locator(".dk-row-name")).to_have_text("mia@example.com")
    expect(row(agent, second.pk).locator(".dk-row-preview")).to_have_text("[image]")

    # The desk in Chinese: the made-up name, "[image]" and the joined line in Chinese.
    agent.select_option("#dk-lang-top", "zh-hans")
    expect(agent.locator("html")).to_have_attribute("lang", "zh-hans")
    desk_view(agent, "all")
    expect(row(agent, second.pk).locator(".dk-row-preview")).to_have_text("[图片]")
    name = row(agent, first.pk).locator(".dk-row-name")
    expect(name).not_to_have_text(nick)
    assert not re.search("[A-Za-z]", name.inner_text()), name.inner_text()
    row(agent, first.pk).click()
    expect(pane(agent, first.pk).locator(".dk-msg-system .dk-msg-body")).to_have_text(
        "Ana 已加入会话"
    )
    # The sidebar calls the shopper the same, in Chinese.
    sidebar_name = agent.locator('[data-testid="sidebar-customer-name"]:visible')
    expect(sidebar_name).to_have_text(name.inner_text())
    assert agent.js_errors == []  # type: ignore[attr-defined]


def test_order_card_in_the_timeline_shows_items_and_shipment_and_scrolls_into_view(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    from orders.demo import load_shop
    from orders.models import Customer, Order
    from tests.factories import verified_visitor

    off_loop(load_shop, lambda _line: None)
    customer = Customer.objects.get(external_id="demo-001")
    visitor = verified_visitor(customer)
    for n in range(30):  # a long conversation: the timeline scrolls
        off_loop(shopper_says, visitor, f"Question number {n}")
    conversation = Conversation.objects.get(visitor=visitor)
    make_agent("ana", name="Ana")
    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    row(agent, conversation.pk).click()
    box = pane(agent, conversation.pk)
    expect(box.locator(".dk-msg-body", has_text="Question number 29")).to_be_visible()

    order = Order.objects.filter(customer=customer).order_by("-placed_at", "-pk").first()
    assert order is not None
    agent.locator('[data-testid="sidebar-order"]:visible').first.locator(
        '[data-testid="send-order-card"]'
    ).click()
    card = box.locator('[data-testid="timeline-card"][data-card-type="order"]')
    expect(card).to_be_visible()
    expect(card).to_contain_text(order.number)
    item = order.items.first()
    assert item is not None
    expect(card.locator('[data-testid="timeline-card-items"]')).to_contain_text(
        f"{item.quantity} × {item.name}"
    )
    if order.shipments.exists():
        expect(card.locator('[data-testid="timeline-card-shipment"]')).to_be_visible()
    # The agent sees what they just sent: the timeline is at its end, the card in view.
    agent.wait_for_function(
        """(id) => { const t = document.querySelector(`.dk-pane[data-conversation="${id}"] .dk-timeline`);
                     return t.scrollTop + t.clientHeight >= t.scrollHeight - 4; }""",
        arg=conversation.pk,
        timeout=5000,
    )
    expect(card).to_be_in_viewport()
    assert agent.js_errors == []  # type: ignore[attr-defined]


def test_keyboard_shortcuts_move_reply_note_assign_resolve_search_and_help(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    from chat.models import Message

    ana = make_agent("ana", name="Ana", capacity=0)
    for name in ("Mia", "Leo"):
        off_loop(shopper_says, make_visitor(name=name), f"Hello from {name}")
    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    rows = agent.locator("#dk-rows .dk-row")
    expect(rows).to_have_count(2)
    top, second = (int(rows.nth(i).get_attribute("data-id") or 0) for i in range(2))

    # ? shows the list; Escape closes it.
    agent.keyboard.press("?")
    help_box = agent.locator('[data-testid="dk-shortcuts"]')
    expect(help_box).to_be_visible()
    expect(help_box).to_contain_text("Next conversation")
    expect(help_box).to_contain_text("Assign to me")
    agent.keyboard.press("Escape")
    expect(help_box).to_have_count(0)

    # j / k walk the list.
    agent.keyboard.press("j")
    expect(pane(agent, top)).to_be_visible()
    agent.keyboard.press("j")
    expect(pane(agent, second)).to_be_visible()
    agent.keyboard.press("k")
    expect(pane(agent, top)).to_be_visible()

    # n: an internal note; Escape leaves the box so keys are shortcuts again.
    agent.keyboard.press("n")
    area = pane(agent, top).locator(".dk-textarea")
    expect(area).to_be_focused()
    agent.keyboard.type("checked the warehouse")
    agent.keyboard.press("Enter")
    wait_db(
        lambda: Message.objects.filter(
            conversation_id=top, private=True, body="checked the warehouse"
        ).exists()
    )
    agent.keyboard.press("Escape")
    expect(area).not_to_be_focused()
    # r: back to replying, in the box.
    agent.keyboard.press("r")
    expect(area).to_be_focused()
    expect(pane(agent, top).locator(".dk-mode-reply")).to_have_attribute("aria-pressed", "true")
    agent.keyboard.press("Escape")

    # a: assign to me; e: resolve.
    agent.keyboard.press("a")
    wait_db(lambda: Conversation.objects.filter(pk=top, assignee=ana).exists())
    agent.keyboard.press("e")
    wait_db(lambda: Conversation.objects.filter(pk=top, status="resolved").exists())

    # /: the search box, where the keys are text.
    agent.keyboard.press("/")
    expect(agent.locator("#dk-search")).to_be_focused()
    agent.keyboard.type("jar")
    expect(agent.locator("#dk-search")).to_have_value("jar")
    assert agent.js_errors == []  # type: ignore[attr-defined]


def test_labels_bulk_apply_show_in_colour_and_filter_the_list(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:

    make_agent("ana", name="Ana", capacity=0)
    vip = Label.objects.create(name="VIP", color="#d97706")
    Label.objects.create(name="Refund", color="#dc2626")
    for name in ("Mia", "Leo", "Kai"):
        off_loop(shopper_says, make_visitor(name=name), f"Hello from {name}")
    kai, leo, mia = (Conversation.objects.get(visitor__name=n).pk for n in ("Kai", "Leo", "Mia"))
    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")

    # Tick two rows (ticking does not open them) and add "VIP" to both at once.
    for pk in (mia, leo):
        row(agent, pk).locator(".dk-row-check").check()
    expect(agent.locator("#dk-panes .dk-pane")).to_have_count(0)
    bulk = agent.locator('[data-testid="dk-bulk"]')
    expect(bulk).to_contain_text("2 selected")
    bulk.locator('[data-testid="dk-bulk-add"]').select_option(label="VIP")
    chip = row(agent, mia).locator(f'.dk-label[data-label="{vip.pk}"]')
    expect(chip).to_have_text("VIP")
    expect(row(agent, leo).locator(".dk-label")).to_have_text("VIP")
    expect(row(agent, kai).locator(".dk-label")).to_have_count(0)
    # Retried: the list's rows redraw as the bulk action's updates arrive (a row resolved just
    # before a redraw gave an empty computed style once).
    expect(chip).to_have_css("color", "rgb(217, 119, 6)")
    expect(bulk).to_be_hidden()
    assert set(vip.conversations.values_list("pk", flat=True)) == {mia, leo}

    # The filter shows only labelled conversations.
    agent.select_option("#dk-label", label="VIP")
    expect(row(agent, kai)).to_have_count(0)
    expect(row(agent, mia)).to_be_visible()
    expect(row(agent, leo)).to_be_visible()

    # Bulk remove from one; the filter follows after a reload of the list.
    row(agent, leo).locator(".dk-row-check").check()
    bulk.locator('[data-testid="dk-bulk-remove"]').select_option(label="VIP")
    expect(row(agent, leo).locator(".dk-label")).to_have_count(0)
    agent.select_option("#dk-label", "")
    agent.select_option("#dk-label", label="VIP")
    expect(row(agent, leo)).to_have_count(0)
    expect(row(agent, mia)).to_be_visible()
    assert agent.js_errors == []  # type: ignore[attr-defined]


def test_bulk_assign_to_me_and_resolve_from_the_list(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    ana = make_agent("ana", name="Ana", capacity=0)
    for name in ("Mia", "Leo", "Kai"):
        off_loop(shopper_says, make_visitor(name=name), f"Hello from {name}")
    kai, leo, mia = (Conversation.objects.get(visitor__name=n).pk for n in ("Kai", "Leo", "Mia"))
    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    bulk = agent.locator('[data-testid="dk-bulk"]')

    for pk in (mia, leo):
        row(agent, pk).locator(".dk-row-check").check()
    bulk.locator('[data-testid="dk-bulk-take"]').click()
    wait_db(lambda: Conversation.objects.filter(assignee=ana).count() == 2)
    assert set(Conversation.objects.filter(assignee=ana).values_list("pk", flat=True)) == {
        mia,
        leo,
    }
    expect(row(agent, mia).locator(".dk-row-assignee")).to_have_text("Ana")
    expect(bulk).to_be_hidden()

    for pk in (mia, kai):
        row(agent, pk).locator(".dk-row-check").check()
    bulk.locator('[data-testid="dk-bulk-resolve"]').click()
    wait_db(lambda: Conversation.objects.filter(status="resolved").count() == 2)
    assert set(Conversation.objects.filter(status="resolved").values_list("pk", flat=True)) == {
        mia,
        kai,
    }
    # The open list no longer shows them.
    expect(row(agent, kai)).to_have_count(0)
    expect(row(agent, leo)).to_be_visible()
    assert agent.js_errors == []  # type: ignore[attr-defined]


def test_a_macro_from_the_composer_replies_labels_and_resolves_in_one_click(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    from chat.models import Macro, Message

    ana = make_agent("ana", name="Ana", capacity=0)
    Label.objects.create(name="Feedback", color="#16a34a")
    Macro.objects.create(
        name="Thank and resolve",
        actions=[
            {"type": "reply", "text": "Thanks {{customer.name|there}}!"},
            {"type": "label", "label": "Feedback"},
            {"type": "assign_me"},
            {"type": "resolve"},
        ],
    )
    off_loop(shopper_says, make_visitor(name="Mia"), "All sorted, thank you")
    conversation = Conversation.objects.get()
    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    row(agent, conversation.pk).click()
    box = pane(agent, conversation.pk)
    box.locator('[data-testid="dk-macro"]').select_option(label="Thank and resolve")
    expect(box.locator(".dk-msg-mine .dk-msg-body")).to_have_text("Thanks Mia!")
    expect(box.locator(".dk-status-pill")).to_have_text(re.compile("resolved", re.I))
    wait_db(
        lambda: Conversation.objects.filter(
            pk=conversation.pk, status="resolved", assignee=ana, labels__name="Feedback"
        ).exists()
    )
    assert Message.objects.filter(conversation=conversation, sender_kind="agent").count() == 1
    assert agent.js_errors == []  # type: ignore[attr-defined]
