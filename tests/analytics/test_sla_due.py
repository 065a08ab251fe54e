"""Each conversation's next SLA due moment (``ConversationTrack.sla_due_at``, docs/metrics.md
"SLA"): kept by every event that moves a clock, read by the SLA tick with one indexed range
query instead of every open conversation's clocks, refreshed for every open conversation
when the policies or the business hours change; and the first-response clock paused too under a policy that says
so. Hand-built conversations through the real services with a controlled clock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.models import ConversationTrack, SlaOutcome, SlaPolicy
from analytics.sla import running_clocks, sla_tick
from analytics.sla.due import catch_up, due_stale
from chat.models import Conversation, Holiday, Schedule, ScheduleInterval
from chat.priority.services import priority_change
from chat.routing import business_hours
from tests.factories import (
    T0,
    agent_at,
    assign_at,
    at,
    make_agent,
    make_visitor,
    shopper_at,
    status_at,
)

pytestmark = pytest.mark.django_db

MIN = 60
HOUR = 3600
Clock = SlaOutcome.Clock


def T(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def due(conversation: Conversation) -> dt.datetime | None:
    return ConversationTrack.objects.get(pk=conversation.pk).sla_due_at


def tick(seconds: float) -> dict:
    with at(seconds):
        return sla_tick(lag=dt.timedelta(0))


def outcomes() -> list[tuple[int, int, bool]]:
    return [
        (o.conversation_id, o.clock, o.breached)
        for o in SlaOutcome.objects.order_by("conversation_id", "clock", "key")
    ]


def test_the_due_moment_follows_every_event_that_moves_a_clock() -> None:
    """Wall clock: first response 5 min, next response 10 min, resolution 60 min; an urgent
    conversation's first response 1 min."""
    SlaPolicy.objects.create(
        name="Chat",
        first_response_minutes=5,
        next_response_minutes=10,
        resolution_minutes=60,
        business_hours=False,
    )
    SlaPolicy.objects.create(
        name="Urgent", priority=4, first_response_minutes=1, business_hours=False
    )
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 0)
    assert due(conv) == T(5 * MIN)  # waiting for a first response
    agent_at(ana, conv, 2 * MIN)
    assert due(conv) == T(60 * MIN)  # answered: the resolution is next
    shopper_at(conv.visitor, 10 * MIN, "and the invoice?")
    assert due(conv) == T(20 * MIN)  # waiting again: next response
    status_at(ana, conv, "pending", 12 * MIN)
    assert due(conv) is None  # paused: nothing runs
    status_at(ana, conv, "open", 30 * MIN)
    # 2 of the next response's 10 minutes ran before the pause: 8 are left.
    assert due(conv) == T(38 * MIN)
    agent_at(ana, conv, 35 * MIN)
    assert due(conv) == T(78 * MIN)  # the resolution: 12 minutes ran before the pause
    status_at(ana, conv, "resolved", 40 * MIN)
    assert due(conv) is None
    urgent = shopper_at(make_visitor(), HOUR)
    assert due(urgent) == T(HOUR + 5 * MIN)
    with at(HOUR + 10):
        priority_change(conversation=urgent, priority=4, by=ana)
    assert due(urgent) == T(HOUR + MIN)  # another priority, another policy


def test_the_tick_reads_only_the_conversations_whose_moment_has_come() -> None:
    SlaPolicy.objects.create(name="Chat", first_response_minutes=5, business_hours=False)
    ana = make_agent("ana")
    late = shopper_at(make_visitor(), 0)
    answered = shopper_at(make_visitor(), 0)
    agent_at(ana, answered, MIN)
    later = shopper_at(make_visitor(), 10 * MIN)
    tick(2 * MIN)  # the first tick refreshes every open conversation once (the catch-up)
    assert [due(c) for c in (late, answered, later)] == [T(5 * MIN), None, T(15 * MIN)]
    with CaptureQueriesContext(connection) as queries, at(6 * MIN):
        sla_tick(lag=dt.timedelta(0))
    sqls = [q["sql"] for q in queries.captured_queries]
    assert any("sla_due_at" in s and "analytics_conversationtrack" in s for s in sqls)
    # Every read of the conversations is by id: no scan of every open conversation.
    reads = [s for s in sqls if 'FROM "chat_conversation"' in s]
    assert reads and all('"chat_conversation"."id" IN' in s for s in reads), reads
    assert outcomes() == [
        (late.pk, Clock.FIRST_RESPONSE, True),
        (answered.pk, Clock.FIRST_RESPONSE, False),
    ]
    # The breached clock is judged: late has no other clock, so no due moment left.
    assert [due(c) for c in (late, answered, later)] == [None, None, T(15 * MIN)]
    tick(7 * MIN)
    assert len(outcomes()) == 2


