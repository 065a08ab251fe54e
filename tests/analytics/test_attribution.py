"""Attribution from the start (docs/metrics.md, "Team filter", "Transfers", "Handling time"):
a conversation counts for its team from its first message (routing's decision made up front,
a bot-only conversation included), and a chain of transfers credits each agent and team with
their own part. Hand-built conversations through the real services with a controlled clock;
the incremental ticks and a full rebuild give the same rows."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import services as analytics_services
from analytics import tables
from analytics.models import Fact, MessageCount
from analytics.selectors import ReportFilter, agents_table, overview
from chat.models import Schedule, ScheduleInterval
from tests.factories import (
    T0,
    agent_at,
    assign_at,
    bot_at,
    handover_at,
    make_agent,
    make_team,
    make_visitor,
    shopper_at,
    snapshot,
    status_at,
)

pytestmark = pytest.mark.django_db

MIN = 60
HOUR = 3600
DAY = ReportFilter(start=T0.date(), end=T0.date(), compare=False)


def tick() -> None:
    analytics_services.rollup_tick(lag=dt.timedelta(0))
    analytics_services.histograms_refresh()


def test_the_team_is_known_from_the_first_message_bot_only_included() -> None:
    support = make_team("Support", default=True)
    # Support closes at 08:00 UTC on Mondays; the desk-wide schedule is open all day.
    own = Schedule.objects.create(team=support, timezone="UTC")
    ScheduleInterval.objects.create(schedule=own, weekday=0, opens=dt.time(0), closes=dt.time(8))
    desk = Schedule.objects.create(team=None, timezone="UTC")
    ScheduleInterval.objects.create(schedule=desk, weekday=0, opens=dt.time(0), closes=dt.time(0))
    bot_only = shopper_at(make_visitor(), 0, "where is my parcel")
    assert bot_only.team_id == support.pk
    bot_at(bot_only, 5)
    status_at(make_agent("boss", supervisor=True), bot_only, "resolved", 10 * MIN)
    handed = shopper_at(make_visitor(), MIN, "refund please")
    bot_at(handed, MIN + 5, answers=False)
    shopper_at(handed.visitor, 2 * MIN, "a person please")
    handover_at(handed, 2 * MIN + 1)

    opened = Fact.objects.filter(kind=Fact.Kind.OPENED)
    assert {(f.team_id, f.flag) for f in opened} == {(support.pk, True)}  # 09:00: closed
    assert Fact.objects.get(kind=Fact.Kind.HANDOVER).team_id == support.pk
    assert set(MessageCount.objects.values_list("team_id", flat=True)) == {support.pk}
    tick()
    team = ReportFilter(start=T0.date(), end=T0.date(), team_id=support.pk, compare=False)
    v = overview(team)["values"]
    assert v["conversations"] == 2 and v["shopper_messages"] == 3
    assert v["handover_share"] == 0.5 and v["outside_hours_share"] == 1.0
    assert v["bot_resolved_share"] == 1.0  # the bot-only conversation is Support's


def test_a_transfer_chain_credits_each_agent_with_their_own_part() -> None:
    boss = make_agent("boss", supervisor=True)
    ana, bob, cy = make_agent("ana"), make_agent("bob"), make_agent("cy")
    conv = shopper_at(make_visitor(), 0)
    assign_at(boss, conv, ana, MIN)
    agent_at(ana, conv, 3 * MIN)
    assign_at(boss, conv, bob, 11 * MIN)  # ana held it 10 min
    shopper_at(conv.visitor, 12 * MIN, "still there?")
    agent_at(bob, conv, 16 * MIN)
    assign_at(boss, conv, cy, 26 * MIN)  # bob held it 15 min
    agent_at(cy, conv, 30 * MIN)
    status_at(cy, conv, "resolved", 46 * MIN)  # cy held it 20 min
    shares = [
        (f.agent_id, f.seconds)
        for f in Fact.objects.filter(kind=Fact.Kind.HANDLED).order_by("at", "id")
    ]
    assert shares == [(ana.pk, 600.0), (bob.pk, 900.0), (cy.pk, 1200.0)]
    firsts = [
        (f.agent_id, f.seconds)
        for f in Fact.objects.filter(kind=Fact.Kind.AGENT_FIRST_RESPONSE).order_by("at", "id")
    ]
    # Each from when the shopper started waiting for that agent.
    assert firsts == [(ana.pk, 180.0), (bob.pk, 300.0), (cy.pk, 240.0)]
    tick()
    incremental = snapshot()
    rows = {r["agent_id"]: r for r in agents_table(DAY)}
    got = {
        a.pk: (r["handled"], r["transfers_in"], r["handling_time"], r["resolved"], r["messages"])
        for a, r in ((a, rows[a.pk]) for a in (ana, bob, cy))
    }
    assert got == {
        ana.pk: (1, 0, 600.0, 0, 1),
        bob.pk: (1, 1, 900.0, 0, 1),
        cy.pk: (1, 1, 1200.0, 1, 1),
    }
    # The spans add up to the time the conversation was assigned.
    assert sum(r["handling_time"] for r in rows.values()) == 45 * MIN
    assert overview(DAY)["values"]["conversations"] == 1
    table = tables.agents_table(agents_table(DAY))
    col = [str(c.label) for c in table.columns].index("Handling time")
    assert {r[0]: r[col] for r in table.rows} == {
        "Ana": "10m 00s",
        "Bob": "15m 00s",
        "Cy": "20m 00s",
    }
    analytics_services.rollup_rebuild()
    assert snapshot() == incremental


def test_reopened_while_held_restarts_the_share_and_unassignment_ends_it() -> None:
    boss = make_agent("boss", supervisor=True)
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 0)
    assign_at(boss, conv, ana, 0)
    status_at(ana, conv, "resolved", 5 * MIN)
    shopper_at(conv.visitor, 2 * HOUR, "it broke again")  # reopens, still ana's
    from chat.access import Actor
    from chat.services import conversation_assign
    from tests.factories import at

    with at(2 * HOUR + 7 * MIN):
        conversation_assign(actor=Actor(user=boss), conversation_id=conv.pk, assignee_id=None)
    shares = [f.seconds for f in Fact.objects.filter(kind=Fact.Kind.HANDLED).order_by("at")]
    assert shares == [300.0, 420.0]  # never the two hours it lay resolved
