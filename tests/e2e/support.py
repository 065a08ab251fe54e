"""Helpers shared by the browser tests."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Page, expect


def off_loop(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Run ``fn`` in a worker thread that closes its database connection.

    Playwright's sync API keeps an event loop on the test's thread: publish-after-commit
    (``async_to_sync``) cannot run there, and a connection opened there would outlive the
    test database.
    """
    from django.db import connection

    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = fn(*args, **kwargs)
        except BaseException as error:  # re-raised in the test thread
            result["error"] = error
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(30)
    if "error" in result:
        raise result["error"]
    return result.get("value")


def wait_db(predicate: Callable[[], bool], timeout: float = 10) -> None:
    """Poll ``predicate`` (ORM code, run off the loop) until it holds."""
    deadline = time.monotonic() + timeout
    while not off_loop(predicate):
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in the database")
        time.sleep(0.1)


def new_page(browser: Any, pages: list[Any], *, timeout: int = 15_000, **context: Any) -> Page:
    """A page in a new browser context (a separate person), closed by the ``pages`` fixture;
    ``page.js_errors`` collects the page's uncaught script errors."""
    ctx = browser.new_context(viewport={"width": 1440, "height": 900}, **context)
    ctx.set_default_timeout(timeout)
    pages.append(ctx)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors  # type: ignore[attr-defined]
    return page


def desk_login(
    browser: Any,
    pages: list[Any],
    base: str,
    username: str,
    init_script: str = "",
    ws_route: Any = None,
) -> Page:
    """Log in through the real login form and wait until the desk's socket is live.
    ``ws_route`` handles the workspace socket (Playwright's ``route_web_socket``)."""
    page = new_page(browser, pages)
    if init_script:
        page.context.add_init_script(init_script)
    if ws_route is not None:
        page.route_web_socket(re.compile(r"/ws/agent/$"), ws_route)
    page.goto(base + "/desk/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/desk/"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "pw-" + username)
    page.click("button[type=submit]")
    # A loaded 2-core box can take well over the default 5 s to boot the desk and its socket.
    expect(page).to_have_url(re.compile(r"/desk/$"), timeout=30_000)
    expect(page.locator("#dk-conn")).to_have_attribute("data-state", "open", timeout=30_000)
    expect(page.locator("#dk-rows")).to_have_attribute("data-loaded", "1", timeout=30_000)
    return page


def row(page: Page, conversation_id: int) -> Any:
    return page.locator(f'#dk-rows .dk-row[data-id="{conversation_id}"]')


def pane(page: Page, conversation_id: int) -> Any:
    return page.locator(f'.dk-pane[data-conversation="{conversation_id}"]')


def shopper_open(browser: Any, pages: list[Any], base: str) -> Page:
    page = new_page(browser, pages)
    page.goto(base + "/")
    widget_open(page)
    return page


def widget_open(page: Page) -> None:
    launcher = page.locator('[data-testid="hd-launcher"]')
    expect(launcher).to_be_visible()
    if launcher.get_attribute("aria-expanded") != "true":
        launcher.click()
    expect(page.locator('[data-testid="hd-panel"]')).to_be_visible()
    expect(page.locator('[data-testid="hd-panel"]')).to_have_attribute("data-connection", "online")


def desk_view(page: Page, view: str, status: str = "open") -> None:
    tab = page.locator(f'.dk-tab[data-view="{view}"]')
    tab.click()
    expect(tab).to_have_class(re.compile("dk-tab-active"))
    page.select_option("#dk-status", status)
    expect(page.locator("#dk-status")).to_have_value(status)


def widget_send(page: Page, text: str) -> None:
    page.fill('[data-testid="hd-input"]', text)
    page.press('[data-testid="hd-input"]', "Enter")
    expect(
        page.locator(
            '[data-testid="hd-message"][data-sender="visitor"]:not([data-seq=""])', has_text=text
        )
    ).to_be_visible()


def wait_sessions_gone(connection: Any, timeout: float = 10) -> None:
    """A stopped server's pooled connections end a moment after the process: wait, so the
    test database can be flushed and dropped."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            if not cursor.fetchone()[0]:
                return
            time.sleep(0.1)


# Calls: media bytes read from the call box's data attributes (getStats).
def bytes_of(page: Page, box: str) -> tuple[int, int]:
    loc = page.locator(box)
    return (
        int(loc.get_attribute("data-bytes-sent") or 0),
        int(loc.get_attribute("data-bytes-received") or 0),
    )


def grows(page: Page, box: str) -> None:
    """Media bytes both ways, and more a moment later."""
    expect(page.locator(box)).not_to_have_attribute("data-bytes-received", "0", timeout=20_000)
    expect(page.locator(box)).to_have_attribute("data-bytes-received", re.compile(r"^\d+$"))
    sent, received = bytes_of(page, box)
    page.wait_for_timeout(2500)
    sent2, received2 = bytes_of(page, box)
    assert sent2 > sent > 0 and received2 > received > 0, (sent, sent2, received, received2)
