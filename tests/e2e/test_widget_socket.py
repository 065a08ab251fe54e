"""A page view opens no socket; the chat opens one when there is something to talk about.

Browsing is reported over HTTP (the agents' "now viewing" stays live through it); the
widget's socket opens when the shopper opens the panel, and at once on the next page for a
shopper who has a conversation (docs/performance.md, "Does a page view need a socket?").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from chat.models import Visitor
from orders.models import BrowsingEvent, Product
from tests.e2e.support import off_loop, wait_db

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAUNCHER = "[data-testid=hd-launcher]"
INPUT = "[data-testid=hd-input]"
ONLINE = '[data-testid=hd-panel][data-connection="online"]'


def test_browsing_opens_no_socket_until_the_chat_is_used(live_daphne: str, browser: Any) -> None:
    Product.objects.create(
        external_id="P0001", name="Linen shirt", slug="linen-shirt", price=Decimal("39.00")
    )
    context = browser.new_context(locale="en-US")
    try:
        page = context.new_page()
        sockets: list[str] = []
        page.on("websocket", lambda ws: sockets.append(ws.url))

        page.goto(live_daphne + "/p/linen-shirt/")
        wait_db(lambda: Visitor.objects.filter(current_url__endswith="/p/linen-shirt/").exists())
        wait_db(lambda: BrowsingEvent.objects.exists())
        page.goto(live_daphne + "/")
        wait_db(lambda: Visitor.objects.filter(current_url=live_daphne + "/").exists())
        page.wait_for_timeout(1000)
        assert sockets == [], "a page view opened a socket"
        # The same shopper across pages, over HTTP.
        assert off_loop(lambda: Visitor.objects.count()) == 1

        # Opening the chat opens the socket; the shopper talks.
        page.click(LAUNCHER)
        page.wait_for_selector(ONLINE, state="attached")
        assert len(sockets) == 1 and sockets[0].endswith("/ws/visitor/")
        page.fill(INPUT, "is the linen shirt in stock?")
        page.press(INPUT, "Enter")
        wait_db(lambda: Visitor.objects.get().conversations.exists())

        # With a conversation, the next page connects at once (agents' replies arrive there).
        page.goto(live_daphne + "/p/linen-shirt/")
        page.wait_for_selector(ONLINE, state="attached")
        assert len(sockets) == 2
    finally:
        context.close()
