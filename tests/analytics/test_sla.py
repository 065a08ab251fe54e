"""SLA policies (docs/metrics.md, "SLA"): deadlines in business hours or on the wall clock,
each clock judged once (met, breached when the reply came late, breached while still running),
the policy that applies, the desk's at-risk marks and the SLA report (page = CSV). Hand-built
conversations through the real services with a controlled clock; the clocks paused while a
conversation is pending or snoozed."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client

from analytics import hours, tables
from analytics import services as analytics_services
from analytics.models import SlaOutcome, SlaPolicy
from analytics.selectors import ReportFilter, sla_breaches, sla_summary
from analytics.sla import policy_for, running_clocks, sla_tick
from chat import services
from chat.access import Actor
from chat.models import Channel, Schedule, ScheduleInterval
from tests.factories import (
    T0,
    agent_at,
    assign_at,
    at,
    make_agent,
    make_team,
    make_visitor,
    shopper_at,
    status_at,
)

pytestmark = pytest.mark.django_db


MIN = 60
HOUR = 3600
DAY_S = 24 * HOUR
DAY = ReportFilter(start=T0.date(), end=T0.date(), compare=False)
Clock = SlaOutcome.Clock


def tick(seconds: float) -> dict:
    with at(seconds):
        return sla_tick(lag=dt.timedelta(0))


def outcomes() -> list[tuple[int, int, bool, dt.datetime, dt.datetime | None]]:
    return [
        (o.conversation_id, o.clock, o.breached, o.at, o.ended_at)
        for o in SlaOutcome.objects.order_by("conversation_id", "clock", "key")
    ]


def _office_hours() -> None:
    """Mon–Fri 09:00–17:00 UTC, desk-wide."""
    schedule = Schedule.objects.create(team=None, timezone="UTC")
    for weekday in range(5):
        ScheduleInterval.objects.create(
            schedule=schedule, weekday=weekday, opens=dt.time(9), closes=dt.time(17)
        )


def T(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def test_deadline_counts_business_hours_only() -> None:
    _office_hours()
    friday_1655 = dt.datetime(2026, 11, 6, 16, 55, tzinfo=dt.UTC)
    due = hours.deadline(team_id=None, start=friday_1655, seconds=10 * MIN)
    assert due == dt.datetime(2026, 11, 9, 9, 5, tzinfo=dt.UTC)  # Monday 09:05
    wall = hours.deadline(team_id=None, start=friday_1655, seconds=10 * MIN, business=False)
    assert wall == dt.datetime(2026, 11, 6, 17, 5, tzinfo=dt.UTC)
    # Started on a closed Saturday: the clock starts at Monday's opening.
    saturday = dt.datetime(2026, 11, 7, 12, 0, tzinfo=dt.UTC)
    assert hours.deadline(team_id=None, start=saturday, seconds=30 * MIN) == dt.datetime(
        2026, 11, 9, 9, 30, tzinfo=dt.UTC
    )


def test_each_clock_judged_once_met_late_or_while_running() -> None:
    SlaPolicy.objects.create(
        name="Chat",
        first_response_minutes=5,
        next_response_minutes=10,
        resolution_minutes=60,
        business_hours=False,
    )
    boss = make_agent("boss", supervisor=True)
    ana = make_agent("ana")
    a = shopper_at(make_visitor(), 0)
    agent_at(ana, a, 2 * MIN)  # first response in 2 min: met
    shopper_at(a.visitor, 10 * MIN, "and the invoice?")
    agent_at(ana, a, 25 * MIN)  # next response after 15 min: breached (target 10)
    status_at(ana, a, "resolved", 30 * MIN)  # resolved in 30 min: met
    b = shopper_at(make_visitor(), 60)
    assign_at(boss, b, ana, 90)

    # 4 minutes after b opened: 1 min left of 5, less than a quarter: at risk, not breached.
    with at(60 + 4 * MIN) as now:
        (clock,) = [c for c in running_clocks([b.pk]) if c.clock == Clock.FIRST_RESPONSE]
        assert clock.due_at == T(60 + 5 * MIN) and clock.state(now) == "at_risk"
    tick(60 + 4 * MIN)
    assert not SlaOutcome.objects.filter(conversation_id=b.pk).exists()
    tick(60 + 6 * MIN)  # past due, nobody answered: breached at the due moment
    assert (b.pk, Clock.FIRST_RESPONSE, True, T(60 + 5 * MIN), None) in outcomes()
    agent_at(ana, b, 40 * MIN)  # the late reply ends it; no second judgement
    tick(41 * MIN)
    tick(42 * MIN)
    assert outcomes() == [
        (a.pk, Clock.FIRST_RESPONSE, False, T(2 * MIN), T(2 * MIN)),
        (a.pk, Clock.NEXT_RESPONSE, True, T(20 * MIN), T(25 * MIN)),
        (a.pk, Clock.RESOLUTION, False, T(30 * MIN), T(30 * MIN)),
        (b.pk, Clock.FIRST_RESPONSE, True, T(60 + 5 * MIN), T(40 * MIN)),
    ]
    rows = {r["clock"]: r for r in sla_summary(DAY)}
    assert (rows["First response"]["judged"], rows["First response"]["breached"]) == (2, 1)
    assert rows["First response"]["breach_rate"] == 0.5
    assert (rows["Next response"]["met"], rows["Next response"]["breached"]) == (0, 1)
    assert (rows["Resolution"]["met"], rows["Resolution"]["breach_rate"]) == (1, 0.0)
    # b's resolution clock (60 min) is still running and not yet due.
    assert [c.clock for c in running_clocks([b.pk])] == [Clock.RESOLUTION]
    listed = sla_breaches(DAY)
    assert [(r["conversation"], r["clock"]) for r in listed] == [
        (f"#{a.pk}", "Next response"),
        (f"#{b.pk}", "First response"),
    ]
    assert listed[1]["agent"] == "Ana" and listed[1]["due"] == "2026-11-02 09:06"


def test_business_hours_policy_waits_for_the_opening() -> None:
    _office_hours()
    SlaPolicy.objects.create(name="Office", first_response_minutes=10, business_hours=True)
    ana = make_agent("ana")
    evening = 7 * 3600 + 55 * MIN  # Monday 16:55
    answered = shopper_at(make_visitor(), evening)
    waiting = shopper_at(make_visitor(), evening)
    agent_at(ana, answered, 24 * 3600 + 4 * MIN)  # Tuesday 09:04: 9 business minutes
    tick(14 * 3600)  # Monday 23:00: hours passed, but not business hours
    assert outcomes() == [
        (answered.pk, Clock.FIRST_RESPONSE, False, T(24 * 3600 + 4 * MIN), T(24 * 3600 + 4 * MIN))
    ]
    tick(24 * 3600 + 6 * MIN)  # Tuesday 09:06: waiting's target passed at 09:05
    assert (waiting.pk, Clock.FIRST_RESPONSE, True, T(24 * 3600 + 5 * MIN), None) in outcomes()


def test_the_most_specific_policy_applies_and_none_without_a_match() -> None:
    sales = make_team("Sales")
    web = Channel.objects.get(kind=Channel.Kind.WEB)
    general = SlaPolicy.objects.create(name="All", first_response_minutes=30)
    by_channel = SlaPolicy.objects.create(name="Web", channel=web, first_response_minutes=10)
    by_team = SlaPolicy.objects.create(name="Sales", team=sales, first_response_minutes=5)
    SlaPolicy.objects.create(name="Off", team=sales, channel=web, active=False)
    vip = SlaPolicy.objects.create(name="VIP", priority=3, first_response_minutes=2)
    assert policy_for(sales.pk, web.pk).id == by_team.pk
    assert policy_for(None, web.pk).id == by_channel.pk
    assert policy_for(None, None).id == general.pk
    assert policy_for(None, None, 3).id == vip.pk
    assert policy_for(sales.pk, None, 3).id == by_team.pk
    general.delete()
    assert policy_for(None, None) is None


def test_no_policy_no_outcome() -> None:
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 0)
    agent_at(ana, conv, 10 * 3600)
    assert tick(11 * 3600) == {"judged": 0, "overdue": 0}
    assert not SlaOutcome.objects.exists() and running_clocks() == []


def _manager() -> Client:
    user = User.objects.create_user("manager", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_reports"))
    client = Client()
    client.force_login(user)
    return client


def test_sla_page_and_csv_show_the_same_cells() -> None:
    SlaPolicy.objects.create(name="Chat", first_response_minutes=5, business_hours=False)
    ana = make_agent("ana")
    late = shopper_at(make_visitor(), 0)
    agent_at(ana, late, 20 * MIN)
    quick = shopper_at(make_visitor(), 0)
    agent_at(ana, quick, 1 * MIN)
    tick(30 * MIN)
    analytics_services.rollup_tick(lag=dt.timedelta(0))
    client = _manager()
    query = f"start={T0.date()}&end={T0.date()}"
    page = client.get(f"/admin/reports/sla/?{query}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="table-sla"' in html and 'id="table-sla_breaches"' in html
    for name, rows in (
        (
            "sla",
            tables.sla_table(sla_summary(ReportFilter(start=T0.date(), end=T0.date())), True).rows,
        ),
        ("sla_breaches", tables.sla_breaches_table(sla_breaches(DAY)).rows),
    ):
        response = client.get(f"/admin/reports/sla/?{query}&format=csv&table={name}")
        got = list(csv.reader(io.StringIO(response.content.decode())))
        assert got[1:] == rows
        for row in rows:
            for cell in row:
                assert cell.replace("&", "&amp;") in html
    assert rows[0][0] == f"#{late.pk}"
    summary = list(
        csv.reader(
            io.StringIO(
                client.get(f"/admin/reports/sla/?{query}&format=csv&table=sla").content.decode()
            )
        )
    )
    assert summary[1][:5] == ["First response", "2", "1", "1", "50.0%"]
    zh = client.get(f"/admin/reports/sla/?{query}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "违约率" in zh.content.decode()


def test_the_desk_reads_each_listed_conversations_soonest_clock() -> None:
    SlaPolicy.objects.create(
        name="Chat", first_response_minutes=10, resolution_minutes=120, business_hours=False
    )
    ana = make_agent("ana")
    risky = shopper_at(make_visitor(), 0)
    calm = shopper_at(make_visitor(), 7 * MIN)
    done = shopper_at(make_visitor(), 0)
    agent_at(ana, done, MIN)
    client = Client()
    client.force_login(ana)
    with at(8 * MIN + 30):
        data = client.get(f"/api/v1/sla/clocks?ids={risky.pk},{calm.pk},{done.pk}").json()
    found = {c["conversation"]: c for c in data["clocks"]}
    assert found[risky.pk]["state"] == "at_risk" and found[risky.pk]["clock"] == "first_response"
    assert found[calm.pk]["state"] == "running"
    assert found[done.pk]["clock"] == "resolution"
    assert client.get("/api/v1/sla/clocks?ids=x").status_code == 400
    assert Client().get(f"/api/v1/sla/clocks?ids={risky.pk}").status_code in (401, 403)


def test_business_hours_in_the_schedules_zone_and_the_list_in_the_reports_zone(settings) -> None:
    """Office hours 09:00–18:00 in Shanghai (01:00–10:00 UTC); the report in Shanghai time."""
    schedule = Schedule.objects.create(team=None, timezone="Asia/Shanghai")
    for weekday in range(5):
        ScheduleInterval.objects.create(
            schedule=schedule, weekday=weekday, opens=dt.time(9), closes=dt.time(18)
        )
    settings.REPORTS = {"CURRENCY": "CNY", "TIME_ZONE": "Asia/Shanghai"}
    SlaPolicy.objects.create(name="Office", first_response_minutes=30, business_hours=True)
    # Monday 09:50 UTC = 17:50 in Shanghai: 10 business minutes left that day, 20 on Tuesday.
    late = shopper_at(make_visitor(), 50 * MIN)
    with at(50 * MIN + 1):
        (clock,) = [c for c in running_clocks([late.pk]) if c.clock == Clock.FIRST_RESPONSE]
    assert clock.due_at == dt.datetime(2026, 11, 3, 1, 20, tzinfo=dt.UTC)  # Tue 09:20 CST
    tick(16 * HOUR + 15 * MIN)  # Tuesday 09:15 CST (01:15 UTC): not yet
    assert sla_breaches(ReportFilter(start=T0.date(), end=T0.date() + dt.timedelta(days=1))) == []
    tick(16 * HOUR + 25 * MIN)  # Tuesday 09:25 CST: breached at 09:20
    shanghai = ReportFilter(
        start=T0.date(), end=T0.date() + dt.timedelta(days=1), time_zone="Asia/Shanghai"
    )
    (row,) = sla_breaches(shanghai)
    assert (row["started"], row["due"], row["ended"]) == (
        "2026-11-02 17:50",
        "2026-11-03 09:20",
        "still running",
    )
    # In the report's days: Tuesday in Shanghai, not Monday.
    monday = ReportFilter(start=T0.date(), end=T0.date(), time_zone="Asia/Shanghai")
    assert sla_breaches(monday) == []


def snooze_at(by: User, conversation, seconds: float, until: float) -> None:
    with at(seconds):
        services.conversation_status_set(
            actor=Actor(user=by),
            conversation_id=conversation.pk,
            status="snoozed",
            snoozed_until=T(until),
        )


def test_snoozed_three_days_does_not_breach_resolution_and_wakes_at_its_time() -> None:
    """Resolution 24 h on the wall clock. ``long`` is snoozed for three days and the shopper's
    message reopens it; ``woken`` is snoozed for a day and never touched: its clock resumes
    when the snooze is due to wake."""
    SlaPolicy.objects.create(
        name="Chat", next_response_minutes=60, resolution_minutes=24 * 60, business_hours=False
    )
    ana = make_agent("ana")
    long = shopper_at(make_visitor(), 0)
    agent_at(ana, long, MIN)
    snooze_at(ana, long, 10 * MIN, until=3 * DAY_S + 10 * MIN)
    woken = shopper_at(make_visitor(), 0)
    agent_at(ana, woken, MIN)
    snooze_at(ana, woken, 10 * MIN, until=DAY_S + 10 * MIN)
    with at(HOUR):
        assert running_clocks([long.pk]) == []  # paused: nothing runs, nothing at risk
    tick(DAY_S + HOUR)  # a wall-clock day has passed: not a breach, the clocks were paused
    assert outcomes() == []
    # woken: 10 min ran before the snooze, 23 h 50 min after it woke.
    (clock,) = running_clocks([woken.pk])
    assert (clock.clock, clock.due_at) == (Clock.RESOLUTION, T(2 * DAY_S))
    tick(2 * DAY_S + MIN)
    assert outcomes() == [(woken.pk, Clock.RESOLUTION, True, T(2 * DAY_S), None)]
    shopper_at(long.visitor, 3 * DAY_S + 10 * MIN, "still broken")  # reopens it: resumes
    with at(3 * DAY_S + 11 * MIN):
        due = {c.clock: c.due_at for c in running_clocks([long.pk])}
    assert due == {
        Clock.NEXT_RESPONSE: T(3 * DAY_S + 70 * MIN),
        Clock.RESOLUTION: T(4 * DAY_S),
    }
    agent_at(ana, long, 3 * DAY_S + 20 * MIN)
    status_at(ana, long, "resolved", 3 * DAY_S + 2 * HOUR)  # 3 days 2 h, 2 h of it running
    tick(3 * DAY_S + 3 * HOUR)
    assert [o for o in outcomes() if o[0] == long.pk] == [
        (long.pk, Clock.NEXT_RESPONSE, False, T(3 * DAY_S + 20 * MIN), T(3 * DAY_S + 20 * MIN)),
        (long.pk, Clock.RESOLUTION, False, T(3 * DAY_S + 2 * HOUR), T(3 * DAY_S + 2 * HOUR)),
    ]


def test_pending_pauses_next_response_in_business_hours_but_not_the_first_response() -> None:
    """Office hours Mon–Fri 09:00–17:00 UTC; next response 60 business minutes. The shopper
    asks again at 09:10; at 09:20 the agent marks it pending (waiting on the shopper) without
    answering, and opens it again at 16:30: 10 minutes ran, 50 are left — 30 on Monday and 20
    on Tuesday. A conversation never answered keeps its first-response clock while pending."""
    _office_hours()
    SlaPolicy.objects.create(
        name="Office", first_response_minutes=30, next_response_minutes=60, business_hours=True
    )
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 0)
    agent_at(ana, conv, MIN)
    shopper_at(conv.visitor, 10 * MIN, "and the invoice?")
    status_at(ana, conv, "pending", 20 * MIN)
    silent = shopper_at(make_visitor(), 0)
    assign_at(ana, silent, ana, MIN)
    status_at(ana, silent, "pending", 2 * MIN)
    tick(3 * HOUR)  # Monday 12:00: two hours past the unpaused due moment (10:10)
    assert outcomes() == [
        (conv.pk, Clock.FIRST_RESPONSE, False, T(MIN), T(MIN)),
        (silent.pk, Clock.FIRST_RESPONSE, True, T(30 * MIN), None),
    ]
    status_at(ana, conv, "open", 7 * HOUR + 30 * MIN)  # Monday 16:30
    with at(7 * HOUR + 31 * MIN):
        (clock,) = running_clocks([conv.pk])
    tuesday_0920 = T(24 * HOUR + 20 * MIN)
    assert (clock.clock, clock.due_at) == (Clock.NEXT_RESPONSE, tuesday_0920)
    # 75 % of the 60 minutes: 45 running minutes, 35 after the reopening (Tuesday 09:05).
    assert clock.at_risk_at == T(24 * HOUR + 5 * MIN)
    agent_at(ana, conv, 24 * HOUR + 15 * MIN)  # Tuesday 09:15: 55 running minutes, met
    tick(24 * HOUR + 16 * MIN)
    assert [o for o in outcomes() if o[0] == conv.pk] == [
        (conv.pk, Clock.FIRST_RESPONSE, False, T(MIN), T(MIN)),
        (conv.pk, Clock.NEXT_RESPONSE, False, T(24 * HOUR + 15 * MIN), T(24 * HOUR + 15 * MIN)),
    ]


def test_a_policy_saved_by_another_process_is_seen_within_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each process caches the policies for 30 s; a save anywhere moves a version in the
    shared cache, and every process reloads on its next check (at most a second later)."""
    from django.core.cache import cache

    from analytics.sla import policies as sla_policies

    assert sla_policies.policies() == []
    # Another process saves one: this process hears no signal, only the shared version.
    SlaPolicy.objects.bulk_create(
        [SlaPolicy(name="Elsewhere", first_response_minutes=10, business_hours=False)]
    )
    assert sla_policies.policies() == []  # still this process's copy
    cache.set(sla_policies.VERSION_KEY, int(cache.get(sla_policies.VERSION_KEY, 0)) + 1, None)
    monkeypatch.setattr(sla_policies, "VERSION_CHECK_SECONDS", 0.0)
    assert [p.id for p in sla_policies.policies()] == [SlaPolicy.objects.get().pk]
