"""The CSP watch itself, and the admin's own scripts under the policy."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.support import new_page, off_loop

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_inline_script_is_blocked_and_caught(browser: Any, pages, live_daphne) -> None:
    page = new_page(browser, pages)
    page.goto(live_daphne + "/accounts/login/")
    page.evaluate(
        """() => { const s = document.createElement('script');
                   s.textContent = 'window.__ran = true'; document.body.append(s); }"""
    )
    page.wait_for_function("() => true")
    assert page.evaluate("window.__ran === true") is False
    # The fixture saw it: prove it, then clear it so this test's own teardown passes.
    page.wait_for_timeout(200)
    deadline = 50
    while not browser.violations and deadline:
        page.wait_for_timeout(100)
        deadline -= 1
    assert any("script-src" in v for v in browser.violations), browser.violations
    browser.violations.clear()


def test_the_admin_works_under_the_policy(browser: Any, pages, live_daphne) -> None:
    from django.contrib.auth.models import User

    off_loop(lambda: User.objects.create_superuser("root", "r@example.com", "root-pw-1"))
    page = new_page(browser, pages)
    page.goto(live_daphne + "/admin/login/")
    page.fill("input[name=username]", "root")
    page.fill("input[name=password]", "root-pw-1")
    page.click("input[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    page.goto(live_daphne + "/admin/orders/order/add/")
    # DateTimeShortcuts.js (the admin's own script) adds its "Now" / "Today" links.
    expect(page.locator(".datetimeshortcuts").first).to_be_visible()
    page.goto(live_daphne + "/admin/audit/auditentry/")
    expect(page.locator("#changelist")).to_be_visible()
    assert page.js_errors == []  # type: ignore[attr-defined]
