"""The labels report (docs/metrics.md, "Labels"): conversations per label and day in two time
zones, the team / agent filters, the previous period, and page = CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from analytics import tables
from analytics.selectors import ReportFilter, labels_report
from chat.models import Label
from tests.factories import T0, assign_at, make_agent, make_team, make_visitor, shopper_at

pytestmark = pytest.mark.django_db

HOUR = 3600


def _labelled() -> dict:
    refund = Label.objects.create(name="refund", color="#dc2626")
    vip = Label.objects.create(name="vip")
    Label.objects.create(name="unused")
    boss = make_agent("boss", supervisor=True)
    ana = make_agent("ana")
    monday = shopper_at(make_visitor(), 0)  # Monday 09:00 UTC (17:00 in Shanghai)
    late = shopper_at(make_visitor(), 14 * HOUR + 30 * 60)  # Monday 23:30 UTC: Tuesday 07:30 CST
    earlier = shopper_at(make_visitor(), -7 * 24 * HOUR)  # the previous week
    assign_at(boss, late, ana, 14 * HOUR + 31 * 60)
    refund.conversations.add(monday, late, earlier)
    vip.conversations.add(late)
    return {"refund": refund, "vip": vip, "ana": ana, "late": late}


def test_conversations_per_label_and_day_in_the_reports_zone(settings) -> None:
    made = _labelled()
    week = ReportFilter(start=T0.date(), end=T0.date() + dt.timedelta(days=6))
    data = labels_report(week)
    assert [(r["label"], r["count"], r["previous"]) for r in data["rows"]] == [
        ("refund", 2, 1),
        ("vip", 1, 0),
    ]
    refund = f"label_{made['refund'].pk}"
    utc = {d["day"]: d[refund] for d in data["days"] if d[refund]}
    assert utc == {T0.date(): 2}
    settings.REPORTS = {"CURRENCY": "CNY", "TIME_ZONE": "Asia/Shanghai"}
    shanghai = ReportFilter(
        start=T0.date(), end=T0.date() + dt.timedelta(days=6), time_zone="Asia/Shanghai"
    )
    days = {d["day"]: d[refund] for d in labels_report(shanghai)["days"] if d[refund]}
    assert days == {T0.date(): 1, T0.date() + dt.timedelta(days=1): 1}
    mine = ReportFilter(start=week.start, end=week.end, agent_id=made["ana"].pk, compare=False)
    assert [(r["label"], r["count"]) for r in labels_report(mine)["rows"]] == [
        ("refund", 1),
        ("vip", 1),
    ]
    other_team = make_team("Other")
    none = ReportFilter(start=week.start, end=week.end, team_id=other_team.pk, compare=False)
    assert labels_report(none)["rows"] == []


def test_labels_page_and_csv_show_the_same_cells() -> None:
    _labelled()
    user = User.objects.create_user("manager", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_reports"))
    client = Client()
    client.force_login(user)
    query = f"start={T0.date()}&end={T0.date() + dt.timedelta(days=6)}"
    html = client.get(f"/admin/reports/labels/?{query}").content.decode()
    assert 'id="table-labels"' in html and 'id="table-labels_daily"' in html
    f = ReportFilter(start=T0.date(), end=T0.date() + dt.timedelta(days=6))
    data = labels_report(f)
    for table in (
        tables.labels_table(data["rows"], True),
        tables.labels_daily_table(data["days"], data["columns"]),
    ):
        response = client.get(f"/admin/reports/labels/?{query}&format=csv&table={table.name}")
        got = list(csv.reader(io.StringIO(response.content.decode())))
        assert got[1:] == table.rows and got[1:]
    assert tables.labels_table(data["rows"], True).rows[0] == ["refund", "2", "1", "+100%"]
    zh = client.get(f"/admin/reports/labels/?{query}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "各标签的会话数" in zh.content.decode()


def test_the_report_counts_the_labels_conversations_carry_now() -> None:
    """Labels put on and taken off through the desk's bulk action: a label taken off no longer
    counts, one put on a week-old conversation counts on that conversation's start day, and
    a conversation labelled, unlabelled and labelled again counts once."""
    from chat.access import Actor
    from chat.labels import conversations_label

    made = _labelled()
    boss = Actor(user=User.objects.get(username="boss"))
    refund, vip, late = made["refund"], made["vip"], made["late"]
    monday = refund.conversations.order_by("created_at").filter(created_at__gte=T0).first()
    conversations_label(actor=boss, conversation_ids=[late.pk], remove=[refund.pk, vip.pk])
    conversations_label(actor=boss, conversation_ids=[monday.pk], add=[vip.pk])
    conversations_label(actor=boss, conversation_ids=[monday.pk], remove=[vip.pk])
    conversations_label(actor=boss, conversation_ids=[monday.pk], add=[vip.pk])
    week = ReportFilter(start=T0.date(), end=T0.date() + dt.timedelta(days=6))
    data = labels_report(week)
    assert [(r["label"], r["count"], r["previous"]) for r in data["rows"]] == [
        ("refund", 1, 1),
        ("vip", 1, 0),
    ]
    vip_day = {d["day"]: d[f"label_{vip.pk}"] for d in data["days"] if d[f"label_{vip.pk}"]}
    assert vip_day == {T0.date(): 1}  # on monday's start, not late's
