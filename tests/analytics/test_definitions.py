"""Each metric of docs/metrics.md pinned on hand-built conversations with known timestamps."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics import services as analytics_services
from analytics.models import DailyRollup, Fact, HourlyRollup
from analytics.selectors import ReportFilter, agents_table, overview
from tests.factories import (
    T0,
    agent_at,
    assign_at,
    bot_at,
    csat_at,
    handover_at,
    make_agent,
    make_visitor,
    shopper_at,
    status_at,
)

pytestmark = pytest.mark.django_db

DAY = ReportFilter(start=T0.date(), end=T0.date(), compare=False)


def facts(kind: int, conversation=None) -> list[Fact]:
    qs = Fact.objects.filter(kind=kind).order_by("at", "id")
    if conversation is not None:
        qs = qs.filter(conversation_id=conversation.pk)
    return list(qs)


def seconds(kind: int, conversation=None) -> list[float]:
    return [f.seconds for f in facts(kind, conversation)]


def values() -> dict:
    analytics_services.rollup_tick(lag=dt.timedelta(0))
    return overview(DAY)["values"]


def test_bot_then_human_first_response_starts_at_handover() -> None:
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 0, "where is my order")
    bot_at(conv, 5)  # bot replies never count as a response
    shopper_at(conv.visitor, 60, "I want a person")
    handover_at(conv, 61)
    agent_at(ana, conv, 241)

    assert seconds(Fact.Kind.FIRST_RESPONSE) == [180.0]
    # The wait for a person starts at the hand-over, not at the shopper's first message.
    assert seconds(Fact.Kind.REPLY_WAIT) == [180.0]
    # Taking the conversation by replying: the shopper waited for a person since the
    # hand-over, so the agent's first response measures that wait too.
    assert seconds(Fact.Kind.AGENT_FIRST_RESPONSE) == [180.0]
    v = values()
    assert v["conversations"] == 1
    assert v["handover_share"] == 1.0
    assert v["first_response_median"] == 180.0
    assert v["within_3m_share"] == 1.0
    assert v["shopper_messages"] == 2
    row = DailyRollup.objects.get(agent_id=0, team_id=0)
    assert row.msg_bot == 1 and row.msg_visitor == 2


def test_bot_reply_alone_is_no_first_response() -> None:
    make_agent("ana")
    conv = shopper_at(make_visitor(), 0, "opening hours?")
    bot_at(conv, 2)
    assert facts(Fact.Kind.FIRST_RESPONSE) == []
    assert facts(Fact.Kind.REPLY_WAIT) == []
    v = values()
    assert v["first_response_median"] is None and v["first_response_count"] == 0


def test_no_human_reply() -> None:
    shopper_at(make_visitor(), 0, "hello?")
    v = values()
    assert v["conversations"] == 1
    assert v["first_response_count"] == 0
    assert v["first_response_median"] is None and v["reply_wait_mean"] is None
    assert v["within_3m_share"] is None


def test_assignment_then_reply_agent_level_starts_when_the_shopper_started_waiting() -> None:
    boss = make_agent("boss", supervisor=True)
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 0)
    assign_at(boss, conv, ana, 30)
    agent_at(ana, conv, 90)
    assert seconds(Fact.Kind.FIRST_RESPONSE) == [90.0]
    # Nobody held it before ana: the shopper waited for her from the start.
    assert seconds(Fact.Kind.AGENT_FIRST_RESPONSE) == [90.0]
    assert seconds(Fact.Kind.REPLY_WAIT) == [90.0]


def test_transfer() -> None:
    boss = make_agent("boss", supervisor=True)
    ana, bob = make_agent("ana"), make_agent("bob")
    conv = shopper_at(make_visitor(), 0)
    assign_at(boss, conv, ana, 0)
    agent_at(ana, conv, 60)
    shopper_at(conv.visitor, 120, "and the refund?")
    assign_at(boss, conv, bob, 200)
    agent_at(bob, conv, 500)

    assert seconds(Fact.Kind.FIRST_RESPONSE) == [60.0]  # once per conversation
    assert [(f.agent_id, f.seconds) for f in facts(Fact.Kind.AGENT_FIRST_RESPONSE)] == [
        (ana.pk, 60.0),
        (bob.pk, 300.0),  # from the transfer to bob's reply
    ]
    assert [(f.agent_id, f.seconds) for f in facts(Fact.Kind.REPLY_WAIT)] == [
        (ana.pk, 60.0),
        (bob.pk, 380.0),  # from the first unanswered shopper message
    ]
    assigned = facts(Fact.Kind.ASSIGNED)
    assert [(f.agent_id, f.flag) for f in assigned] == [(ana.pk, False), (bob.pk, True)]
    analytics_services.rollup_tick(lag=dt.timedelta(0))
    rows = {r["agent_id"]: r for r in agents_table(DAY)}
    assert rows[bob.pk]["transfers_in"] == 1
    assert rows[bob.pk]["first_response_median"] == 300.0
    assert rows[ana.pk]["handled"] == 1
    # ana had it open, then it moved to bob: each held one at their peak.
    assert rows[ana.pk]["concurrent_peak"] == 1 and rows[bob.pk]["concurrent_peak"] == 1


def test_reopen_resolution_per_care_cycle() -> None:
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 0)
    agent_at(ana, conv, 60)
    status_at(ana, conv, "resolved", 600)
    shopper_at(conv.visitor, 3600, "it broke again")  # reopens: cycle 2 starts
    agent_at(ana, conv, 3700)
    status_at(ana, conv, "resolved", 4000)

    resolved = facts(Fact.Kind.RESOLVED)
    assert [(f.cycle, f.seconds) for f in resolved] == [(1, 600.0), (2, 400.0)]
    assert seconds(Fact.Kind.FIRST_RESPONSE) == [60.0]  # the reopen is no new first response
    assert seconds(Fact.Kind.REPLY_WAIT) == [60.0, 100.0]
    v = values()
    assert v["resolution_median"] == 500.0
    assert v["resolution_mean"] == 500.0
    assert v["resolved"] == 2
    assert v["conversations"] == 1


def test_reply_wait_starts_at_first_unanswered_message() -> None:
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 0)
    agent_at(ana, conv, 10)
    shopper_at(conv.visitor, 100, "one")
    shopper_at(conv.visitor, 150, "two")  # still the same wait
    agent_at(ana, conv, 400)
    agent_at(ana, conv, 410)  # nothing was waiting
    assert seconds(Fact.Kind.REPLY_WAIT) == [10.0, 300.0]
    v = values()
    assert v["reply_wait_median"] == 155.0
    assert v["reply_wait_p90"] == pytest.approx(10 + 0.9 * 290)


def test_private_notes_are_no_reply() -> None:
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 0)
    from tests.factories import agent_says, at

    with at(30):
        agent_says(ana, conv, "internal", private=True)
    assert facts(Fact.Kind.FIRST_RESPONSE) == []
    assert DailyRollup.objects.count() == 0
    analytics_services.rollup_tick(lag=dt.timedelta(0))
    row = DailyRollup.objects.get(agent_id=ana.pk, team_id=0)
    assert row.msg_notes == 1 and row.msg_agent == 0


def test_bot_resolved_share() -> None:
    ana = make_agent("ana")
    c1 = shopper_at(make_visitor(), 0, "opening hours?")
    bot_at(c1, 3)
    status_at(ana, c1, "resolved", 300)
    c2 = shopper_at(make_visitor(), 10, "broken")
    agent_at(ana, c2, 20)
    status_at(ana, c2, "resolved", 400)
    v = values()
    assert v["bot_resolved_share"] == 0.5


def test_csat_average_and_distribution() -> None:
    ana = make_agent("ana")
    for i, score in enumerate([5, 4, 1]):
        conv = shopper_at(make_visitor(), i)
        agent_at(ana, conv, 30 + i)
        csat_at(conv, score, 100 + i)
    v = values()
    assert v["csat_average"] == pytest.approx(10 / 3)
    assert v["csat_distribution"] == [1, 0, 0, 1, 1]
    rows = {r["agent_id"]: r for r in agents_table(DAY)}
    assert rows[ana.pk]["csat_count"] == 3


def test_conversation_counts_for_the_team_routing_gives_it() -> None:
    from chat.models import Conversation, Team

    boss = make_agent("boss", supervisor=True)
    ana = make_agent("ana")
    team = Team.objects.create(name="Support")
    conv = shopper_at(make_visitor(), 0)
    Conversation.objects.filter(pk=conv.pk).update(team=team)  # routing's choice
    assign_at(boss, conv, ana, 20)
    (opened,) = facts(Fact.Kind.OPENED)
    assert opened.team_id == team.pk and opened.at == T0
    analytics_services.rollup_tick(lag=dt.timedelta(0))
    in_team = ReportFilter(start=T0.date(), end=T0.date(), team_id=team.pk, compare=False)
    assert overview(in_team)["values"]["conversations"] == 1
    assert HourlyRollup.objects.filter(team_id=0, conversations__gt=0).count() == 0
