"""The rollup: incremental equals full rebuild, re-runs and concurrent runs give the same rows,
a fact committed late is not lost."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from analytics import services as analytics_services
from analytics.models import (
    ALL,
    DailyRollup,
    DurationHistogram,
    Fact,
    HourlyRollup,
    MessageCount,
    PendingDay,
    QuestionDaily,
    Watermark,
)
from tests.factories import (
    T0,
    agent_at,
    at,
    make_agent,
    make_visitor,
    shopper_at,
    snapshot,
    traffic,
)

NO_LAG = dt.timedelta(0)


@pytest.mark.django_db
def test_incremental_equals_full_rebuild() -> None:
    for stage in range(4):
        traffic(stage)
        analytics_services.rollup_tick(lag=NO_LAG)
    # The histograms of the touched days follow on their own (slower) beat.
    assert PendingDay.objects.exists()
    assert analytics_services.histograms_refresh() >= 1
    assert not PendingDay.objects.exists()
    incremental = snapshot()
    assert len(incremental) > 10
    analytics_services.rollup_rebuild()
    assert snapshot() == incremental
    # Re-running the tick with nothing new, or rebuilding one period, changes nothing.
    analytics_services.rollup_tick(lag=NO_LAG)
    analytics_services.histograms_refresh()
    assert snapshot() == incremental
    analytics_services.rollup_rebuild(start=T0, end=T0 + dt.timedelta(hours=6))
    assert snapshot() == incremental


@pytest.mark.django_db
def test_tick_reads_only_new_facts() -> None:
    traffic(0)
    analytics_services.rollup_tick(lag=NO_LAG)
    mark = Watermark.objects.get(name="facts").last_id
    assert mark == Fact.objects.order_by("-id").first().id
    # A stray rollup row for an hour without new facts survives: the tick did not touch it.
    HourlyRollup.objects.create(hour=T0 - dt.timedelta(days=30), conversations=7)
    result = analytics_services.rollup_tick(lag=NO_LAG)
    assert result.hours == 0
    assert HourlyRollup.objects.filter(conversations=7).exists()
    traffic(1)
    result = analytics_services.rollup_tick(lag=NO_LAG)
    assert 1 <= result.hours <= 3


@pytest.mark.django_db
def test_recent_facts_are_read_again_until_settled() -> None:
    traffic(0)
    with at(0):
        # Every fact is younger than the lag: the hours are built, the watermark stays.
        analytics_services.rollup_tick(lag=dt.timedelta(days=365))
    assert Watermark.objects.get(name="facts").last_id == 0
    assert HourlyRollup.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_fact_committed_late_is_not_lost() -> None:
    """A transaction that wrote a fact but commits after a tick has run: the next tick
    still counts it, because the watermark trails recent facts."""
    traffic(0)
    analytics_services.rollup_tick(lag=NO_LAG)
    hour = T0.replace(hour=9)
    conversations_before = HourlyRollup.objects.get(hour=hour, team_id=0, agent_id=0).conversations
    inserted, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                Fact.objects.create(kind=Fact.Kind.OPENED, at=hour + dt.timedelta(minutes=1))
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    inserted.wait(10)
    Fact.objects.create(kind=Fact.Kind.OPENED, at=hour + dt.timedelta(minutes=2))
    analytics_services.rollup_tick()  # default lag: recent facts stay unsettled
    release.set()
    thread.join()
    analytics_services.rollup_tick()
    row = HourlyRollup.objects.get(hour=hour, team_id=0, agent_id=0)
    assert row.conversations == conversations_before + 2
    analytics_services.rollup_rebuild()
    assert (
        HourlyRollup.objects.get(hour=hour, team_id=0, agent_id=0).conversations
        == row.conversations
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_give_identical_rows() -> None:
    for stage in range(3):
        traffic(stage)
    analytics_services.rollup_rebuild()
    expected = snapshot()
    HourlyRollup.objects.all().delete()
    QuestionDaily.objects.all().delete()
    DailyRollup.objects.all().delete()
    DurationHistogram.objects.all().delete()
    Watermark.objects.all().delete()

    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def run(i: int) -> None:
        try:
            barrier.wait(10)
            if i % 2:
                analytics_services.rollup_tick(lag=NO_LAG)
            else:
                analytics_services.rollup_rebuild()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    analytics_services.histograms_refresh()
    assert snapshot() == expected
    # Facts untouched by the rollups.
    assert Fact.objects.filter(kind=Fact.Kind.OPENED).count() == 9


def visitor_messages(day: dt.date) -> int:
    return DailyRollup.objects.get(day=day, team_id=ALL, agent_id=ALL).msg_visitor


@pytest.mark.django_db
def test_message_counted_in_an_hour_already_rolled_up() -> None:
    """A message lands in a counter row the tick has already read (same conversation, hour
    and sender): the row is updated, not inserted, and takes a new seq, so the next tick
    rolls its hour again — and the result equals a full rebuild."""
    ana = make_agent("ana")
    visitor = make_visitor()
    conv = shopper_at(visitor, 0)
    agent_at(ana, conv, 60)  # takes it: the shopper's next messages count for ana
    shopper_at(visitor, 90, "thanks")
    analytics_services.rollup_tick(lag=NO_LAG)
    assert visitor_messages(T0.date()) == 2
    key = {"conversation_id": conv.pk, "sender": Fact.Sender.VISITOR, "agent_id": ana.pk}
    row = MessageCount.objects.get(**key)
    assert row.seq <= Watermark.objects.get(name="messages").last_id
    shopper_at(visitor, 120, "one more thing")  # same hour: the same counter row, now 2
    row = MessageCount.objects.get(**key)  # (its primary key, the seq, moved)
    assert row.count == 2 and row.seq > Watermark.objects.get(name="messages").last_id
    result = analytics_services.rollup_tick(lag=NO_LAG)
    assert result.hours == 1
    assert visitor_messages(T0.date()) == 3
    analytics_services.histograms_refresh()
    incremental = snapshot()
    analytics_services.rollup_rebuild()
    assert snapshot() == incremental


@pytest.mark.django_db(transaction=True)
def test_counter_updated_by_a_late_commit_is_not_lost() -> None:
    """A chat transaction bumps a counter the tick has read and commits after the next tick
    ran: the watermark trails counters written within the lag, so a later tick counts it."""
    visitor = make_visitor()
    conv = shopper_at(visitor, 0)
    analytics_services.rollup_tick(lag=NO_LAG)
    assert visitor_messages(T0.date()) == 1
    updated, release = threading.Event(), threading.Event()

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                with at(30):
                    shopper_at(visitor, 30, "still there?")
                updated.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert updated.wait(10)
    analytics_services.rollup_tick()  # default lag: the counter's new seq stays unsettled
    release.set()
    thread.join()
    # The writer's clock was set back to T0: count its row as written just now.
    MessageCount.objects.filter(conversation_id=conv.pk).update(recorded_at=timezone.now())
    analytics_services.rollup_tick()
    assert visitor_messages(T0.date()) == 2
    analytics_services.rollup_rebuild()
    assert visitor_messages(T0.date()) == 2
