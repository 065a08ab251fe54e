"""Report pages: permissions, filters, charts, CSV equal to the page, one-click KB entry."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from analytics import services as analytics_services
from analytics.models import HourlyRollup, QuestionFact
from tests.factories import (
    T0,
    agent_at,
    bot_at,
    csat_at,
    handover_at,
    make_agent,
    make_visitor,
    shopper_at,
    status_at,
)

pytestmark = pytest.mark.django_db
RANGE = f"start={T0.date()}&end={T0.date() + dt.timedelta(days=1)}"
PAGES = ["", "questions/", "volume/", "agents/"]


def manager(*perms: str) -> Client:
    user = User.objects.create_user("manager", password="pw", is_staff=True)
    for codename in perms:
        app, code = codename.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=code)
        )
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def data() -> None:
    ana, bob = make_agent("ana"), make_agent("bob")
    for i in range(6):
        conv = shopper_at(make_visitor(), i * 900, "where is my parcel")
        bot_at(conv, i * 900 + 5)
        handover_at(conv, i * 900 + 10)
        agent_at(ana if i % 2 else bob, conv, i * 900 + 60 + i * 20)
        status_at(ana if i % 2 else bob, conv, "resolved", i * 900 + 800)
        csat_at(conv, 1 + i % 5, i * 900 + 850)
    for n, text in enumerate(
        ["do you ship to Mars", "shipping to mars?", "退货要多久", "退货要多久呢"]
    ):
        QuestionFact.objects.create(
            at=T0 + dt.timedelta(minutes=n), text=text, topic_key=_key(text)
        )
    from chat.models import KnowledgeEntry

    entry = KnowledgeEntry.objects.create(title="Shipping times", answer="1-3 days")
    for n in range(3):
        QuestionFact.objects.create(
            at=T0 + dt.timedelta(minutes=n), text="how long", kb_entry_id=entry.pk
        )
    analytics_services.rollup_tick(lag=dt.timedelta(0))


def _key(text: str) -> str:
    from analytics.questions import topic_key

    return topic_key(text)


class Tables(HTMLParser):
    """Cells of every <table data-table=NAME> on a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._name: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Any]]) -> None:
        if tag == "table":
            self._name = dict(attrs).get("data-table")
            self.tables[self._name or ""] = []
        elif tag == "tr" and self._name:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None and self._name:
            self.tables[self._name].append(self._row)
            self._row = None
        elif tag == "table":
            self._name = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def test_anonymous_goes_to_login_and_staff_without_permission_is_refused() -> None:
    response = Client().get("/admin/reports/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client = manager()
    for page in PAGES:
        assert client.get(f"/admin/reports/{page}").status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_pages_render_charts(data: None, page: str) -> None:
    client = manager("analytics.view_reports")
    response = client.get(f"/admin/reports/{page}?{RANGE}&bh=1")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="report-chart ') >= 1
    # The charts' numbers ride in JSON for static/reports/charts.js: no inline script.
    charts = ChartData()
    charts.feed(body)
    assert charts.data and all(d["series"] for d in charts.data.values())
    assert "echarts.min.js" in body and "reports/charts.js" in body


def test_chart_data_names_questions_and_agents(data: None) -> None:
    client = manager("analytics.view_reports")
    charts = ChartData()
    charts.feed(client.get(f"/admin/reports/questions/?{RANGE}").content.decode())
    clusters = charts.data["chart-data-clusters"]
    # Hot questions labelled with their text, not 1..N, the largest first.
    assert clusters["horizontal"] is True
    assert any("mars" in label.lower() for label in clusters["labels"])
    assert any("退货" in label for label in clusters["labels"])
    assert clusters["series"][-1]["values"][0] == max(clusters["series"][-1]["values"])
    assert charts.data["chart-data-matched"]["labels"] == ["Shipping times"]
    charts = ChartData()
    charts.feed(client.get(f"/admin/reports/agents/?{RANGE}").content.decode())
    agents = charts.data["chart-data-agents"]
    assert dict(zip(agents["labels"], agents["series"][0]["values"], strict=True)) == {
        "Ana": 3.0,
        "Bob": 3.0,
    }
    charts = ChartData()
    charts.feed(client.get(f"/admin/reports/volume/?{RANGE}").content.decode())
    heat = charts.data["chart-data-heatmap"]
    assert len(heat["cells"]) == 7 * 24 and sum(c[2] for c in heat["cells"]) == 6


class ChartData(HTMLParser):
    """The JSON of every chart (``<script type="application/json" id="chart-data-…">``)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, Any] = {}
        self._id: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Any]]) -> None:
        found = dict(attrs)
        if tag == "script" and str(found.get("id", "")).startswith("chart-data-"):
            assert found.get("type") == "application/json"
            self._id = found["id"]

    def handle_endtag(self, tag: str) -> None:
        self._id = None

    def handle_data(self, data: str) -> None:
        if self._id:
            self.data[self._id] = json.loads(data)


@pytest.mark.parametrize(
    "query",
    [
        "start=yesterday",
        "start=2026-11-05&end=2026-11-01",
        "team=abc",
        "agent=-1",
        "start=1990-01-01&end=2026-01-01",
        "start=2026-13-45",
    ],
)
def test_bad_filters_are_400_not_500(query: str) -> None:
    client = manager("analytics.view_reports")
    assert client.get(f"/admin/reports/?{query}").status_code == 400


@pytest.mark.parametrize(
    ("page", "table"),
    [
        ("", "overview"),
        ("", "daily"),
        ("agents/", "agents"),
        ("volume/", "volume"),
        ("questions/", "clusters"),
        ("questions/", "matched"),
    ],
)
def test_csv_matches_page(data: None, page: str, table: str) -> None:
    client = manager("analytics.view_reports")
    html = client.get(f"/admin/reports/{page}?{RANGE}").content.decode()
    parser = Tables()
    parser.feed(html)
    shown = parser.tables[table]
    response = client.get(f"/admin/reports/{page}?{RANGE}&format=csv&table={table}")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    if len(shown) == 2 and len(shown[1]) == 1:  # the page's "nothing in this period" row
        shown = shown[:1]
    assert rows == shown
    assert len(rows) >= 2


def test_agents_page_numbers(data: None) -> None:
    client = manager("analytics.view_reports")
    html = client.get(f"/admin/reports/agents/?{RANGE}&compare=0").content.decode()
    parser = Tables()
    parser.feed(html)
    header, *rows = parser.tables["agents"]
    by_agent = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_agent["Ana"]["Conversations handled"] == "3"
    # ana's replies: 80 s, 120 s, 160 s after the hand-over at +10 s → 70, 110, 150.
    assert by_agent["Ana"]["Reply wait median"] == "1m 50s"


def test_unknown_csv_table_is_404(data: None) -> None:
    client = manager("analytics.view_reports")
    assert client.get(f"/admin/reports/?{RANGE}&format=csv&table=nope").status_code == 404


def test_hot_question_cluster_becomes_kb_entry(data: None) -> None:
    from chat.models import KnowledgeEntry

    client = manager(
        "analytics.view_reports", "chat.add_knowledgeentry", "chat.change_knowledgeentry"
    )
    page = client.get(f"/admin/reports/questions/?{RANGE}").content.decode()
    assert "do you ship to Mars" in page or "shipping to mars?" in page
    assert 'class="create-entry"' in page
    response = client.post(
        "/admin/reports/questions/entry/",
        {"title": "shipping to mars?", "example": ["shipping to mars?", "do you ship to Mars"]},
    )
    entry = KnowledgeEntry.objects.get(title="shipping to mars?")
    assert response.status_code == 302 and str(entry.pk) in response["Location"]
    assert entry.active is False
    assert sorted(entry.questions.values_list("text", flat=True)) == [
        "do you ship to Mars",
        "shipping to mars?",
    ]


def test_kb_entry_needs_permission(data: None) -> None:
    client = manager("analytics.view_reports")
    assert client.post("/admin/reports/questions/entry/", {"title": "x"}).status_code == 403


def test_admin_rebuild_of_a_period(data: None) -> None:
    client = manager("analytics.view_reports", "analytics.rebuild_reports")
    before = list(
        HourlyRollup.objects.order_by("hour", "agent_id").values_list(
            "hour", "agent_id", "conversations"
        )
    )
    HourlyRollup.objects.all().delete()
    response = client.post(
        "/admin/reports/rebuild/", {"start": str(T0.date()), "end": str(T0.date())}
    )
    assert response.status_code == 302
    after = list(
        HourlyRollup.objects.order_by("hour", "agent_id").values_list(
            "hour", "agent_id", "conversations"
        )
    )
    assert after == before
    assert manager_without_rebuild().get("/admin/reports/rebuild/").status_code == 403


def manager_without_rebuild() -> Client:
    user = User.objects.create_user("viewer", password="pw", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


def test_admin_index_links_reports() -> None:
    client = manager("analytics.view_reports")
    index = client.get("/admin/").content.decode()
    assert "/admin/analytics/reportpage/" in index
    assert client.get("/admin/analytics/reportpage/").status_code == 302


def test_pages_in_simplified_chinese(data: None) -> None:
    client = manager("analytics.view_reports")
    body = client.get(f"/admin/reports/?{RANGE}", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "概览" in body and "首次响应，中位数" in body


def test_csv_states_its_time_zone(data: None, settings: Any) -> None:
    client = manager("analytics.view_reports")
    for page, table, first in [("", "daily", "Day"), ("volume/", "volume", "Weekday")]:
        response = client.get(f"/admin/reports/{page}?{RANGE}&format=csv&table={table}")
        header = next(csv.reader(io.StringIO(response.content.decode())))
        assert header[0] == f"{first} (UTC)"
        assert "UTC.csv" in response["Content-Disposition"]
    settings.REPORTS = {**getattr(settings, "REPORTS", {}), "TIME_ZONE": "Asia/Shanghai"}
    response = client.get(f"/admin/reports/?{RANGE}&format=csv&table=daily")
    assert response.content.decode().startswith("Day (Asia/Shanghai),")
    assert "Asia_Shanghai.csv" in response["Content-Disposition"]
    page = client.get(f"/admin/reports/volume/?{RANGE}").content.decode()
    assert "(Asia/Shanghai)" in page


def test_durations_read_in_chinese(data: None) -> None:
    client = manager("analytics.view_reports")
    html = client.get(
        f"/admin/reports/agents/?{RANGE}&compare=0", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    parser = Tables()
    parser.feed(html)
    header, *rows = parser.tables["agents"]
    by_agent = {r[0]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_agent["Ana"]["回复等待中位数"] == "1分50秒"
    csv_body = client.get(
        f"/admin/reports/agents/?{RANGE}&compare=0&format=csv&table=agents",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    assert "1分50秒" in csv_body


def test_a_report_picks_its_time_zone(data: None, settings: Any) -> None:
    settings.REPORTS = {**settings.REPORTS, "TIME_ZONE": "UTC", "TIME_ZONES": ["Asia/Shanghai"]}
    from analytics import services

    services.rollup_tick(lag=dt.timedelta(0))
    client = manager("analytics.view_reports")
    page = client.get(f"/admin/reports/agents/?{RANGE}&tz=Asia/Shanghai").content.decode()
    assert '<select name="tz">' in page
    assert '<option value="Asia/Shanghai" selected>' in page
    # The tabs keep the chosen zone.
    assert "tz=Asia%2FShanghai" in page
    settings.REPORTS = {**settings.REPORTS, "TIME_ZONES": []}
    page = client.get(f"/admin/reports/?{RANGE}").content.decode()
    assert 'name="tz"' not in page


def test_agents_are_named_as_their_profile_names_them_in_the_filter_and_the_table() -> None:
    """``AgentProfile.name``: the display name, else the full name, else the username; a
    user without a profile by username. The filter lists the Agents and Supervisors by
    username with the chosen one selected; the table names each agent the same way."""
    from chat.models import AgentProfile

    shown = make_agent("zed", name="Zoë <Z>")
    full = make_agent("amy", name="")
    full.first_name, full.last_name = "Amy", "Li"
    full.save()
    bare = make_agent("bea", name="")
    lone = make_agent("cy", supervisor=True)
    AgentProfile.objects.filter(user=lone).delete()
    for i, who in enumerate((shown, full, bare, lone)):
        conv = shopper_at(make_visitor(), i * 60)
        agent_at(who, conv, i * 60 + 30)
    analytics_services.rollup_tick(lag=dt.timedelta(0))
    client = manager("analytics.view_reports")
    html = client.get(f"/admin/reports/agents/?{RANGE}&agent={full.pk}").content.decode()
    select = html[html.index('<select name="agent">') :]
    select = select[: select.index("</select>")]
    assert select == (
        '<select name="agent"><option value="">All agents</option>'
        f'<option value="{full.pk}" selected>Amy Li</option>'
        f'<option value="{bare.pk}" >bea</option>'
        f'<option value="{lone.pk}" >cy</option>'
        f'<option value="{shown.pk}" >Zoë &lt;Z&gt;</option>'
    )
    body = client.get(f"/admin/reports/agents/?{RANGE}").content.decode()
    for name in ("Zoë &lt;Z&gt;", "Amy Li", "bea", "cy"):
        assert f'<th scope="row">{name}</th>' in body
