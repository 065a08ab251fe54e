"""Each agent's durations kept per day (``AgentDurations``): the agents table's exact medians
and p90 come from them (docs/metrics.md, 3.). The rows of incremental ticks equal those of a
full rebuild, and the table's percentiles equal PostgreSQL's ``percentile_cont`` over the
duration facts of the range, in two time zones."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.db import connection

from analytics import services as analytics_services
from analytics.models import AgentDurations, Fact
from analytics.selectors import ReportFilter, agents_table
from tests.factories import T0, agent_durations, traffic

pytestmark = pytest.mark.django_db
NO_LAG = dt.timedelta(0)
SHANGHAI = {"CURRENCY": "CNY", "TIME_ZONE": "Asia/Shanghai", "TIME_ZONES": ["UTC"]}
NEW_YORK = {"CURRENCY": "USD", "TIME_ZONE": "America/New_York", "TIME_ZONES": ["Asia/Kolkata"]}
COLUMNS = {
    Fact.Kind.AGENT_FIRST_RESPONSE: ("first_response_median", "first_response_p90"),
    Fact.Kind.REPLY_WAIT: ("reply_wait_median", "reply_wait_p90"),
    Fact.Kind.RESOLVED: ("resolution_median", None),
}


@pytest.mark.parametrize("reports", [SHANGHAI, NEW_YORK])
def test_ticks_equal_a_full_rebuild(settings: Any, reports: dict) -> None:
    settings.REPORTS = reports
    for stage in range(4):
        traffic(stage)
        analytics_services.rollup_tick(lag=NO_LAG)
    ticked = agent_durations()
    zones = {reports["TIME_ZONE"], *reports["TIME_ZONES"]}
    assert {row[1] for row in ticked} == zones
    assert {row[3] for row in ticked} == {7, 8, 9}
    assert (
        sum(len(row[6]) for row in ticked)
        == 2 * Fact.objects.filter(kind__in=[7, 8, 9], agent_id__isnull=False).count()
    )
    analytics_services.rollup_rebuild()
    assert agent_durations() == ticked
    analytics_services.rollup_rebuild(
        start=T0 - dt.timedelta(days=1), end=T0 + dt.timedelta(days=2)
    )
    assert agent_durations() == ticked


def _facts() -> None:
    """Durations of three agents in two teams over four days, every hour of the day (so
    Shanghai's and UTC's days hold different ones), ties included."""
    rng = random.Random(11)
    facts = []
    for i in range(900):
        agent_id = [21, 22, 23, None][i % 4]
        for kind in COLUMNS:
            seconds = round(rng.lognormvariate(4, 1.1), 1)
            facts.append(
                Fact(
                    kind=kind,
                    at=T0 + dt.timedelta(minutes=6 * i + 1),
                    team_id=1 + (i // 4) % 2,
                    agent_id=agent_id,
                    seconds=seconds,
                    bh_seconds=round(seconds * rng.random(), 2),
                )
            )
    Fact.objects.bulk_create(facts)


def _from_facts(f: ReportFilter) -> dict[tuple[int, int], list[float]]:
    """PostgreSQL's exact percentiles over the duration facts of the filter's range."""
    column = "bh_seconds" if f.business_hours else "seconds"
    team = "AND team_id = %s" if f.team_id else ""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT kind, agent_id, percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP "
            f"(ORDER BY {column}) FROM analytics_fact WHERE kind IN (7, 8, 9) "
            f"AND agent_id IS NOT NULL AND at >= %s AND at < %s {team} GROUP BY 1, 2",
            [f.lo, f.hi, *([f.team_id] if f.team_id else [])],
        )
        return {(kind, agent): list(cuts) for kind, agent, cuts in cursor.fetchall()}


def _from_table(f: ReportFilter) -> dict[tuple[int, int], list[float]]:
    out = {}
    for row in agents_table(f):
        for kind, (median, p90) in COLUMNS.items():
            if row[median] is not None:
                out[(int(kind), row["agent_id"])] = [row[median], row[p90] if p90 else None]
    return out


def test_percentiles_equal_percentile_cont_over_the_facts(settings: Any) -> None:
    settings.REPORTS = SHANGHAI
    _facts()
    analytics_services.rollup_tick(lag=NO_LAG)
    checked = 0
    for rebuilt in (False, True):
        if rebuilt:
            analytics_services.rollup_rebuild()
        for zone in ("Asia/Shanghai", "UTC"):
            for start, days in ((T0.date(), 1), (T0.date() + dt.timedelta(days=1), 2)):
                for team_id in (None, 2):
                    for bh in (False, True):
                        f = ReportFilter(
                            start=start,
                            end=start + dt.timedelta(days=days - 1),
                            team_id=team_id,
                            business_hours=bh,
                            compare=False,
                            time_zone=zone,
                        )
                        exact = _from_facts(f)
                        got = _from_table(f)
                        assert len(exact) == 9, f
                        # Exactly equal: the same values, the same interpolation.
                        for key, (median, p90) in exact.items():
                            assert got[key][0] == median, (f, key)
                            if key[0] != Fact.Kind.RESOLVED:
                                assert got[key][1] == p90, (f, key)
                        checked += 1
    assert checked == 32
    # The two zones' days hold different facts, and so do their rows.
    by_zone = {
        zone: {(r.day, r.kind, r.agent_id) for r in AgentDurations.objects.filter(zone=zone)}
        for zone in ("Asia/Shanghai", "UTC")
    }
    assert by_zone["Asia/Shanghai"] and by_zone["UTC"]
    shanghai = _from_facts(ReportFilter(start=T0.date(), end=T0.date(), time_zone="Asia/Shanghai"))
    utc = _from_facts(ReportFilter(start=T0.date(), end=T0.date(), time_zone="UTC"))
    assert shanghai != utc
