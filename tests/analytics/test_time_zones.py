"""Reports in the shop's time zone (docs/metrics.md, "Time zone"): days, hours, the heat map
and the CSV in the zone, ranges with offsets, another report zone per page, rollups that stay
right when the zone changes, incremental ticks equal to a full rebuild. Two zones throughout:
Asia/Shanghai (UTC+8) and UTC, with America/New_York for a zone behind UTC."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from analytics import services as analytics_services
from analytics.models import DailyRollup, Fact, QuestionDaily
from analytics.selectors import (
    ReportFilter,
    agents_table,
    overview,
    report_filter_from_query,
    volume_heatmap,
)
from analytics.selectors.heatmap import daily_series
from helpdesk.errors import BadRequest
from tests.factories import (
    T0,
    agent_at,
    make_agent,
    make_visitor,
    shopper_at,
    snapshot,
    traffic,
)

pytestmark = pytest.mark.django_db
NO_LAG = dt.timedelta(0)
HOUR = 3600
MONDAY, TUESDAY = T0.date(), T0.date() + dt.timedelta(days=1)
SHANGHAI = {"CURRENCY": "CNY", "TIME_ZONE": "Asia/Shanghai", "TIME_ZONES": ["UTC"]}


@pytest.fixture
def shanghai(settings: Any) -> None:
    settings.REPORTS = SHANGHAI


def tick() -> None:
    analytics_services.rollup_tick(lag=NO_LAG)


def late_monday_chat() -> Any:
    """Monday 23:00 UTC = Tuesday 07:00 in Shanghai: a shopper, answered 2 minutes later."""
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 14 * HOUR, "hello")
    agent_at(ana, conv, 14 * HOUR + 120)
    tick()
    return ana


def test_days_and_hours_are_the_shops(shanghai: None) -> None:
    late_monday_chat()
    local = {
        "monday": ReportFilter(start=MONDAY, end=MONDAY, compare=False),
        "tuesday": ReportFilter(start=TUESDAY, end=TUESDAY, compare=False),
    }
    assert local["monday"].time_zone == "Asia/Shanghai"
    assert overview(local["monday"])["values"]["conversations"] == 0
    tuesday = overview(local["tuesday"])["values"]
    assert tuesday["conversations"] == 1 and tuesday["first_response_median"] == 120.0
    grid = volume_heatmap(local["tuesday"])["grid"]
    assert grid[1][7] == 1 and sum(map(sum, grid)) == 1  # Tuesday, 07:00
    series = daily_series(ReportFilter(start=MONDAY, end=TUESDAY, compare=False))
    assert [(d["day"], d["conversations"]) for d in series] == [(MONDAY, 0), (TUESDAY, 1)]
    # The same facts read in UTC, the other report zone: Monday, 23:00.
    utc = ReportFilter(start=MONDAY, end=MONDAY, compare=False, time_zone="UTC")
    assert overview(utc)["values"]["conversations"] == 1
    assert volume_heatmap(utc)["grid"][0][23] == 1
    assert sorted(DailyRollup.objects.values_list("zone", flat=True).distinct()) == [
        "Asia/Shanghai",
        "UTC",
    ]


def test_zone_behind_utc(settings: Any) -> None:
    settings.REPORTS = {"CURRENCY": "USD", "TIME_ZONE": "America/New_York"}
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), -5 * HOUR)  # Monday 04:00 UTC = Sunday 23:00 in NY
    agent_at(ana, conv, -5 * HOUR + 60)
    tick()
    sunday = MONDAY - dt.timedelta(days=1)
    assert overview(ReportFilter(start=sunday, end=sunday))["values"]["conversations"] == 1
    assert overview(ReportFilter(start=MONDAY, end=MONDAY))["values"]["conversations"] == 0
    assert volume_heatmap(ReportFilter(start=sunday, end=sunday))["grid"][6][23] == 1


def test_ranges_with_offsets_and_the_zone_choice(shanghai: None) -> None:
    f = report_filter_from_query({"start": "2026-11-02T20:00:00Z", "end": "2026-11-03"})
    assert (f.start, f.end, f.time_zone) == (TUESDAY, TUESDAY, "Asia/Shanghai")
    # An unencoded "+" arrives as a space.
    f = report_filter_from_query({"start": "2026-11-02T00:00:00 08:00", "end": "2026-11-03"})
    assert f.start == MONDAY
    f = report_filter_from_query({"start": "2026-11-02T23:30:00-01:00", "tz": "UTC"})
    assert (f.start, f.time_zone) == (TUESDAY, "UTC")
    assert f.lo == dt.datetime(2026, 11, 3, tzinfo=dt.UTC)
    with pytest.raises(BadRequest):
        report_filter_from_query({"tz": "Europe/Berlin"})  # not a report zone
    with pytest.raises(BadRequest):
        report_filter_from_query({"start": "2026-11-02Tnoon"})


def _manager() -> Client:
    user = User.objects.create_user("manager", password="pw", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="analytics", codename="view_reports")
    )
    client = Client()
    client.force_login(user)
    return client


def test_pages_accept_offsets_and_csv_names_the_zone(shanghai: None) -> None:
    late_monday_chat()
    client = _manager()
    query = "start=2026-11-03T00:00:00%2B08:00&end=2026-11-03T23:59:59%2B08:00"
    page = client.get(f"/admin/reports/?{query}")
    assert page.status_code == 200
    response = client.get(f"/admin/reports/?{query}&format=csv&table=daily")
    assert response.status_code == 200
    assert "Asia_Shanghai" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Day (Asia/Shanghai)"
    assert rows[1][:2] == ["2026-11-03", "1"]
    heat = client.get(f"/admin/reports/volume/?{query}&tz=UTC&format=csv&table=volume")
    rows = list(csv.reader(io.StringIO(heat.content.decode())))
    assert rows[0][0] == "Weekday (UTC)"
    assert client.get("/admin/reports/?tz=Mars/Olympus").status_code == 400


def test_changing_the_shops_zone_rebuilds_its_days(settings: Any) -> None:
    settings.REPORTS = {"CURRENCY": "USD", "TIME_ZONE": "UTC"}
    late_monday_chat()
    assert overview(ReportFilter(start=MONDAY, end=MONDAY))["values"]["conversations"] == 1
    settings.REPORTS = {"CURRENCY": "USD", "TIME_ZONE": "Asia/Shanghai"}
    tick()  # nothing new, but the zone has no rows yet: built whole, UTC's dropped
    assert set(DailyRollup.objects.values_list("zone", flat=True)) == {"Asia/Shanghai"}
    assert overview(ReportFilter(start=MONDAY, end=MONDAY))["values"]["conversations"] == 0
    assert overview(ReportFilter(start=TUESDAY, end=TUESDAY))["values"]["conversations"] == 1
    analytics_services.histograms_refresh()
    ticked = snapshot()
    analytics_services.rollup_rebuild()
    assert snapshot() == ticked


@pytest.mark.parametrize(
    "reports",
    [
        SHANGHAI,
        {"CURRENCY": "USD", "TIME_ZONE": "America/New_York", "TIME_ZONES": ["Asia/Kolkata"]},
    ],
)
def test_incremental_equals_full_rebuild_in_every_zone(settings: Any, reports: dict) -> None:
    settings.REPORTS = reports
    for stage in range(4):
        traffic(stage)
        tick()
    analytics_services.histograms_refresh()
    incremental = snapshot()
    zones = set(DailyRollup.objects.values_list("zone", flat=True))
    assert zones == {reports["TIME_ZONE"], *reports["TIME_ZONES"]}
    analytics_services.rollup_rebuild()
    assert snapshot() == incremental
    # A period rebuilt (shop days Monday–Tuesday) changes nothing either.
    analytics_services.rollup_rebuild(
        start=T0 - dt.timedelta(days=1), end=T0 + dt.timedelta(days=2)
    )
    analytics_services.histograms_refresh()
    assert snapshot() == incremental
    # Every zone's days add up to the same totals.
    for zone in zones:
        rows = DailyRollup.objects.filter(zone=zone, team_id=-1, agent_id=-1)
        assert sum(r.conversations for r in rows) == 12
        assert sum(r.msg_visitor for r in rows) == 12
    assert QuestionDaily.objects.filter(team_id=-1).values("zone").distinct().count() == 2


def test_durations_do_not_depend_on_the_zone(shanghai: None) -> None:
    ana = late_monday_chat()
    for zone in ("Asia/Shanghai", "UTC"):
        day = TUESDAY if zone == "Asia/Shanghai" else MONDAY
        f = ReportFilter(start=day, end=day, compare=False, time_zone=zone)
        (row,) = agents_table(f)
        assert row["agent_id"] == ana.pk and row["first_response_median"] == 120.0
    assert Fact.objects.filter(kind=Fact.Kind.FIRST_RESPONSE).get().seconds == 120.0
