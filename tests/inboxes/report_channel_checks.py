"""The channel filter's scenario and its tables, shared by ``test_report_channel.py`` and the
SQLite run ``report_channel_sqlite.py`` (a helper module, not a test module)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.contrib.auth.models import User

from analytics import selectors, tables
from analytics.selectors.heatmap import daily_series
from chat.models import Conversation
from tests.analytics import scenario
from tests.factories import T0

START, END = T0.date(), T0.date() + dt.timedelta(days=1)


def _filters() -> dict[str, selectors.ReportFilter]:
    from chat.models import Team

    support = Team.objects.get(name="Support").pk
    ana = User.objects.get(username="ana").pk
    return {
        "all": selectors.ReportFilter(start=START, end=END),
        "team": selectors.ReportFilter(start=START, end=END, team_id=support),
        "agent": selectors.ReportFilter(start=START, end=END, agent_id=ana, compare=False),
        "bh": selectors.ReportFilter(start=START, end=END, business_hours=True),
    }


def report_tables(channel_id: int | None) -> dict[str, Any]:
    """Every report table of a few filters, each restricted to ``channel_id``."""
    out: dict[str, Any] = {}
    for name, base in _filters().items():
        f = dataclasses.replace(base, channel_id=channel_id)
        overview = selectors.overview(f)
        hot = selectors.hot_questions(f)
        for table in (
            tables.overview_table(overview, f.compare),
            tables.agents_table(selectors.agents_table(f)),
            tables.heatmap_table(selectors.volume_heatmap(f)),
            tables.clusters_table(hot["clusters"], f.compare),
            tables.matched_table(hot["matched"], f.compare),
        ):
            out[f"{name}.{table.name}"] = table.rows
        out[f"{name}.daily"] = daily_series(f)
        out[f"{name}.values"] = overview["values"]
    return out


def build_scenario() -> None:
    """The analytics scenario; its hand-made questions (no conversation) are given one, as
    the bot's listener records them."""
    from analytics.models import QuestionFact

    scenario.build()
    first = Conversation.objects.order_by("pk").first()
    assert first is not None
    QuestionFact.objects.filter(conversation_id=None).update(conversation_id=first.pk)
