"""Run in the embedded environment (SQLite) after migrate + demo_data: every report page,
each table's CSV, a ranged rebuild and a tick must work and show numbers. Prints a JSON
summary; exits non-zero on the first failure. Used by test_embedded_reports.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import sys

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

PAGES = {
    "overview": ("/admin/reports/", ["overview", "daily"]),
    "questions": ("/admin/reports/questions/", ["clusters", "matched"]),
    "volume": ("/admin/reports/volume/", ["volume"]),
    "agents": ("/admin/reports/agents/", ["agents"]),
}


def numbers(rows: list[list[str]]) -> int:
    """How many cells hold a non-zero number."""
    count = 0
    for row in rows:
        for cell in row:
            digits = re.sub(r"[^\d.]", "", cell)
            if digits.strip(".") and float(digits.strip(".") or 0) > 0:
                count += 1
    return count


def check_totals() -> None:
    """The SQLite rollups hold what the facts say: every slice sums to the facts' counts."""
    from django.db.models import Sum

    from analytics.models import (
        ALL,
        DailyRollup,
        DurationHistogram,
        Fact,
        HourlyRollup,
        MessageCount,
        QuestionDaily,
        QuestionFact,
    )

    opened = Fact.objects.filter(kind=Fact.Kind.OPENED).count()
    visitor = MessageCount.objects.filter(sender=Fact.Sender.VISITOR, private=False).aggregate(
        n=Sum("count")
    )["n"]
    durations = Fact.objects.filter(kind__in=[6, 7, 8, 9], seconds__isnull=False).count()
    assert opened > 0 and visitor > 0 and durations > 0
    for team, agent in ((ALL, ALL), (ALL, None), (None, ALL)):
        for model in (HourlyRollup, DailyRollup):
            rows = model.objects.all()
            rows = rows.filter(team_id=team) if team else rows.exclude(team_id=ALL)
            rows = rows.filter(agent_id=agent) if agent else rows.exclude(agent_id=ALL)
            assert rows.aggregate(c=Sum("conversations"))["c"] == opened, (model, team, agent)
        sums = rows.aggregate(m=Sum("msg_visitor"))
        assert sums["m"] == visitor, (team, agent, sums)
    histogram = DurationHistogram.objects.filter(team_id=ALL, business_hours=False)
    assert histogram.aggregate(n=Sum("count"))["n"] == durations
    questions = QuestionDaily.objects.filter(team_id=ALL).aggregate(n=Sum("count"))["n"]
    assert questions == QuestionFact.objects.count(), questions


def main() -> None:
    assert connection.vendor == "sqlite", connection.vendor
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    from analytics.services import rollup_rebuild, rollup_tick

    client = Client()
    # The login throttle (django-axes) wants the request the credentials came with.
    request = RequestFactory().post("/accounts/login/")
    admin = authenticate(request, username="admin", password="admin")
    assert admin is not None, "admin/admin login failed"
    client.force_login(admin)
    summary: dict[str, object] = {}
    end = timezone.now().date()
    ranges = {
        "default": "",
        "14d": f"?start={end - dt.timedelta(days=13)}&end={end}",
        "bh": f"?start={end - dt.timedelta(days=13)}&end={end}&bh=1",
    }
    for page, (url, tables) in PAGES.items():
        for label, query in ranges.items():
            response = client.get(url + query)
            assert response.status_code == 200, (page, label, response.status_code)
            for table in tables:
                sep = "&" if query else "?"
                got = client.get(f"{url}{query}{sep}format=csv&table={table}")
                assert got.status_code == 200, (page, table, got.status_code)
                assert got["Content-Type"].startswith("text/csv"), got["Content-Type"]
                rows = list(csv.reader(io.StringIO(got.content.decode())))
                assert len(rows) > 1, (page, table, "no rows")
                summary[f"{page}.{table}.{label}"] = numbers(rows[1:])
    check_totals()
    # No beat in the embedded default: a page view rolls up what happened since.
    from analytics.models import Fact

    def conversations() -> int:
        got = client.get("/admin/reports/?format=csv&table=overview&compare=0")
        rows = list(csv.reader(io.StringIO(got.content.decode())))
        return int(rows[1][1].replace(",", ""))

    seen = conversations()
    Fact.objects.create(kind=Fact.Kind.OPENED, at=timezone.now())
    assert conversations() == seen + 1, seen
    result = rollup_rebuild(start=timezone.now() - dt.timedelta(days=2), end=None)
    assert result.hours > 0, result
    tick = rollup_tick()
    # The admin's rebuild (an eager Celery task here): a past week, then everything.
    for form in (
        {"start": str(end - dt.timedelta(days=7)), "end": str(end)},
        {"start": "", "end": ""},
    ):
        page = client.post("/admin/reports/rebuild/", form)
        assert page.status_code == 302, (form, page.status_code)
    check_totals()
    summary["ranged_rebuild_hours"] = result.hours
    summary["tick_hours"] = tick.hours
    # A rebuilt range gives the same page as before.
    after = client.get("/admin/reports/?format=csv&table=daily")
    summary["daily_after_rebuild"] = numbers(list(csv.reader(io.StringIO(after.content.decode()))))
    print(json.dumps(summary))


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"FAILED: {error!r}", file=sys.stderr)
        raise
