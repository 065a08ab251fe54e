"""One day-and-a-half of hand-built desk traffic through the real chat services, and a dump
of everything the reports derive from it, with every id replaced by a name.

Run on PostgreSQL inside the test process and on SQLite (the embedded default) in a
subprocess (``dialect_run.py``): the two dumps must be equal (``test_dialects.py``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import translation

from analytics import selectors, services, tables
from analytics.models import (
    DailyRollup,
    DurationHistogram,
    Fact,
    HourlyRollup,
    MessageCount,
    QuestionDaily,
    QuestionFact,
)
from tests.factories import (
    T0,
    agent_at,
    agent_says,
    assign_at,
    at,
    bot_at,
    csat_at,
    handover_at,
    make_agent,
    make_visitor,
    shopper_at,
    status_at,
)

NO_LAG = dt.timedelta(0)
HOUR = 3600
DAY = 24 * HOUR


def build() -> None:
    """The traffic, rolled up by a tick after each stage."""
    from chat.models import Schedule, ScheduleInterval, Team
    from orders.models import Customer
    from orders.services.orders import orders_upsert

    support = Team.objects.create(name="Support")
    schedule = Schedule.objects.create(team=support, timezone="Europe/Berlin")
    for weekday in range(5):
        ScheduleInterval.objects.create(
            schedule=schedule, weekday=weekday, opens=dt.time(9), closes=dt.time(17)
        )
    boss = make_agent("boss", supervisor=True)
    ana, bob = make_agent("ana"), make_agent("bob")
    customer = Customer.objects.create(external_id="c-1", name="Lin")

    # Bot, hand-over, a person; resolved and rated.
    c1 = shopper_at(make_visitor(customer=customer), 0, "where is my parcel")
    bot_at(c1, 5)
    shopper_at(c1.visitor, 60, "a person please")
    handover_at(c1, 61)
    assign_at(boss, c1, ana, 90)
    agent_at(ana, c1, 240)
    status_at(ana, c1, "resolved", 900)
    csat_at(c1, 4, 1000)
    services.rollup_tick(lag=NO_LAG)

    # A transfer, a note, a reopen the next day.
    from chat.models import Conversation

    c2 = shopper_at(make_visitor(), 2 * HOUR, "refund?")
    Conversation.objects.filter(pk=c2.pk).update(team=support)
    assign_at(boss, c2, ana, 2 * HOUR + 30)
    agent_at(ana, c2, 2 * HOUR + 200)
    shopper_at(c2.visitor, 2 * HOUR + 400, "and the label?")
    assign_at(boss, c2, bob, 2 * HOUR + 500)
    with at(2 * HOUR + 520):
        agent_says(bob, c2, "checking", private=True)
    agent_at(bob, c2, 2 * HOUR + 900)
    status_at(bob, c2, "resolved", 3 * HOUR)
    csat_at(c2, 2, 3 * HOUR + 60)
    shopper_at(c2.visitor, DAY + 3600, "it broke again")
    agent_at(bob, c2, DAY + 4000)
    status_at(bob, c2, "resolved", DAY + 5000)
    services.rollup_tick(lag=NO_LAG)

    # Nobody answers; the bot alone; late at night.
    shopper_at(make_visitor(), 14 * HOUR, "hello?")
    c4 = shopper_at(make_visitor(), 15 * HOUR, "opening hours?")
    bot_at(c4, 15 * HOUR + 3)
    status_at(boss, c4, "resolved", 15 * HOUR + 600)
    with at(20 * HOUR):
        for n, text in enumerate(["do you ship to Mars", "shipping to mars?", "退货要多久"]):
            QuestionFact.objects.create(
                at=T0 + dt.timedelta(hours=20, minutes=n),
                text=text,
                topic_key=_key(text),
                team_id=support.pk if n else None,
            )
        QuestionFact.objects.create(at=T0 + dt.timedelta(hours=20), text="how long", kb_entry_id=7)
    with at(DAY + 2 * HOUR):
        orders_upsert(
            orders=[
                {
                    "external_id": "o-1",
                    "customer": "c-1",
                    "status": "paid",
                    "placed_at": T0 + dt.timedelta(hours=5),
                    "total": Decimal("80.50"),
                }
            ]
        )
    services.rollup_tick(lag=NO_LAG)
    services.histograms_refresh()


def _key(text: str) -> str:
    from analytics.questions import topic_key

    return topic_key(text)


def _names() -> tuple[dict[Any, str], dict[Any, str], dict[Any, str]]:
    """Users, teams and conversations by id, as names (ids differ between databases)."""
    from django.contrib.auth.models import User

    from chat.models import Conversation, Team

    users = {u.pk: u.username for u in User.objects.all()}
    teams = {t.pk: t.name for t in Team.objects.all()}
    conversations = {
        pk: f"c{n}"
        for n, pk in enumerate(
            Conversation.objects.order_by("created_at", "pk").values_list("pk", flat=True)
        )
    }
    return users, teams, conversations


def _plain(value: Any) -> Any:
    """A JSON-comparable value: floats rounded (the engines sum in different orders)."""
    if isinstance(value, float):
        return round(value, 6)
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def dump() -> dict[str, Any]:
    """Every fact, counter and rollup row, and every report table for several filters."""
    users, teams, conversations = _names()

    def team(pk: Any) -> Any:
        return teams.get(pk, pk)

    def user(pk: Any) -> Any:
        return users.get(pk, pk)

    out: dict[str, Any] = {}
    out["facts"] = sorted(
        (
            _plain(
                [
                    f.kind,
                    f.at,
                    conversations.get(f.conversation_id),
                    team(f.team_id),
                    user(f.agent_id),
                    f.cycle,
                    f.seconds,
                    f.bh_seconds,
                    f.value if f.kind in (5, 10) else None,
                    f.amount,
                    f.flag,
                ]
            )
            for f in Fact.objects.all()
        ),
        key=repr,
    )
    out["messages"] = sorted(
        (
            _plain(
                [
                    m.hour,
                    conversations.get(m.conversation_id),
                    team(m.team_id),
                    user(m.agent_id),
                    m.sender,
                    m.private,
                    m.count,
                ]
            )
            for m in MessageCount.objects.all()
        ),
        key=repr,
    )
    for model in (HourlyRollup, DailyRollup, DurationHistogram, QuestionDaily):
        fields = [f.attname for f in model._meta.fields if f.attname not in ("id",)]
        rows = []
        for row in model.objects.values(*fields):
            row["team_id"] = team(row["team_id"])
            if "agent_id" in row:
                row["agent_id"] = user(row["agent_id"])
            rows.append(_plain([row[k] for k in fields]))
        out[model.__name__] = sorted(rows, key=repr)
    # In English whatever language an earlier test left active (the SQLite run is English).
    with translation.override("en"):
        out["tables"] = report_tables()
    return out


def report_tables() -> dict[str, Any]:
    """The cells of every report table (what the page and the CSV show) for a few filters."""
    from django.contrib.auth.models import User

    from chat.models import Team

    support = Team.objects.get(name="Support").pk
    ana = User.objects.get(username="ana").pk
    start, end = T0.date(), T0.date() + dt.timedelta(days=1)
    filters = {
        "all": selectors.ReportFilter(start=start, end=end),
        "team": selectors.ReportFilter(start=start, end=end, team_id=support),
        "agent": selectors.ReportFilter(start=start, end=end, agent_id=ana, compare=False),
        "bh": selectors.ReportFilter(start=start, end=end, business_hours=True),
    }
    out: dict[str, Any] = {}
    for name, f in filters.items():
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
    return out