def test_a_policy_change_refreshes_every_open_conversation() -> None:
    ana = make_agent("ana")
    convs = [shopper_at(make_visitor(), n) for n in range(3)]
    done = shopper_at(make_visitor(), 0)
    status_at(ana, done, "resolved", MIN)
    tick(MIN)  # no policy: nothing is due
    assert [due(c) for c in convs] == [None, None, None]
    with at(2 * MIN):
        SlaPolicy.objects.create(name="Chat", first_response_minutes=5, business_hours=False)
    # Refreshed in batches from the next tick on, by conversation id.
    assert catch_up(batch=2) == 2
    assert [due(c) for c in convs] == [T(5 * MIN), T(5 * MIN + 1), None]
    tick(6 * MIN)
    assert outcomes() == [(c.pk, Clock.FIRST_RESPONSE, True) for c in convs]
    assert due(done) is None
    later = shopper_at(make_visitor(), 7 * MIN)
    assert due(later) == T(12 * MIN)
    SlaPolicy.objects.all().delete()
    tick(8 * MIN)  # no policy left: every due moment is cleared
    assert due(later) is None


def test_the_first_response_pauses_too_when_the_policy_says_so() -> None:
    """First response 30 min on the wall clock. ``paused`` is under a policy whose first
    response pauses: marked pending 2 minutes in, opened again 4 hours later, answered 20
    minutes after that: 22 running minutes, met. Without the setting (the channel's other
    conversations) the same conversation breaches at 30 minutes."""
    SlaPolicy.objects.create(
        name="Pauses", first_response_minutes=30, business_hours=False, pause_first_response=True
    )
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 0)
    assign_at(ana, conv, ana, MIN)
    status_at(ana, conv, "pending", 2 * MIN)
    assert due(conv) is None
    tick(3 * HOUR)
    assert outcomes() == []  # paused: not breached
    with at(3 * HOUR):
        assert running_clocks([conv.pk]) == []
    status_at(ana, conv, "open", 4 * HOUR)
    assert due(conv) == T(4 * HOUR + 28 * MIN)
    with at(4 * HOUR + MIN):
        (clock,) = running_clocks([conv.pk])
    assert (clock.clock, clock.due_at) == (Clock.FIRST_RESPONSE, T(4 * HOUR + 28 * MIN))
    agent_at(ana, conv, 4 * HOUR + 20 * MIN)
    tick(4 * HOUR + 21 * MIN)
    (outcome,) = SlaOutcome.objects.all()
    assert (outcome.clock, outcome.breached, outcome.due_at) == (
        Clock.FIRST_RESPONSE,
        False,
        T(4 * HOUR + 28 * MIN),
    )
    # The same story under a policy without the setting: breached 30 minutes in.
    SlaPolicy.objects.update(pause_first_response=False)
    SlaPolicy.objects.first().save()  # a save: every process reloads the policies
    other = shopper_at(make_visitor(), 5 * HOUR)
    assign_at(ana, other, ana, 5 * HOUR + MIN)
    status_at(ana, other, "pending", 5 * HOUR + 2 * MIN)
    tick(6 * HOUR)
    assert (other.pk, Clock.FIRST_RESPONSE, True) in outcomes()


def _office_hours() -> ScheduleInterval:
    """Mon–Fri 09:00–17:00 UTC, desk-wide; returns Monday's interval."""
    schedule = Schedule.objects.create(team=None, timezone="UTC")
    for weekday in range(5):
        ScheduleInterval.objects.create(
            schedule=schedule, weekday=weekday, opens=dt.time(9), closes=dt.time(17)
        )
    return ScheduleInterval.objects.get(schedule=schedule, weekday=0)


