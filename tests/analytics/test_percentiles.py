"""Large ranges read percentiles from the daily histograms: within ±2.5 % of the exact ones."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from analytics import services as analytics_services
from analytics.models import Fact
from analytics.selectors import ReportFilter, agents_table, common, overview
from tests.factories import T0

pytestmark = pytest.mark.django_db


def test_histogram_percentiles_match_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(3)
    facts = []
    for i in range(3000):
        at = T0 + dt.timedelta(minutes=i)
        seconds = rng.lognormvariate(5, 1.2)
        for kind in (
            Fact.Kind.FIRST_RESPONSE,
            Fact.Kind.AGENT_FIRST_RESPONSE,
            Fact.Kind.REPLY_WAIT,
            Fact.Kind.RESOLVED,
        ):
            facts.append(
                Fact(
                    kind=kind,
                    at=at,
                    team_id=1 + i % 2,
                    agent_id=10 + i % 3,
                    seconds=seconds * kind,
                    bh_seconds=seconds,
                )
            )
    Fact.objects.bulk_create(facts)
    analytics_services.rollup_rebuild()
    f = ReportFilter(start=T0.date(), end=T0.date() + dt.timedelta(days=3), compare=False)

    monkeypatch.setattr(common, "EXACT_LIMIT", 10**9)
    exact = overview(f)["values"]
    exact_agents = {r["agent_id"]: r for r in agents_table(f)}
    exact_team = overview(ReportFilter(start=f.start, end=f.end, team_id=2, business_hours=True))[
        "values"
    ]
    monkeypatch.setattr(common, "EXACT_LIMIT", 0)
    approx = overview(f)["values"]
    approx_agents = {r["agent_id"]: r for r in agents_table(f)}
    approx_team = overview(ReportFilter(start=f.start, end=f.end, team_id=2, business_hours=True))[
        "values"
    ]

    for name in ("first_response", "reply_wait", "resolution"):
        for stat in ("median", "p90"):
            key = f"{name}_{stat}"
            assert approx[key] == pytest.approx(exact[key], rel=0.025), key
            assert approx_team[key] == pytest.approx(exact_team[key], rel=0.025), key
        assert approx[f"{name}_mean"] == pytest.approx(exact[f"{name}_mean"], rel=1e-9)
    assert set(approx_agents) == set(exact_agents) == {10, 11, 12}
    for agent_id, row in exact_agents.items():
        for key in ("first_response_median", "reply_wait_p90", "resolution_median"):
            assert approx_agents[agent_id][key] == pytest.approx(row[key], rel=0.025), key
