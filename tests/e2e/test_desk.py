"""The agent workspace in a real browser against a real Daphne, PostgreSQL and Redis.

The shopper side is the storefront widget (selectors in docs/frontend.md, "Widget"); the agent
side is /desk/ after logging in through the real login form.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from chat.models import Conversation, Message
from tests.e2e.support import (
    desk_login,
    desk_view,
    new_page,
    off_loop,
    pane,
    row,
    shopper_open,
    widget_open,
    widget_send,
)
from tests.factories import make_agent, make_visitor
from tests.factories import shopper_says as _shopper_says

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp"


def closes_db(test: Callable[..., None]) -> Callable[..., None]:
    """Close this test's database connection when it ends. With Playwright's sync API running,
    the test body gets its own connection (its own context), which the test-database teardown
    cannot see; left open it blocks DROP DATABASE at the end of the session."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            test(*args, **kwargs)
        finally:
            connection.close()

    return run


def shopper_says(visitor: Any, body: str) -> Message:
    """A shopper's message stored and published through the real service."""
    return off_loop(_shopper_says, visitor, body)


def exact(text: str) -> re.Pattern[str]:
    return re.compile("^" + re.escape(text) + "$")


def desk_send(page: Page, conversation_id: int, text: str, *, note: bool = False) -> None:
    box = pane(page, conversation_id)
    box.locator(".dk-mode-note" if note else ".dk-mode-reply").click()
    box.locator(".dk-textarea").fill(text)
    box.locator(".dk-textarea").press("Enter")
    # Acked: the pending bubble was replaced by the stored message.
    expect(
        box.locator(".dk-msg:not(.dk-pending) .dk-msg-body", has_text=exact(text))
    ).to_be_visible()


def widget_bodies(page: Page) -> list[str]:
    return page.locator('[data-testid="hd-message-body"]').all_inner_texts()