def test_a_change_of_business_hours_or_of_a_target_moves_the_due_moments() -> None:
    """First response 60 business minutes. Asked Monday 16:30 (T0 is Monday 09:00 UTC): 30
    minutes left that day, due Tuesday 09:30. The shop then stays open until 20:00 on
    Mondays: due Monday 17:30, and breached then (with the old moment the tick would not
    look at it before Tuesday). A holiday on Tuesday moves another conversation's moment to
    Wednesday; a shorter target moves it again."""
    monday = _office_hours()
    SlaPolicy.objects.create(name="Office", first_response_minutes=60, business_hours=True)
    late = shopper_at(make_visitor(), 7.5 * HOUR)  # Monday 16:30
    other = shopper_at(make_visitor(), 7.75 * HOUR)  # Monday 16:45
    tick(7.9 * HOUR)
    tuesday = T0 + dt.timedelta(days=1)
    assert [due(late), due(other)] == [
        tuesday + 30 * dt.timedelta(minutes=1),
        tuesday + 45 * dt.timedelta(minutes=1),
    ]
    with at(8 * HOUR + 5 * MIN):  # Monday 17:05
        monday.closes = dt.time(20)
        monday.save()
    tick(8 * HOUR + 10 * MIN)
    assert [due(late), due(other)] == [T(8.5 * HOUR), T(8.75 * HOUR)]
    tick(8 * HOUR + 35 * MIN)
    assert outcomes() == [(late.pk, Clock.FIRST_RESPONSE, True)]
    (breach,) = SlaOutcome.objects.all()
    assert breach.due_at == T(8.5 * HOUR)
    # Back to 17:00, then Tuesday a holiday: ``other`` is due Wednesday 09:45.
    with at(8 * HOUR + 40 * MIN):
        monday.closes = dt.time(17)
        monday.save()
        Holiday.objects.create(schedule=monday.schedule, date=tuesday.date())
    tick(8 * HOUR + 41 * MIN)
    wednesday = T0 + dt.timedelta(days=2)
    assert due(other) == wednesday + 45 * dt.timedelta(minutes=1)
    with at(8 * HOUR + 42 * MIN):
        SlaPolicy.objects.update(first_response_minutes=20)
        SlaPolicy.objects.first().save()
    tick(8 * HOUR + 43 * MIN)
    assert due(other) == wednesday + 5 * dt.timedelta(minutes=1)


def test_the_refresh_reads_the_business_hours_again_in_the_ticks_process() -> None:
    """The schedule was changed in another process (its signal marked every due moment
    stale in the database) while this one still holds the old hours in routing's cache:
    the refresh does not use the old copy."""
    monday = _office_hours()
    SlaPolicy.objects.create(name="Office", first_response_minutes=60, business_hours=True)
    late = shopper_at(make_visitor(), 7.5 * HOUR)
    tick(7.9 * HOUR)
    assert due(late) == T0 + dt.timedelta(days=1, minutes=30)
    assert business_hours.hours_for(None) is not None  # this process holds the hours
    ScheduleInterval.objects.filter(pk=monday.pk).update(closes=dt.time(20))  # no signal here
    due_stale()  # what the other process's save did
    tick(8 * HOUR)
    assert due(late) == T(8.5 * HOUR)


def test_the_refresh_reads_the_policies_again_in_the_ticks_process() -> None:
    """A policy saved elsewhere: this process may have loaded the policies between the other
    process's version bump and its commit (it holds the old targets under the new version);
    the refresh after the change does not use them."""
    SlaPolicy.objects.create(name="Chat", first_response_minutes=30, business_hours=False)
    conv = shopper_at(make_visitor(), 0)
    tick(MIN)
    assert due(conv) == T(30 * MIN)
    SlaPolicy.objects.update(first_response_minutes=10)  # no signal here
    due_stale()  # what the other process's save did
    tick(2 * MIN)
    assert due(conv) == T(10 * MIN)
