"""The browser harness itself: Chromium loads the storefront served by a real Daphne."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_storefront_loads_in_chromium(live_daphne, browser) -> None:
    page = browser.new_page()
    try:
        response = page.goto(live_daphne + "/")
        assert response is not None and response.status == 200
    finally:
        page.close()
