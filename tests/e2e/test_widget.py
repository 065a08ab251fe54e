"""The storefront widget in headless Chromium against a real Daphne on PostgreSQL and Redis.

The agent side is driven through the real services (and the real channel layer), so these
tests pin the widget: ack and ticks, persistence, reload, drop + resume, gap healing,
escaping, language, typing, unread badge and read receipts.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from playwright.sync_api import Page, WebSocketRoute, expect

from chat import events, services
from chat.access import Actor
from chat.models import Conversation, Message, Visitor
from orders.models import Product
from tests.e2e.support import off_loop, wait_db
from tests.factories import make_agent
from tests.procs import reset_server_caches

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAUNCHER = "[data-testid=hd-launcher]"
PANEL = "[data-testid=hd-panel]"
INPUT = "[data-testid=hd-input]"
MESSAGE = "[data-testid=hd-message]"
ONLINE = '[data-testid=hd-panel][data-connection="online"]'


@pytest.fixture(scope="module")
def widget_server(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """A Daphne of this module's own: these tests drop, block and flood sockets, and a server
    shared with every other browser test carried their leftovers into these timings."""
    from django.db import connection

    from tests.procs import daphne, server_env

    with django_db_blocker.unblock():
        env = server_env(connection.settings_dict["NAME"])
    with daphne(env) as base:
        yield base


@pytest.fixture
def shop(widget_server: str) -> str:
    # The module's server forgets the rows it cached in the previous test (flushed since).
    reset_server_caches(widget_server)
    Product.objects.create(
        external_id="P0001", name="Linen shirt", slug="linen-shirt", price=Decimal("39.00")
    )
    return widget_server


@pytest.fixture
def open_page(browser: Any, shop: str) -> Iterator[Callable[..., Page]]:
    contexts: list[Any] = []

    def opener(
        locale: str = "en-US",
        route: Callable[[WebSocketRoute], None] | None = None,
        viewport: tuple[int, int] = (1280, 800),
    ):
        width, height = viewport
        context = browser.new_context(locale=locale, viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        if route is not None:
            page.route_web_socket(re.compile(r"/ws/visitor/$"), route)
        page.goto(shop + "/p/linen-shirt/")
        page.click(LAUNCHER)
        page.wait_for_selector(ONLINE, state="attached")
        return page

    yield opener
    for context in contexts:
        context.close()


def say(page: Page, text: str) -> None:
    page.fill(INPUT, text)
    page.press(INPUT, "Enter")


def bubble(page: Page, seq: int) -> Any:
    return page.locator(f'{MESSAGE}[data-seq="{seq}"]')


def stored(conversation: Conversation | None = None) -> list[tuple[int, str]]:
    """(seq, body) of the human messages in the database, in order (a bot may add its own)."""
    qs = Message.objects.filter(sender_kind__in=["visitor", "agent"], private=False)
    if conversation is not None:
        qs = qs.filter(conversation=conversation)
    return list(qs.order_by("seq").values_list("seq", "body"))


def shown(page: Page) -> list[tuple[int, str]]:
    """(seq, body) of the human messages the widget shows, in DOM order."""
    rows = page.locator(
        f'{MESSAGE}[data-sender="visitor"], {MESSAGE}[data-sender="agent"]'
    ).evaluate_all(
        "els => els.map(e => [Number(e.dataset.seq),"
        " e.querySelector('[data-testid=hd-message-body]').textContent])"
    )
    return [(seq, body) for seq, body in rows]


def agent_sends(agent: Any, conversation: Conversation, body: str) -> Message:
    message, _ = off_loop(
        services.message_send,
        actor=Actor(user=agent),
        client_id=f"agent-{time.monotonic_ns()}",
        body=body,
        conversation_id=conversation.pk,
    )
    return message


def test_shopper_message_is_acked_stored_ticked_and_survives_reload(open_page) -> None:
    agent = make_agent("ana", name="Ana")
    page = open_page()
    say(page, "Where is my order?")

    mine = bubble(page, 1)
    expect(mine).to_have_attribute("data-sender", "visitor")
    tick = mine.locator("[data-testid=hd-tick]")
    expect(tick).to_have_attribute("data-state", re.compile(r"^(sent|delivered)$"))

    message = Message.objects.get()
    assert (message.body, message.seq, message.sender_kind) == ("Where is my order?", 1, "visitor")
    assert message.client_id == mine.get_attribute("data-client-id")
    assert message.client_id.startswith("w-")
    token = page.evaluate("localStorage.getItem('helpdesk:visitor_token')")
    assert token and token not in page.url
    assert page.evaluate("localStorage.getItem('helpdesk:outbox')") is None

    # The agent reads it: the shopper's tick turns to "read" live.
    off_loop(
        services.read_mark,
        actor=Actor(user=agent),
        conversation_id=message.conversation_id,
        seq=1,
    )
    expect(tick).to_have_attribute("data-state", "read")

    page.reload()
    page.click(LAUNCHER)
    expect(bubble(page, 1).locator("[data-testid=hd-message-body]")).to_have_text(
        "Where is my order?"
    )
    expect(bubble(page, 1).locator("[data-testid=hd-tick]")).to_have_attribute("data-state", "read")
    # Same visitor (the token is re-issued, freshly signed, on every session call).
    again = page.evaluate("localStorage.getItem('helpdesk:visitor_token')")
    assert services.visitor_from_token(again) == services.visitor_from_token(token)
    assert Visitor.objects.count() == 1
    assert page.locator(MESSAGE).count() == 1


def test_dropped_socket_reconnects_resumes_and_flushes_the_outbox(open_page) -> None:
    agent = make_agent("ana", name="Ana")
    state: dict[str, Any] = {"block": False, "live": [], "acks_dropped": 0}

    def route(ws: WebSocketRoute) -> None:
        if state["block"]:
            ws.close(code=1011, reason="network down")  # the network is down: refuse
            return
        server = ws.connect_to_server()

        def from_server(raw: str | bytes) -> None:
            frame = json.loads(raw)
            if frame.get("type") == "message.ack" and state["drop_acks"]:
                state["acks_dropped"] += 1  # the commit happened; only the ack is lost
                return
            ws.send(raw)

        server.on_message(from_server)
        state["live"].append((ws, server))

    state["drop_acks"] = False
    page = open_page(route=route)
    say(page, "first")
    expect(bubble(page, 1)).to_be_visible()
    conversation = Conversation.objects.get()

    # A message whose ack is lost on the way back ...
    state["drop_acks"] = True
    say(page, "second")
    wait_db(lambda: len(stored()) == 2)
    pending = page.locator(f'{MESSAGE}[data-state="pending"]')
    expect(pending).to_have_count(1)

    # ... then the connection drops.
    state["block"] = True
    state["drop_acks"] = False
    for ws, server in state["live"]:
        server.close()
        ws.close(code=1006, reason="dropped")
    page.wait_for_selector(
        '[data-testid=hd-panel]:not([data-connection="online"])', state="attached"
    )

    # Meanwhile the agent answers and the shopper types a third message offline.
    answer = agent_sends(agent, conversation, "Your parcel left the warehouse")
    say(page, "third")
    expect(pending).to_have_count(2)
    page.wait_for_timeout(300)
    assert page.locator(f'{MESSAGE}[data-sender="agent"]').count() == 0

    state["block"] = False
    # Back online: resume replays the agent's message; the outbox is re-sent with the same
    # client_ids, so the lost-ack message is not stored twice.
    agent_bubble = bubble(page, answer.seq)
    expect(agent_bubble).to_have_attribute("data-sender", "agent", timeout=20000)
    expect(agent_bubble.locator("[data-testid=hd-sender]")).to_have_text("Ana")
    expect(pending).to_have_count(0, timeout=10000)
    assert state["acks_dropped"] == 1
    rows = stored()
    assert [body for _seq, body in rows] == [
        "first",
        "second",
        "Your parcel left the warehouse",
        "third",
    ]
    assert shown(page) == rows


def test_outbox_survives_a_reload_while_offline(open_page) -> None:
    state = {"block": False}

    def route(ws: WebSocketRoute) -> None:
        if state["block"]:
            ws.close(code=1011, reason="network down")
            return
        ws.connect_to_server()

    page = open_page(route=route)
    say(page, "before")
    expect(bubble(page, 1)).to_be_visible()
    state["block"] = True
    page.reload()
    page.click(LAUNCHER)
    say(page, "typed while offline")
    expect(page.locator(f'{MESSAGE}[data-state="pending"]')).to_have_count(1)
    page.reload()  # the pending message is kept in localStorage ...
    page.click(LAUNCHER)
    expect(page.locator(f'{MESSAGE}[data-state="pending"]')).to_have_count(1)
    assert len(stored()) == 1
    state["block"] = False  # ... and sent once the connection is back
    # The reconnect backoff is capped at 30 s (with jitter) after the failed attempts above.
    expect(page.locator(f'{MESSAGE}[data-state="pending"]')).to_have_count(0, timeout=40000)
    assert stored() == [(1, "before"), (2, "typed while offline")]
    assert shown(page) == stored()


def test_rate_limited_messages_are_retried_and_stored_once(open_page) -> None:
    limited: list[dict[str, Any]] = []

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_server(raw: str | bytes) -> None:
            frame = json.loads(raw)
            if frame.get("type") == "error" and frame.get("code") == "rate_limited":
                limited.append(frame)
            ws.send(raw)

        server.on_message(from_server)

    page = open_page(route=route)
    # Drain the per-socket budget (30 frames burst, 10/s) with cheap pings, then send.
    page.evaluate(
        """() => {
            const api = window.HelpdeskWidget.api;
            for (let i = 0; i < 40; i++) api.send({type: 'ping'});
            for (let i = 1; i <= 15; i++) api.sendMessage({body: 'm' + i});
        }"""
    )
    expect(page.locator(f'{MESSAGE}[data-state="pending"]')).to_have_count(0, timeout=30000)
    assert page.locator(f'{MESSAGE}[data-state="failed"]').count() == 0
    assert limited  # the budget was really exceeded
    rows = stored()
    assert sorted(body for _seq, body in rows) == sorted(f"m{i}" for i in range(1, 16))
    assert [seq for seq, _body in rows] == list(range(1, 16))
    assert shown(page) == rows


def test_a_seq_gap_is_healed_by_resume(open_page) -> None:
    agent = make_agent("ana", name="Ana")
    dropped: list[dict[str, Any]] = []
    resumes: list[dict[str, Any]] = []

    def route(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_server(raw: str | bytes) -> None:
            frame = json.loads(raw)
            lost = frame.get("type") == "message.created" and not dropped
            if lost and frame["message"]["body"] == "lost in transit":
                dropped.append(frame)  # the channel layer loses this one
                return
            ws.send(raw)

        def from_page(raw: str | bytes) -> None:
            frame = json.loads(raw)
            if frame.get("type") == "resume":
                resumes.append(frame)
            server.send(raw)

        server.on_message(from_server)
        ws.on_message(from_page)

    page = open_page(route=route)
    say(page, "hello")
    expect(bubble(page, 1)).to_be_visible()
    conversation = Conversation.objects.get()
    lost = agent_sends(agent, conversation, "lost in transit")
    page.wait_for_timeout(500)
    assert dropped and page.locator(f'{MESSAGE}[data-sender="agent"]').count() == 0

    after = agent_sends(agent, conversation, "the next one")
    expect(bubble(page, after.seq)).to_be_visible()
    expect(bubble(page, lost.seq).locator("[data-testid=hd-message-body]")).to_have_text(
        "lost in transit"
    )
    expected = {"type": "resume", "conversation": conversation.pk, "after_seq": lost.seq - 1}
    assert expected in resumes
    assert (
        shown(page)
        == stored()
        == [
            (1, "hello"),
            (lost.seq, "lost in transit"),
            (after.seq, "the next one"),
        ]
    )


def test_markup_in_messages_is_shown_as_text(open_page) -> None:
    agent = make_agent("ana", name="Ana")
    page = open_page()
    hostile = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'
    say(page, hostile)
    expect(bubble(page, 1)).to_be_visible()
    reply = agent_sends(agent, Conversation.objects.get(), "<b>bold?</b> " + hostile)
    expect(bubble(page, reply.seq)).to_be_visible()

    expect(bubble(page, 1).locator("[data-testid=hd-message-body]")).to_have_text(hostile)
    expect(bubble(page, reply.seq).locator("[data-testid=hd-message-body]")).to_have_text(
        "<b>bold?</b> " + hostile
    )
    assert page.locator("[data-testid=hd-messages] img, [data-testid=hd-messages] b").count() == 0
    assert page.evaluate("window.__pwned") is None


def test_keyboard_multiline_and_oversized_messages(open_page) -> None:
    page = open_page()
    page.fill(INPUT, "line one")
    page.press(INPUT, "Shift+Enter")
    page.type(INPUT, "line two")
    expect(page.locator(MESSAGE)).to_have_count(0)
    page.press(INPUT, "Enter")
    expect(bubble(page, 1).locator("[data-testid=hd-message-body]")).to_have_text(
        "line one\nline two"
    )
    assert stored() == [(1, "line one\nline two")]
    expect(page.locator(INPUT)).to_have_value("")

    # Over the server's limit: fails at once with a reason, never queued or sent.
    page.evaluate("window.HelpdeskWidget.api.sendMessage({body: 'x'.repeat(20000)})")
    failed = page.locator(f'{MESSAGE}[data-state="failed"]')
    expect(failed).to_have_count(1)
    expect(failed.locator("[data-testid=hd-error]")).to_have_text("That message is too long.")
    assert page.evaluate("localStorage.getItem('helpdesk:outbox')") is None
    page.wait_for_timeout(300)
    assert len(stored()) == 1


def test_chinese_browser_gets_chinese_widget(open_page) -> None:
    page = open_page(locale="zh-CN")
    expect(page.locator("[data-testid=hd-title]")).to_have_text("在线咨询")
    expect(page.locator(INPUT)).to_have_attribute("placeholder", "输入消息…")
    expect(page.locator(LAUNCHER)).to_have_attribute("aria-label", "关闭聊天")
    say(page, "你好，我的订单在哪里？")
    expect(bubble(page, 1).locator("[data-testid=hd-tick]")).to_have_attribute(
        "data-state", re.compile(r"^(sent|delivered)$")
    )
    assert Visitor.objects.get().language == "zh-hans"
    page.wait_for_timeout(400)  # let the bubble's entry animation finish
    page.screenshot(path="/tmp/helpdesk-widget-zh.png")


# The element at the middle of the send button is the button (or its icon), nothing over it.
SEND_UNCOVERED = """(send) => {
  const box = send.getBoundingClientRect();
  const hit = send.getRootNode().elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
  return box.width > 0 && send.contains(hit);
}"""


def test_on_a_phone_the_panel_fills_the_screen_and_its_send_button_is_free(open_page) -> None:
    page = open_page(viewport=(390, 760))
    send = page.locator("[data-testid=hd-send]")
    expect(send).to_be_visible()
    # The launcher's close button no longer sits over the composer's send button.
    assert send.evaluate(SEND_UNCOVERED), "something covers the send button"
    expect(page.locator(LAUNCHER)).to_be_hidden()
    page.fill(INPUT, "hello from a phone")
    send.click()
    expect(bubble(page, 1)).to_be_visible()
    # Closed from the panel's header, the launcher is back and opens it again.
    page.click("[data-testid=hd-close]")
    expect(page.locator(PANEL)).to_be_hidden()
    expect(page.locator(LAUNCHER)).to_be_visible()
    page.click(LAUNCHER)
    expect(page.locator(PANEL)).to_be_visible()
    assert stored() == [(1, "hello from a phone")]


def test_german_and_japanese_browsers_get_the_widget_in_their_language(open_page) -> None:
    page = open_page(locale="de-DE")
    expect(page.locator("[data-testid=hd-title]")).to_have_text("Chatten Sie mit uns")
    expect(page.locator(INPUT)).to_have_attribute("placeholder", "Nachricht eingeben…")
    expect(page.locator(LAUNCHER)).to_have_attribute("aria-label", "Chat schließen")
    expect(page.locator("[data-testid=hd-panel]")).to_have_attribute("lang", "de")
    say(page, "Wo ist meine Bestellung?")
    expect(bubble(page, 1).locator("[data-testid=hd-tick]")).to_have_attribute(
        "data-state", re.compile(r"^(sent|delivered)$")
    )
    # The shopper's language is recorded as it is (translation falls back on it).
    assert Visitor.objects.get().language == "de"
    japanese = open_page(locale="ja-JP")
    expect(japanese.locator(INPUT)).to_have_attribute("placeholder", "メッセージを入力…")
    expect(japanese.locator("[data-testid=hd-panel]")).to_have_attribute("lang", "ja")


def test_identify_links_a_verified_customer_and_refuses_a_forged_one(open_page) -> None:
    from orders.services.identity import identity_signature

    page = open_page()
    say(page, "hello")
    expect(bubble(page, 1)).to_be_visible()
    forged = {"external_id": "C-77", "signature": "0" * 64, "name": "Mallory"}
    page.evaluate("claim => window.HelpdeskWidget.api.identify(claim)", forged)
    assert Visitor.objects.get().customer_id is None
    page.wait_for_selector(ONLINE, state="attached")

    claim = {"external_id": "C-77", "signature": identity_signature("C-77"), "name": "Mia"}
    page.evaluate("claim => window.HelpdeskWidget.api.identify(claim)", claim)
    visitor = Visitor.objects.select_related("customer").get()
    assert visitor.customer is not None and visitor.customer.external_id == "C-77"
    assert Conversation.objects.get().customer_id == visitor.customer_id
    # Reconnected with the same history and still usable.
    page.wait_for_selector(ONLINE, state="attached")
    say(page, "I am Mia")
    expect(page.locator(MESSAGE, has_text="I am Mia")).to_have_attribute(
        "data-seq", re.compile(r"^\d+$")
    )
    assert stored()[-1][1] == "I am Mia"

    # Sign out: a new anonymous visitor with an empty panel.
    page.evaluate("window.HelpdeskWidget.api.resetVisitor()")
    expect(page.locator(MESSAGE)).to_have_count(0)
    page.wait_for_selector(ONLINE, state="attached")
    assert Visitor.objects.count() == 2
    assert page.evaluate("localStorage.getItem('helpdesk:outbox')") is None


def test_agent_name_typing_unread_badge_and_read_receipts(open_page) -> None:
    agent = make_agent("ana", name="Ana")
    page = open_page()
    say(page, "Can I change the size?")
    expect(bubble(page, 1)).to_be_visible()
    conversation = Conversation.objects.get()

    # The shopper's typing reaches the agents' conversation group (throttled on/off frames).
    frames = _listen(events.group_conversation(conversation.pk), lambda: page.type(INPUT, "abc"))
    typing = [f for f in frames if f.get("type") == "typing"]
    assert typing and typing[0]["on"] is True and typing[0]["sender"]["kind"] == "visitor"
    page.fill(INPUT, "")

    off_loop(
        services.conversation_assign,
        actor=Actor(user=agent),
        conversation_id=conversation.pk,
        assignee_id=agent.pk,
    )
    expect(page.locator("[data-testid=hd-status]")).to_have_text("Ana is replying")

    groups, frame = events.typing_frame(actor=Actor(user=agent), conversation=conversation, on=True)
    off_loop(_layer_send, groups=groups, frame=frame)
    expect(page.locator("[data-testid=hd-typing]")).to_be_visible()
    expect(page.locator("[data-testid=hd-typing]")).to_contain_text("Ana is typing…")
    off_loop(_layer_send, groups=groups, frame=dict(frame, on=False))
    expect(page.locator("[data-testid=hd-typing]")).to_be_hidden()

    # Closed panel: agent messages raise the unread badge and are not marked read.
    page.click("[data-testid=hd-close]")
    agent_sends(agent, conversation, "Sure, which size?")
    last = agent_sends(agent, conversation, "We have M and L.")
    badge = page.locator("[data-testid=hd-unread]")
    expect(badge).to_have_text("2")
    expect(badge).to_be_visible()
    expect(page.locator(LAUNCHER)).to_have_attribute("aria-label", "Open chat (2 unread)")
    conversation.refresh_from_db()
    assert conversation.visitor_read_seq < last.seq

    # Opening the panel reads them: badge gone, read cursor stored.
    page.click(LAUNCHER)
    expect(badge).to_be_hidden()
    wait_db(lambda: Conversation.objects.get(pk=conversation.pk).visitor_read_seq == last.seq)
    expect(bubble(page, last.seq).locator("[data-testid=hd-sender]")).to_have_text("Ana")
    page.wait_for_timeout(400)
    page.screenshot(path="/tmp/helpdesk-widget-en.png")


def _layer_send(*, groups: list[str], frame: dict[str, Any]) -> None:
    layer = get_channel_layer()
    for group in groups:
        async_to_sync(layer.group_send)(
            group, {"type": events.LAYER_EVENT, "frame": frame, "origin": None}
        )


def _listen(group: str, action: Callable[[], None], seconds: float = 2.0) -> list[dict]:
    """Frames published to ``group`` while ``action`` runs (through the real Redis layer).

    The subscriber runs in its own thread and event loop: the page is driven from this one.
    """
    import asyncio

    layer = get_channel_layer()
    ready = threading.Event()
    out: list[dict] = []

    watch = events.staff_conversation_of(group)
    if watch is not None:
        group = events.group_agents()

    async def collect() -> None:
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        ready.set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        try:
            while (left := deadline - loop.time()) > 0:
                try:
                    event = await asyncio.wait_for(layer.receive(channel), timeout=left)
                except TimeoutError:
                    break
                # A conversation's staff group travels in the agents group's hubs, each frame
                # naming the conversation (events.layer_routes).
                out.extend(
                    events.event_frame(item)
                    for item in events.unpacked(event)
                    if watch is None or item.get("watch") == watch
                )
        finally:
            await layer.group_discard(group, channel)

    thread = threading.Thread(target=lambda: asyncio.run(collect()))
    thread.start()
    assert ready.wait(10)
    action()
    thread.join(seconds + 10)
    return out


def test_widget_embedded_on_another_shops_origin(browser, transactional_db) -> None:
    """The one script tag on a foreign origin: CORS on the widget's REST calls and the
    WebSocket Origin check both accept the origins in STOREFRONT_ORIGINS."""
    import http.server

    from django.db import connection

    from tests.procs import daphne, free_port, server_env

    shop_port = free_port()
    shop_origin = f"http://127.0.0.2:{shop_port}"  # another host: not in ALLOWED_HOSTS
    env = server_env(connection.settings_dict["NAME"])
    env["STOREFRONT_ORIGINS"] = shop_origin
    with daphne(env) as desk:
        page_html = (
            "<!doctype html><title>Other shop</title><h1>Another shop</h1>"
            f'<script src="{desk}/static/widget/widget.js" async></script>'
        ).encode()

        class Shop(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(page_html)

            def log_message(self, *args: Any) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.2", shop_port), Shop)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        context = browser.new_context(locale="en-US")
        try:
            page = context.new_page()
            page.goto(shop_origin + "/")
            page.click(LAUNCHER)
            page.wait_for_selector(ONLINE, state="attached")
            say(page, "hello from another shop")
            expect(bubble(page, 1)).to_have_attribute("data-sender", "visitor")
            assert stored() == [(1, "hello from another shop")]
            visitor = Visitor.objects.get()
            assert visitor.current_url == shop_origin + "/"
        finally:
            context.close()
            server.shutdown()
