"""A manager opens the report pages on demo data in Chromium: the charts render."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission, User

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


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


def _bar_heights(page, chart: str) -> list[float]:
    return page.eval_on_selector_all(
        f'svg[data-chart="{chart}"] rect.bar', "els => els.map(e => e.getBBox().height)"
    )


def test_overview_and_hot_questions_render_charts(live_daphne, browser, demo_reports) -> None:
    page = browser.new_page()
    try:
        page.goto(live_daphne + "/admin/login/?next=/admin/reports/")
        page.fill("#id_username", "manager")
        page.fill("#id_password", "manager-pw-1")
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/reports/")
        # Overview: per-day bars (the last 7 days have demo traffic) and the CSAT bars.
        volume = _bar_heights(page, "volume")
        assert len(volume) == 7 and all(h > 0 for h in volume[:-1])
        assert sum(_bar_heights(page, "csat")) > 0
        assert page.locator("#table-overview tbody tr").count() >= 15
        # The chart is really laid out by the browser, not just present in the markup.
        box = page.locator('svg[data-chart="volume"]').bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 50

        page.click("text=Hot questions")
        page.wait_for_url("**/admin/reports/questions/**")
        clusters = _bar_heights(page, "clusters")
        assert clusters and all(h > 0 for h in clusters)
        table = page.locator("#table-clusters").inner_text()
        assert "开发票" in table and "iceland" in table.lower()
        assert sum(_bar_heights(page, "matched")) > 0

        # One click turns the top cluster into a knowledge-base entry.
        page.locator("button.create-entry").first.click()
        page.wait_for_url("**/admin/chat/knowledgeentry/*/change/")
    finally:
        page.close()
