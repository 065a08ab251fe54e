"""The definitions a shop manager reads (docs/metrics.md): reopened-while-assigned clocks, the
agent filter's figures, resolution by the bot alone, unanswered and still-waiting
conversations, the wait of a take by replying, conversions dated at the order and the shop's
currency. Hand-built conversations through the real services with a controlled clock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from analytics import services as analytics_services
from analytics import tables
from analytics.models import Fact
from analytics.selectors import ReportFilter, agents_table, overview
from tests.factories import (
    T0,
    agent_at,
    assign_at,
    bot_at,
    handover_at,
    make_agent,
    make_visitor,
    shopper_at,
    status_at,
)

pytestmark = pytest.mark.django_db

HOUR = 3600
DAY = ReportFilter(start=T0.date(), end=T0.date(), compare=False)


def tick() -> None:
    analytics_services.rollup_tick(lag=dt.timedelta(0))


def agent_firsts() -> list[tuple[int, float]]:
    return [
        (f.agent_id, f.seconds)
        for f in Fact.objects.filter(kind=Fact.Kind.AGENT_FIRST_RESPONSE).order_by("at", "id")
    ]


def test_reopened_while_assigned_starts_the_agents_clock_at_the_reopening() -> None:
    boss = make_agent("boss", supervisor=True)
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 0)
    assign_at(boss, conv, ana, 10)
    agent_at(ana, conv, 70)
    status_at(ana, conv, "resolved", 600)
    shopper_at(conv.visitor, 2 * HOUR, "it broke again")  # reopens, still ana's
    agent_at(ana, conv, 2 * HOUR + 300)
    assert agent_firsts() == [(ana.pk, 70.0), (ana.pk, 300.0)]
    # The conversation-level first response is once per conversation.
    assert [f.seconds for f in Fact.objects.filter(kind=Fact.Kind.FIRST_RESPONSE)] == [70.0]


def test_take_by_replying_counts_the_whole_wait() -> None:
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 0)
    agent_at(ana, conv, 10 * HOUR)  # takes it by replying, ten hours later
    assert agent_firsts() == [(ana.pk, 10 * HOUR)]
    tick()
    (row,) = agents_table(DAY)
    assert row["first_response_median"] == 10 * HOUR


def test_transfer_and_unassignment_start_the_next_agents_clock() -> None:
    boss = make_agent("boss", supervisor=True)
    ana, bob, cy = make_agent("ana"), make_agent("bob"), make_agent("cy")
    conv = shopper_at(make_visitor(), 0)
    assign_at(boss, conv, ana, 100)
    assign_at(boss, conv, bob, 400)  # a transfer: the shopper now waits for bob
    agent_at(bob, conv, 1000)
    from chat.access import Actor
    from chat.services import conversation_assign
    from tests.factories import at

    with at(1200):
        conversation_assign(actor=Actor(user=boss), conversation_id=conv.pk, assignee_id=None)
    shopper_at(conv.visitor, 1300, "anyone?")
    assign_at(boss, conv, cy, 1500)
    agent_at(cy, conv, 1600)
    # bob: from the transfer; cy: from the unassignment (the shopper waited for whoever
    # would take it next), not from the assignment.
    assert agent_firsts() == [(bob.pk, 600.0), (cy.pk, 400.0)]


def test_agent_filter_shows_shopper_messages_handover_and_outside_hours() -> None:
    from chat.models import Schedule, ScheduleInterval

    schedule = Schedule.objects.create(team=None, timezone="UTC")
    for weekday in range(5):
        ScheduleInterval.objects.create(
            schedule=schedule, weekday=weekday, opens=dt.time(9), closes=dt.time(17)
        )
    boss = make_agent("boss", supervisor=True)
    ana, bob = make_agent("ana"), make_agent("bob")
    # ana: a bot conversation handed over, in hours; bob: one arriving at 18:00 (outside).
    c1 = shopper_at(make_visitor(), 0, "where is my parcel")
    bot_at(c1, 5, answers=False)
    shopper_at(c1.visitor, 60, "a person please")
    handover_at(c1, 61)
    assign_at(boss, c1, ana, 90)
    shopper_at(c1.visitor, 100, "hello?")
    agent_at(ana, c1, 200)
    c2 = shopper_at(make_visitor(), 9 * HOUR)
    assign_at(boss, c2, bob, 9 * HOUR + 60)
    agent_at(bob, c2, 9 * HOUR + 120)
    tick()
    for agent, messages, handover, outside in ((ana, 1, 1.0, 0.0), (bob, 0, 0.0, 1.0)):
        f = ReportFilter(start=T0.date(), end=T0.date(), agent_id=agent.pk, compare=False)
        v = overview(f)["values"]
        assert v["conversations"] == 1
        # Shopper messages while the conversation was the agent's (before: nobody's).
        assert v["shopper_messages"] == messages
        assert v["handover_share"] == handover
        assert v["outside_hours_share"] == outside
    v = overview(DAY)["values"]
    assert v["shopper_messages"] == 4 and v["handover_share"] == 0.5
    assert v["outside_hours_share"] == 0.5


def test_bot_resolves_only_with_the_last_word_and_no_person_asked_for() -> None:
    ana = make_agent("ana")

    def cycle(*steps: str) -> None:
        conv = shopper_at(make_visitor(), 0, "opening hours?")
        t = 1
        for step in steps:
            if step == "answer":
                bot_at(conv, t)
            elif step == "not_sure":
                bot_at(conv, t, "I'm not sure I understood", answers=False)
            elif step == "shopper":
                shopper_at(conv.visitor, t, "and on Sunday?")
            elif step == "handover":
                handover_at(conv, t)
            elif step == "person":
                agent_at(ana, conv, t)
            t += 10
        status_at(ana, conv, "resolved", 600)

    cycle("answer")  # bot alone
    cycle("not_sure")  # the bot asked again: unanswered
    cycle("answer", "shopper")  # the shopper wrote after the answer: unanswered
    cycle("answer", "shopper", "answer")  # answered again, last word: bot alone
    cycle("answer", "handover")  # asked for a person, nobody came: unanswered
    cycle("answer", "person")  # a person replied
    resolved = list(Fact.objects.filter(kind=Fact.Kind.RESOLVED).order_by("conversation_id"))
    assert [(f.flag, f.value) for f in resolved] == [
        (True, None),
        (False, 1),
        (False, 1),
        (True, None),
        (False, 1),
        (False, None),
    ]
    tick()
    v = overview(DAY)["values"]
    assert v["resolved"] == 6
    assert v["bot_resolved_share"] == pytest.approx(2 / 6)
    assert v["unanswered"] == 3


def test_still_waiting_counts_conversations_nobody_answered_yet() -> None:
    boss = make_agent("boss", supervisor=True)
    ana = make_agent("ana")
    waiting = shopper_at(make_visitor(), 0)
    assign_at(boss, waiting, ana, 30)
    answered = shopper_at(make_visitor(), 10)
    agent_at(ana, answered, 20)
    closed = shopper_at(make_visitor(), 40)
    status_at(boss, closed, "resolved", 50)
    bot_only = shopper_at(make_visitor(), 60)
    bot_at(bot_only, 61)
    tick()
    v = overview(DAY)["values"]
    assert v["still_waiting"] == 1
    assert v["unanswered"] == 1  # closed: resolved with no reply
    mine = ReportFilter(start=T0.date(), end=T0.date(), agent_id=ana.pk, compare=False)
    assert overview(mine)["values"]["still_waiting"] == 1
    agent_at(ana, waiting, 500)
    assert overview(DAY)["values"]["still_waiting"] == 0
    rows = tables.overview_table(overview(DAY), False).rows
    labels = [r[0] for r in rows]
    assert (
        labels.index("Still waiting for a first reply")
        == labels.index("First response within 3 minutes") + 2
    )


def test_agents_table_shows_unanswered_and_still_waiting_beside_response_times() -> None:
    boss = make_agent("boss", supervisor=True)
    ana, bob = make_agent("ana"), make_agent("bob")
    closed = shopper_at(make_visitor(), 0)
    assign_at(boss, closed, ana, 10)
    status_at(boss, closed, "resolved", 50)  # ana held it; nobody replied
    waiting = shopper_at(make_visitor(), 100)
    assign_at(boss, waiting, ana, 110)  # ana holds it; the shopper still waits
    other = shopper_at(make_visitor(), 200)
    assign_at(boss, other, bob, 210)
    agent_at(bob, other, 260)
    status_at(bob, other, "resolved", 300)
    tick()
    rows = {r["agent_id"]: r for r in agents_table(DAY)}
    assert (rows[ana.pk]["unanswered"], rows[ana.pk]["still_waiting"]) == (1, 1)
    assert (rows[bob.pk]["unanswered"], rows[bob.pk]["still_waiting"]) == (0, 0)
    agent_at(ana, waiting, 400)
    assert {r["agent_id"]: r["still_waiting"] for r in agents_table(DAY)}[ana.pk] == 0
    table = tables.agents_table(agents_table(DAY))
    labels = [str(c.label) for c in table.columns]
    assert labels.index("Resolved without a reply") == labels.index("First response p90") + 1
    assert labels.index("Still waiting for a first reply") == labels.index("First response p90") + 2
    ana_row = next(r for r in table.rows if r[0] == "Ana")
    assert ana_row[labels.index("Resolved without a reply")] == "1"


def test_conversion_one_credit_per_order_dated_at_the_order_rate_per_conversation(
    settings,
) -> None:
    from orders.models import Customer
    from orders.services.orders import orders_upsert
    from tests.factories import at

    settings.REPORTS = {"CURRENCY": "CNY", "TIME_ZONE": "UTC"}
    boss = make_agent("boss", supervisor=True)
    ana, bob = make_agent("ana"), make_agent("bob")
    customer = Customer.objects.create(external_id="c-1", name="Lin")
    visitor = make_visitor(customer=customer)
    older = shopper_at(visitor, 0)
    assign_at(boss, older, bob, 10)
    agent_at(bob, older, 20)
    status_at(bob, older, "resolved", 100)
    visitor2 = make_visitor(customer=customer)
    latest = shopper_at(visitor2, HOUR)
    assign_at(boss, latest, ana, HOUR + 10)
    agent_at(ana, latest, HOUR + 20)
    assign_at(boss, latest, bob, HOUR + 30)  # transferred away…
    assign_at(boss, latest, ana, HOUR + 40)  # …and back: still one conversation for ana
    with at(2 * DAY_SECONDS):
        orders_upsert(
            orders=[
                {
                    "external_id": "o-1",
                    "customer": "c-1",
                    "status": "paid",
                    "placed_at": T0 + dt.timedelta(hours=3),
                    "total": Decimal("99.90"),
                }
            ]
        )
        tick()
    credits = list(Fact.objects.filter(kind__in=[12, 13]).order_by("kind"))
    # One order, one conversation credited (the latest), in each window it falls in.
    assert {f.conversation_id for f in credits} == {latest.pk}
    assert [(f.kind, f.at, f.agent_id) for f in credits] == [
        (Fact.Kind.CONVERSION_24H, T0 + dt.timedelta(hours=3), ana.pk),
        (Fact.Kind.CONVERSION_7D, T0 + dt.timedelta(hours=3), ana.pk),
    ]
    rows = {r["agent_id"]: r for r in agents_table(DAY)}
    assert rows[ana.pk]["handled"] == 2  # two assignments…
    assert rows[ana.pk]["conversion_24h"] == 1.0  # …of one conversation, which converted
    assert rows[bob.pk]["conversion_24h"] == 0.0
    table = tables.agents_table(agents_table(DAY))
    labels = [str(c.label) for c in table.columns]
    assert "Order value 24 h (CNY)" in labels and "Order value 7 d (CNY)" in labels


DAY_SECONDS = 24 * HOUR
