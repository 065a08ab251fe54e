"""The definitions page: docs/metrics.md served by the desk with an anchor per number, no
repository paths, and every number of the report pages linking to an anchor that exists."""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from analytics.definitions import PLACES, _without_paths, anchor, definitions
from tests.factories import T0, agent_at, make_agent, make_visitor, shopper_at

pytestmark = pytest.mark.django_db
RANGE = f"start={T0.date()}&end={T0.date() + dt.timedelta(days=1)}"


class Links(HTMLParser):
    """Ids of the page, and the hrefs of its definition links."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.definition_links: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Any]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"])
        if tag == "a" and found.get("class") == "definition":
            self.definition_links.append(found["href"])

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _manager() -> Client:
    user = User.objects.create_user("manager", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_reports"))
    client = Client()
    client.force_login(user)
    return client


def test_every_mapped_number_has_its_own_row_in_the_definitions() -> None:
    known = definitions().anchors
    missing = [
        f"{table}.{key}: {anchor(section, item)}"
        for table, (section, items) in PLACES.items()
        for key, item in items.items()
        if item and anchor(section, item) not in known
    ]
    assert not missing, "docs/metrics.md no longer defines these rows: " + ", ".join(missing)


def test_repository_paths_are_left_out() -> None:
    assert _without_paths("schedule (routing's `business_seconds`, docs/routing.md: x)") == (
        "schedule (routing's `business_seconds`: x)"
    )
    assert _without_paths("a shopper (CONTRACT.md) and (`analytics/tables.py`).") == (
        "a shopper and."
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_page_is_served_with_anchors_and_no_paths(language: str) -> None:
    response = _manager().get("/admin/reports/definitions/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = Links()
    page.feed(response.content.decode())
    assert {"overview", "agents", "overview-first-response-median-p90-mean"} <= page.ids
    assert "agents-conversion-24-h-7-d" in page.ids
    text = "".join(page.text)
    assert ("Conversations handled" if language == "en" else "处理的会话") in text
    assert not re.findall(r"[\w-]+/[\w./-]+\.(?:md|py)\b|\b[\w-]+\.(?:md|py)\b|docs/", text)
    assert "How the numbers are made" not in text
    if language == "zh-hans":
        assert "报表指标定义" in text
        # The definitions themselves in Chinese, not English with a note.
        assert "首次响应" in text and "The definitions are written in English" not in text
        assert "指标定义以英文撰写" not in text
        assert "{#" not in text


def test_every_english_definition_anchor_has_a_chinese_one() -> None:
    english, chinese = definitions(), definitions("zh-hans")
    assert chinese is not english and chinese.sections
    assert english.anchors - chinese.anchors == set(), "docs/metrics.zh.md lacks these anchors"
    assert chinese.anchors - english.anchors == set(), (
        "docs/metrics.zh.md has anchors not in English"
    )
    assert [a for a, _ in chinese.sections] == [a for a, _ in english.sections]
    # Headings and rows read in Chinese; the anchor markers are gone from the text.
    assert dict(chinese.sections)["time-zone"] == "时区"
    assert 'id="overview-conversations"' in chinese.html and "{#" not in chinese.html


def test_the_page_needs_the_report_permission() -> None:
    user = User.objects.create_user("clerk", password="pw", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get("/admin/reports/definitions/").status_code == 403
    assert Client().get("/admin/reports/definitions/").status_code == 302


@pytest.mark.parametrize("page", ["", "agents/", "volume/", "questions/"])
def test_every_definition_link_of_the_reports_resolves(page: str) -> None:
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 0, "where is my parcel")
    agent_at(ana, conv, 60)
    from analytics import services

    services.rollup_tick(lag=dt.timedelta(0))
    client = _manager()
    report = Links()
    report.feed(client.get(f"/admin/reports/{page}?{RANGE}").content.decode())
    assert report.definition_links
    target = Links()
    target.feed(client.get("/admin/reports/definitions/").content.decode())
    for href in report.definition_links:
        path, _, fragment = href.partition("#")
        assert path == "/admin/reports/definitions/" and fragment in target.ids, href
    if page == "agents/":
        # Every number column of the agents table is linked to its own row.
        own_rows = [h for h in report.definition_links if "#agents-" in h]
        assert len(own_rows) == len(PLACES["agents"][1])
    if page == "":
        assert sum("#overview-" in h for h in report.definition_links) >= 18
        calls = [h for h in report.definition_links if "#calls-" in h]
        assert len(calls) == len(PLACES["calls"][1])


def test_reports_work_without_the_docs(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    from analytics import definitions as module

    monkeypatch.setattr(module, "SOURCE", tmp_path / "metrics.md")
    client = _manager()
    page = Links()
    page.feed(client.get(f"/admin/reports/agents/?{RANGE}").content.decode())
    assert page.definition_links == []
    response = client.get("/admin/reports/definitions/")
    assert response.status_code == 200 and b"errornote" in response.content


# The table body as the template's loop wrote it before ``table_body`` (analytics.definitions).
LOOP = (
    '{% load i18n %}{% for href, first, cells in t.rows %}<tr><th scope="row">{% if href %}'
    '<a class="definition" href="{{ href }}" title="{% translate \'Definition\' %}">'
    "{{ first }}</a>{% else %}{{ first }}{% endif %}</th>{% for cell, numeric in cells %}"
    '<td{% if numeric %} class="num"{% endif %}>{{ cell }}</td>{% endfor %}</tr>{% empty %}'
    "<tr><td colspan=\"{{ t.width }}\">{% translate 'Nothing in this period.' %}</td></tr>"
    "{% endfor %}"
)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_table_bodies_are_the_html_the_template_loop_gave(language: str) -> None:
    """Every table of every report page, a link in a row, markup in a cell and an empty
    table: the same bytes as the loop (escaped the same way), in both languages."""
    from django.template import Context, Template
    from django.utils import translation

    from analytics import tables
    from analytics.definitions import linked
    from analytics.selectors import ReportFilter, agents_table, overview

    ana = make_agent("ana <b>&</b>")
    conv = shopper_at(make_visitor(), 0)
    agent_at(ana, conv, 60)
    from analytics.services import rollup_tick
    from tests.factories import at

    with at(120):
        rollup_tick(lag=dt.timedelta(0))
    f = ReportFilter(start=T0.date(), end=T0.date() + dt.timedelta(days=1))
    empty = ReportFilter(
        start=T0.date() + dt.timedelta(days=30), end=T0.date() + dt.timedelta(days=31)
    )
    made = [
        tables.overview_table(overview(f), True),
        tables.agents_table(agents_table(f)),
        tables.agents_table(agents_table(empty)),
    ]
    assert made[1].rows and not made[2].rows
    loop = Template(LOOP)
    with translation.override(language):
        for table in made:
            t = linked(table)
            assert str(t["body"]) == loop.render(Context({"t": t}))
    assert "&lt;B&gt;&amp;&lt;/B&gt;" in str(linked(made[1])["body"])  # escaped