@closes_db
def test_shopper_and_agent_chat_live_and_history_survives_reload(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    """A shopper and an agent talk end to end over the real server and browser."""
    make_agent("ana", name="Ana")
    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")

    shopper = shopper_open(browser, pages, live_daphne)
    question = "Where is my order? <script>window.pwned=1</script>"
    widget_send(shopper, question)
    conversation = Conversation.objects.get()

    # The new conversation appears in the agent's list live, with its unread count.
    expect(row(agent, conversation.pk)).to_be_visible()
    expect(row(agent, conversation.pk).locator(".dk-unread")).to_have_text("1")
    row(agent, conversation.pk).click()
    body = pane(agent, conversation.pk).locator(".dk-msg-visitor .dk-msg-body")
    expect(body).to_have_text(question)  # shown as text, never run
    assert agent.evaluate("window.pwned") is None
    expect(row(agent, conversation.pk).locator(".dk-unread")).to_have_count(0)

    # The shopper types: the agent sees the indicator.
    shopper.fill('[data-testid="hd-input"]', "one more thing")
    expect(pane(agent, conversation.pk).locator(".dk-typing")).to_be_visible()
    shopper.fill('[data-testid="hd-input"]', "")

    # The agent types: the shopper sees the indicator.
    pane(agent, conversation.pk).locator(".dk-textarea").fill("It ships")
    expect(shopper.locator('[data-testid="hd-typing"]')).to_be_visible()

    desk_send(agent, conversation.pk, "It ships today, Ana here.")
    reply = shopper.locator(
        '[data-testid="hd-message"][data-sender="agent"]', has_text="It ships today, Ana here."
    )
    expect(reply).to_be_visible()
    # The shopper's widget is open, so it reads the reply: the agent sees the read tick.
    expect(pane(agent, conversation.pk).locator(".dk-msg-mine").last).to_have_attribute(
        "data-receipt", "read"
    )
    agent.screenshot(path=f"{SHOTS}/desk_conversation.png")

    shopper.reload()
    widget_open(shopper)
    expect(
        shopper.locator(
            '[data-testid="hd-message"][data-sender="agent"]', has_text="It ships today"
        )
    ).to_be_visible()
    bodies = widget_bodies(shopper)
    assert bodies.index(question) < bodies.index("It ships today, Ana here.")
    shopper.screenshot(path=f"{SHOTS}/desk_shopper_after_reload.png")
    assert agent.js_errors == [] and shopper.js_errors == []  # type: ignore[attr-defined]


@closes_db
def test_internal_note_shows_in_desk_and_never_in_widget(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    make_agent("ana", name="Ana")
    agent = desk_login(browser, pages, live_daphne, "ana")
    shopper = shopper_open(browser, pages, live_daphne)
    widget_send(shopper, "Can I change my address?")
    conversation = Conversation.objects.get()
    agent.goto(live_daphne + "/desk/")
    row(agent, conversation.pk).click()

    desk_send(agent, conversation.pk, "Secret: customer flagged for fraud check", note=True)
    note = pane(agent, conversation.pk).locator(".dk-msg.dk-private", has_text="Secret")
    expect(note).to_be_visible()
    expect(note.locator(".dk-note-label")).to_be_visible()
    desk_send(agent, conversation.pk, "Yes, send me the new address.")

    # The public reply sent after the note arrives; the note never does.
    expect(
        shopper.locator('[data-testid="hd-message"]', has_text="send me the new address")
    ).to_be_visible()
    assert not any("Secret" in text for text in widget_bodies(shopper))
    shopper.reload()
    widget_open(shopper)
    expect(
        shopper.locator('[data-testid="hd-message"]', has_text="send me the new address")
    ).to_be_visible()
    assert not any("Secret" in text for text in widget_bodies(shopper))
    assert Message.objects.get(body__startswith="Secret").private is True


@closes_db
def test_transfer_to_another_agent_updates_both_desks(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    ana = make_agent("ana", name="Ana")
    bo = make_agent("bo", name="Bo")
    message = shopper_says(make_visitor(name="Lucy"), "I need a refund")
    conversation_id = message.conversation_id

    first = desk_login(browser, pages, live_daphne, "ana")
    second = desk_login(browser, pages, live_daphne, "bo")
    desk_view(second, "mine")

    # Routing may already have given it to someone; Ana takes it either way.
    desk_view(first, "all")
    row(first, conversation_id).click()
    head = pane(first, conversation_id)
    expect(head.locator(".dk-pane-sub")).to_contain_text("#")
    if head.locator(".dk-take").is_visible():
        head.locator(".dk-take").click()
    expect(head.locator(".dk-pane-sub")).to_contain_text("Ana")
    expect(head.locator(".dk-take")).to_be_hidden()
    expect(row(first, conversation_id).locator(".dk-row-assignee")).to_have_text("Ana")
    # Not Bo's: not in his "mine" list (removed live if routing had put it there).
    expect(row(second, conversation_id)).to_have_count(0)

    head.locator(".dk-assign").select_option(str(bo.pk))
    expect(head.locator(".dk-pane-sub")).to_contain_text("Bo")
    # Bo sees it arrive in "mine" without reloading, and a notice.
    expect(row(second, conversation_id)).to_be_visible()
    expect(second.locator(".dk-toast", has_text="Lucy").last).to_be_visible()
    conversation = Conversation.objects.get(pk=conversation_id)
    assert conversation.assignee_id == bo.pk
    # The timeline records the hand-over for agents.
    expect(
        head.locator(".dk-msg-system", has_text="Ana assigned the conversation to Bo")
    ).to_be_visible()
    assert ana.pk != bo.pk


@closes_db
def test_resolve_then_shopper_message_reopens_live(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    make_agent("ana", name="Ana")
    visitor = make_visitor(name="Marco")
    conversation_id = shopper_says(visitor, "Do you ship to Canada?").conversation_id
    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all", "open")
    row(agent, conversation_id).click()
    desk_send(agent, conversation_id, "Yes, we do.")

    box = pane(agent, conversation_id)
    box.locator(".dk-more").select_option("pending")
    expect(box.locator(".dk-status-pill")).to_have_text(re.compile("pending", re.I))
    expect(row(agent, conversation_id)).to_have_count(0)  # not "open" any more
    box.locator(".dk-more").select_option("snooze-1h")
    expect(box.locator(".dk-status-pill")).to_have_text(re.compile("snoozed", re.I))
    snoozed = Conversation.objects.get(pk=conversation_id)
    assert snoozed.status == Conversation.Status.SNOOZED and snoozed.snoozed_until is not None
    box.locator(".dk-resolve").click()
    expect(box.locator(".dk-status-pill")).to_have_text(re.compile("resolved", re.I))
    expect(box.locator(".dk-reopen")).to_be_visible()
    expect(row(agent, conversation_id)).to_have_count(0)  # left the "open" list live

    shopper_says(visitor, "Thanks! One more question")
    # Reopened by the shopper: back in the open list, unread, and the pane shows it.
    expect(row(agent, conversation_id)).to_be_visible()
    expect(row(agent, conversation_id)).to_have_attribute("data-status", "open")
    expect(box.locator(".dk-status-pill")).to_have_text(re.compile("open", re.I))
    expect(
        box.locator(".dk-msg-visitor .dk-msg-body", has_text="One more question")
    ).to_be_visible()
    assert Conversation.objects.get(pk=conversation_id).status == Conversation.Status.OPEN


@closes_db
def test_several_conversations_open_at_once_keep_their_own_state(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    make_agent("ana", name="Ana")
    one = shopper_says(make_visitor(name="Lucy"), "first shop question").conversation_id
    two = shopper_says(make_visitor(name="Priya"), "second shop question").conversation_id
    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    row(agent, one).click()
    row(agent, two).click()
    expect(agent.locator(".dk-panetab")).to_have_count(2)
    pane(agent, two).locator(".dk-textarea").fill("draft for Priya")
    agent.click(f'.dk-panetab[data-id="{one}"] .dk-panetab-label')
    expect(pane(agent, one)).to_be_visible()
    expect(pane(agent, two)).to_be_hidden()
    desk_send(agent, one, "answer for Lucy")

    # A message arriving in the background tab marks it and keeps the other pane's draft.
    shopper_says(Conversation.objects.get(pk=two).visitor, "are you there?")
    expect(agent.locator(f'.dk-panetab[data-id="{two}"]')).to_have_class(
        re.compile("dk-panetab-unread")
    )
    agent.click(f'.dk-panetab[data-id="{two}"] .dk-panetab-label')
    expect(pane(agent, two).locator(".dk-textarea")).to_have_value("draft for Priya")
    expect(
        pane(agent, two).locator(".dk-msg-body", has_text=exact("are you there?"))
    ).to_be_visible()
    expect(
        pane(agent, two).locator(".dk-msg-body", has_text=exact("answer for Lucy"))
    ).to_have_count(0)

    # Split view: both side by side; typing in the other one makes it the focused one.
    agent.click("#dk-split")
    expect(pane(agent, one)).to_be_visible()
    expect(pane(agent, two)).to_be_visible()
    pane(agent, one).locator(".dk-textarea").click()
    expect(agent.locator(f'.dk-panetab[data-id="{one}"]')).to_have_class(
        re.compile("dk-panetab-active")
    )
    expect(
        agent.locator(f'#dk-sidebar .dk-sidebar-conv[data-conversation="{one}"]')
    ).to_be_visible()
    shopper_says(Conversation.objects.get(pk=two).visitor, "still there?")
    expect(pane(agent, two).locator(".dk-msg-body", has_text=exact("still there?"))).to_be_visible()
    # Visible beside the focused one, so it is read: no unread mark on its tab.
    expect(agent.locator(f'.dk-panetab[data-id="{two}"]')).not_to_have_class(
        re.compile("dk-panetab-unread")
    )
    agent.screenshot(path=f"{SHOTS}/desk_two_panes.png")
    agent.click("#dk-split")
    expect(pane(agent, two)).to_be_hidden()


@closes_db
def test_a_list_redraw_between_press_and_release_does_not_lose_the_click(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    make_agent("ana", name="Ana")
    conversation_id = shopper_says(make_visitor(name="Redraw"), "hello").conversation_id
    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    # hover() waits for the row to be stable and moves the pointer to its middle (a redraw
    # between finding the row and measuring it is retried, unlike bounding_box()).
    row(agent, conversation_id).hover()
    agent.mouse.down()
    # Any conversation's update redraws the rows: the release lands on a new element, and
    # Chromium sends no click for a press whose element has left the page.
    agent.evaluate("() => window.Desk.list.render()")
    agent.mouse.up()
    expect(pane(agent, conversation_id)).to_be_visible()
    expect(agent.locator(f'.dk-panetab[data-id="{conversation_id}"]')).to_have_count(1)


@closes_db
def test_pane_heals_a_seq_gap_and_a_dropped_socket(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    make_agent("ana", name="Ana")
    visitor = make_visitor(name="Gap")
    conversation_id = shopper_says(visitor, "message one").conversation_id
    agent = desk_login(browser, pages, live_daphne, "ana")
    desk_view(agent, "all")
    row(agent, conversation_id).click()
    timeline = pane(agent, conversation_id).locator(".dk-timeline")
    expect(timeline.locator(".dk-msg-body", has_text=exact("message one"))).to_be_visible()

    # Drop the socket, store messages meanwhile: the reconnect resumes from the last seq.
    agent.evaluate("() => window.Desk.__testDropSocket()")
    shopper_says(visitor, "sent while offline 1")
    shopper_says(visitor, "sent while offline 2")
    expect(agent.locator("#dk-conn")).to_have_attribute("data-state", "open")
    expect(timeline.locator(".dk-msg-body", has_text=exact("sent while offline 2"))).to_be_visible()

    # A frame with a seq gap makes the pane resume from the database instead of showing holes.
    agent.evaluate(
        """(id) => {
            const pane = window.Desk.pane.panes.get(id);
            window.Desk.pane.addMessage(pane, {id: 0, conversation: id, seq: pane.lastSeq + 3,
              client_id: "x", sender: {kind: "visitor", name: "Gap"}, kind: "text",
              private: false, body: "from the future", attachment: null, card: null,
              created_at: new Date().toISOString()});
        }""",
        conversation_id,
    )
    shopper_says(visitor, "after the gap")
    expect(timeline.locator(".dk-msg-body", has_text=exact("after the gap"))).to_be_visible()
    expect(timeline.locator(".dk-msg-body", has_text=exact("from the future"))).to_have_count(0)
    seqs = [
        int(s)
        for s in timeline.locator(".dk-msg").evaluate_all("nodes => nodes.map(n => n.dataset.seq)")
    ]
    assert seqs == list(range(1, len(seqs) + 1))
    assert seqs[-1] == Conversation.objects.get(pk=conversation_id).last_seq


@closes_db
def test_desk_in_simplified_chinese(live_daphne: str, browser: Any, pages: list[Any]) -> None:
    make_agent("ana", name="Ana")
    shopper_says(make_visitor(name="李雷"), "你好")
    page = new_page(
        browser, pages, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-Hans"}
    )
    page.goto(live_daphne + "/accounts/login/?next=/desk/")
    expect(page.locator("h1")).to_have_text("登录")
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "pw-ana")
    page.click("button[type=submit]")
    expect(page.locator("#dk-conn")).to_have_attribute("data-state", "open")
    expect(page.locator('.dk-tab[data-view="mine"]')).to_contain_text("我的")
    page.locator("#dk-rows .dk-row").first.click()
    expect(page.locator(".dk-pane .dk-mode-note")).to_have_text("内部备注")
    # Strings built by the scripts come from the JavaScript catalogue.
    expect(page.locator(".dk-panel-details .dk-panel-title")).to_have_text("会话")
    page.screenshot(path=f"{SHOTS}/desk_zh.png")


# A browser in the background: document.hidden is controlled by the test, Notification is
# recorded (permission granted), and each WebAudio tone is counted.
def until_true(page: Any, expression: str, timeout: float = 15.0) -> None:
    """Poll ``expression`` in the page until it is truthy. Not ``wait_for_function``: its
    polling evaluates the string with eval, which the desk's CSP (no 'unsafe-eval') refuses
    whenever the first check is false; ``evaluate`` runs through the DevTools protocol."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true: {expression}"
        page.wait_for_timeout(100)


BACKGROUND_TAB = """
window.__hidden = false;
Object.defineProperty(Document.prototype, "hidden", {configurable: true, get() { return window.__hidden; }});
window.__notes = [];
window.Notification = class {
  constructor(title, options) { window.__notes.push({title, body: (options || {}).body || ""}); }
  static get permission() { return "granted"; }
  static requestPermission() { return Promise.resolve("granted"); }
};
window.__tones = 0;
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.__tones += 1; return start.apply(this, args); };
"""


@closes_db
def test_sound_and_notification_when_the_tab_is_hidden(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    make_agent("ana", name="Ana")
    agent = desk_login(browser, pages, live_daphne, "ana", init_script=BACKGROUND_TAB)
    desk_view(agent, "all")
    title = agent.title()

    # Visible tab: a new conversation rings nothing.
    first = shopper_says(make_visitor(name="Visible"), "seen right away").conversation_id
    expect(row(agent, first)).to_be_visible()
    assert agent.evaluate("window.__notes.length") == 0

    agent.evaluate("window.__hidden = true")
    visitor = make_visitor(name="Lucy")
    conversation_id = shopper_says(visitor, "anyone there?").conversation_id
    expect(row(agent, conversation_id)).to_be_visible()
    # (Routing may also assign it to Ana, which notifies separately.)
    until_true(agent, "window.__notes.some(n => n.title === 'New conversation')")
    notes = agent.evaluate("window.__notes.filter(n => n.title === 'New conversation')")
    assert len(notes) == 1
    assert "Lucy" in notes[0]["body"] and "anyone there?" in notes[0]["body"]
    assert agent.evaluate("window.__tones") >= 2
    assert re.match(r"^\(\d+\) ", agent.title())

    # An open conversation in a hidden tab: the next shopper message notifies too.
    agent.evaluate("window.__hidden = false")
    row(agent, conversation_id).click()
    # The pane has loaded its history (a message arriving while it loads is shown with the
    # history, not announced).
    expect(
        pane(agent, conversation_id).locator(".dk-msg-body", has_text=exact("anyone there?"))
    ).to_be_visible()
    agent.evaluate("window.__hidden = true; window.__notes = []")
    shopper_says(visitor, "hello again")
    until_true(
        agent,
        "window.__notes.some(n => n.title.includes('Lucy') && n.body.includes('hello again'))",
    )
    # Coming back resets the title counter.
    agent.evaluate("window.__hidden = false; document.dispatchEvent(new Event('visibilitychange'))")
    assert agent.title() == title


@closes_db
def test_a_message_that_arrives_while_the_pane_loads_is_announced(
    live_daphne: str, browser: Any, pages: list[Any]
) -> None:
    """The pane's history and a live message travel as the same frames; the pane holds back
    its end ("resume.done") here, so the live message lands mid-load, deterministically."""
    make_agent("ana", name="Ana")
    holding = {"on": False}
    held: list[str] = []
    routes: list[Any] = []

    def route(ws: Any) -> None:
        server = ws.connect_to_server()
        routes.append(ws)

        def from_server(message: str | bytes) -> None:
            if holding["on"] and isinstance(message, str) and '"resume.done"' in message:
                held.append(message)
            else:
                ws.send(message)

        server.on_message(from_server)
        ws.on_message(server.send)

    agent = desk_login(
        browser, pages, live_daphne, "ana", init_script=BACKGROUND_TAB, ws_route=route
    )
    desk_view(agent, "all")
    visitor = make_visitor(name="Lucy")
    conversation_id = shopper_says(visitor, "anyone there?").conversation_id
    expect(row(agent, conversation_id)).to_be_visible()

    holding["on"] = True
    row(agent, conversation_id).click()
    # The history is shown, but the pane has not heard that it ended: still loading.
    expect(
        pane(agent, conversation_id).locator(".dk-msg-body", has_text=exact("anyone there?"))
    ).to_be_visible()
    expect(pane(agent, conversation_id).locator(".dk-loading")).to_have_count(1)
    agent.evaluate("window.__hidden = true; window.__notes = []")
    shopper_says(visitor, "hello while you load")
    until_true(
        agent,
        "window.__notes.some(n => n.title.includes('Lucy') && n.body === 'hello while you load')",
    )
    # The history itself was not announced.
    assert agent.evaluate("window.__notes.length") == 1

    holding["on"] = False
    for message in held:
        routes[-1].send(message)
    expect(pane(agent, conversation_id).locator(".dk-loading")).to_have_count(0)
    expect(
        pane(agent, conversation_id).locator(".dk-msg-body", has_text=exact("hello while you load"))
    ).to_have_count(1)
