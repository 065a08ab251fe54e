"""Fixtures of the browser tests.

Every page a browser test opens is watched for Content-Security-Policy violations (docs/
security.md): the ``browser`` fixture here wraps the session's browser so each new context
(``browser.new_context``, ``browser.new_page``) reports ``securitypolicyviolation`` events and
Chromium's console CSP errors, and the test fails at teardown if any page had one.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection

from tests.procs import FAKE_MEDIA_ARGS, chromium_launch

# Runs in every document and frame before the page's own scripts.
CSP_LISTENER = """
document.addEventListener('securitypolicyviolation', (e) => {
  console.error('CSP violation: ' + JSON.stringify({
    directive: e.violatedDirective, blocked: e.blockedURI || 'inline',
    source: e.sourceFile, line: e.lineNumber, sample: e.sample,
  }));
}, true);
"""


def _is_csp(text: str) -> bool:
    return text.startswith("CSP violation: ") or "Content Security Policy" in text


class CspWatchedBrowser:
    """The Playwright browser, with every context it opens watched for CSP violations."""

    def __init__(self, browser: Any) -> None:
        self._browser = browser
        self.violations: list[str] = []

    def watch(self, context: Any) -> Any:
        context.add_init_script(CSP_LISTENER)

        def on_console(message: Any) -> None:
            if _is_csp(message.text):
                where = ""
                try:
                    where = message.page.url if message.page else ""
                except Exception:  # a page closing while its message is read
                    where = ""
                self.violations.append(f"{where}: {message.text}")

        context.on("console", on_console)
        return context

    def new_context(self, **options: Any) -> Any:
        return self.watch(self._browser.new_context(**options))

    def new_page(self, **options: Any) -> Any:
        context = self.new_context(**options)
        page = context.new_page()
        # Closing the page closes the context it came with, as Browser.new_page's does.
        page.on("close", lambda _page: context.close())
        return page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._browser, name)


@pytest.fixture
def browser(browser: Any) -> Iterator[CspWatchedBrowser]:
    """The root conftest's browser, with a CSP violation in any page failing the test."""
    watched = CspWatchedBrowser(browser)
    yield watched
    if watched.violations:
        pytest.fail(
            "Content-Security-Policy violations:\n"
            + "\n".join(json.dumps(v, ensure_ascii=False) for v in watched.violations[:20]),
            pytrace=False,
        )


@pytest.fixture
def pages(browser: Any) -> Iterator[list[Any]]:
    """Browser contexts opened by a test (each one a separate person); closed afterwards."""
    contexts: list[Any] = []
    yield contexts
    for context in contexts:
        context.close()


@pytest.fixture
def media_browser() -> Iterator[CspWatchedBrowser]:
    """Chromium with a fake camera and microphone whose permission is granted (the calls'
    browser test), watched for CSP violations like ``browser``. Its own launch: the shared
    browser keeps real-device behaviour (no camera) for the media tests."""
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        launched = chromium_launch(p, *FAKE_MEDIA_ARGS)
        watched = CspWatchedBrowser(launched)
        try:
            yield watched
        finally:
            launched.close()
    if watched.violations:
        pytest.fail(
            "Content-Security-Policy violations:\n"
            + "\n".join(json.dumps(v, ensure_ascii=False) for v in watched.violations[:20]),
            pytrace=False,
        )


@pytest.fixture
def people() -> Iterator[list[Any]]:
    """Browser contexts a test opens (closed afterwards), and the test's own database
    connection closed too (Playwright's loop gives the test body a connection of its own)."""
    contexts: list[Any] = []
    yield contexts
    for context in contexts:
        context.close()
    connection.close()
