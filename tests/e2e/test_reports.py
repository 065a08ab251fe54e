"""A manager reads the report pages on demo data in Chromium at 1366×768, in English and in
Chinese: ECharts draws every chart (with tooltips) under the strict CSP, nothing overflows the
page, every column of the agents table can be reached, and every definition link resolves."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}
MARKUP = "<img src=x> is <b>zebra</b> wrapping free?"
TEXT = {
    "en": {"overview": "Overview", "agents": "Agents", "csat": "CSAT", "lang": "en"},
    "zh-hans": {"overview": "概览", "agents": "客服", "csat": "满意度", "lang": "zh-hans"},
}


@pytest.fixture
def demo_reports() -> None:
    from analytics.demo import demo_history
    from analytics.services import rollup_rebuild
    from chat.models import KnowledgeEntry
    from tests.factories import make_agent

    make_agent("ana")
    make_agent("bob")
    KnowledgeEntry.objects.create(title="Shipping times", answer="1–3 days")
    demo_history(days=14, per_day=30)
    # A shopper's question with markup in it: the charts show it as text, never as HTML.
    from django.utils import timezone

    from analytics.models import QuestionFact
    from analytics.questions import topic_key

    asked = timezone.now() - dt.timedelta(days=1)
    QuestionFact.objects.bulk_create(
        QuestionFact(at=asked, text=MARKUP, topic_key=topic_key(MARKUP)) for _ in range(40)
    )
    rollup_rebuild()
    user = User.objects.create_user("manager", password="manager-pw-1", is_staff=True)
    for app, codename in [
        ("analytics", "view_reports"),
        ("chat", "add_knowledgeentry"),
        ("chat", "change_knowledgeentry"),
        ("chat", "view_knowledgeentry"),
    ]:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )


def _manager_page(browser: Any, pages: list[Any], base: str, language: str) -> Page:
    context = browser.new_context(
        viewport=LAPTOP,
        locale="zh-CN" if language == "zh-hans" else "en-US",
        extra_http_headers={"Accept-Language": language},
    )
    context.set_default_timeout(20_000)
    pages.append(context)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors  # type: ignore[attr-defined]
    page.goto(base + "/admin/login/?next=/admin/reports/")
    page.fill("#id_username", "manager")
    page.fill("#id_password", "manager-pw-1")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/reports/")
    return page


def _charts_drawn(page: Page, names: list[str]) -> None:
    for name in names:
        chart = page.locator(f'.report-chart[data-chart="{name}"]')
        expect(chart).to_have_attribute("data-drawn", "1")
        expect(chart.locator("svg").first).to_be_visible()
        box = chart.bounding_box()
        assert box is not None and box["width"] > 250 and box["height"] > 120, (name, box)
        # ECharts' SVG has real content: bars or cells, and axis labels.
        assert chart.locator("svg path").count() > 5, name
        assert chart.locator("svg text").count() > 3, name


def _tooltip_on_hover(page: Page, name: str, at: tuple[float, float] = (0.5, 0.55)) -> str:
    chart = page.locator(f'.report-chart[data-chart="{name}"]')
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * at[0] - 7, box["y"] + box["height"] * at[1] - 3)
    page.mouse.move(box["x"] + box["width"] * at[0], box["y"] + box["height"] * at[1])
    tooltip = chart.locator(".report-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).not_to_have_text("")
    return tooltip.inner_text()


def _no_page_overflow(page: Page) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def _no_django_brand(page: Page) -> None:
    body = page.content()
    assert "Django administration" not in body and "Django 管理" not in body
    assert "Django site admin" not in page.title()


def _definition_links_resolve(page: Page, base: str) -> int:
    hrefs = page.eval_on_selector_all("a.definition", "els => els.map(e => e.href)")
    assert hrefs
    paths = {href.split("#")[0] for href in hrefs}
    for path in paths:
        assert page.request.get(path).status == 200, path
    definitions = page.context.new_page()
    try:
        definitions.goto(next(iter(paths)))
        ids = set(definitions.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
        for href in hrefs:
            assert href.split("#", 1)[1] in ids, href
        _no_page_overflow(definitions)
        _no_django_brand(definitions)
    finally:
        definitions.close()
    return len(hrefs)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_overview_and_agents_at_1366(live_daphne, browser, pages, demo_reports, language) -> None:
    text = TEXT[language]
    page = _manager_page(browser, pages, live_daphne, language)
    assert page.evaluate("document.documentElement.lang") == text["lang"]

    # Overview: per-day bars with the previous period beside them, and the CSAT bars.
    expect(page.locator(".report-tabs a.active")).to_have_text(text["overview"])
    _charts_drawn(page, ["volume", "csat"])
    tip = _tooltip_on_hover(page, "volume")
    assert re.search(r"\d", tip), tip
    _tooltip_on_hover(page, "csat")
    # The legend names both periods.
    legend = page.locator('.report-chart[data-chart="volume"] svg').text_content() or ""
    assert ("上期" if language == "zh-hans" else "Previous period") in legend
    assert page.locator("#table-overview tbody tr").count() >= 15
    _no_page_overflow(page)
    _no_django_brand(page)
    assert _definition_links_resolve(page, live_daphne) >= 18

    # Agents: the wide table scrolls inside its card; the agent's name stays in view.
    page.click(f".report-tabs >> text={text['agents']}")
    page.wait_for_url("**/admin/reports/agents/**")
    _charts_drawn(page, ["agents"])
    tip = _tooltip_on_hover(page, "agents", at=(0.5, 0.3))
    assert "Ana" in tip or "Bob" in tip, tip
    _no_page_overflow(page)
    _no_django_brand(page)
    card = page.locator(".report-table:has(#table-agents)")
    headers = page.locator("#table-agents thead th")
    count = headers.count()
    assert count >= 17
    card.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    card_box = card.bounding_box()
    assert card_box is not None and card_box["x"] + card_box["width"] <= LAPTOP["width"]
    for index in [count - 1, count - 4]:  # Order value 7 d … CSAT are reachable
        cell = headers.nth(index).bounding_box()
        assert cell is not None
        assert card_box["x"] <= cell["x"] and cell["x"] + cell["width"] <= (
            card_box["x"] + card_box["width"] + 1
        ), (index, cell, card_box)
    assert text["csat"] in headers.nth(count - 6).inner_text() or any(
        text["csat"] in headers.nth(i).inner_text() for i in range(count)
    )
    first = page.locator("#table-agents tbody tr:first-child > :first-child").bounding_box()
    assert first is not None and abs(first["x"] - card_box["x"]) <= 2, (first, card_box)
    assert _definition_links_resolve(page, live_daphne) >= 16
    assert page.js_errors == []  # type: ignore[attr-defined]


def test_hot_questions_and_heat_map(live_daphne, browser, pages, demo_reports) -> None:
    page = _manager_page(browser, pages, live_daphne, "en")
    page.click(".report-tabs >> text=Hot questions")
    page.wait_for_url("**/admin/reports/questions/**")
    _charts_drawn(page, ["clusters", "matched"])
    # Questions are labelled with their words, not 1..N.
    labels = (page.locator('.report-chart[data-chart="clusters"] svg').text_content() or "").lower()
    assert "iceland" in labels or "开发票" in labels or "gift" in labels, labels
    # The top question (the one with markup, asked 40 times) sits in the first row.
    chart = page.locator('.report-chart[data-chart="clusters"]')
    box = chart.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + 36 + 10)
    tooltip = chart.locator(".report-tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text(MARKUP)
    expect(tooltip).to_contain_text("40")
    assert tooltip.locator("img, b").count() == 0
    assert page.locator(".report-chart img").count() == 0
    table = page.locator("#table-clusters").inner_text()
    assert "开发票" in table and "iceland" in table.lower()

    # The admin's theme toggle redraws the charts in the dark theme, and back.
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    expect(chart).to_have_attribute("data-theme", "dark")
    page.evaluate("document.documentElement.dataset.theme = 'light'")
    expect(chart).to_have_attribute("data-theme", "light")
    _charts_drawn(page, ["clusters", "matched"])

    page.click(".report-tabs >> text=Volume")
    page.wait_for_url("**/admin/reports/volume/**")
    _charts_drawn(page, ["heatmap"])
    heat = page.locator('.report-chart[data-chart="heatmap"] svg').text_content() or ""
    assert "Mon" in heat and "23" in heat
    _no_page_overflow(page)

    # One click turns the top cluster into a knowledge-base entry.
    page.click(".report-tabs >> text=Hot questions")
    page.locator("button.create-entry").first.click()
    page.wait_for_url("**/admin/chat/knowledgeentry/*/change/")
    assert page.js_errors == []  # type: ignore[attr-defined]
