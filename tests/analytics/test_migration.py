"""Migration 0002 turns the MESSAGE facts written before the counters into counter rows."""

from __future__ import annotations

import datetime as dt
import importlib
from types import SimpleNamespace

import pytest
from django.db import connection

from analytics import services as analytics_services
from analytics.models import ALL, DailyRollup, Fact, MessageCount
from tests.factories import T0

migration = importlib.import_module("analytics.migrations.0002_message_counts")


@pytest.mark.django_db
def test_message_facts_become_counters_with_the_same_numbers() -> None:
    def message(seconds: int, sender: int, **kw: object) -> Fact:
        return Fact(
            kind=Fact.Kind.MESSAGE, at=T0 + dt.timedelta(seconds=seconds), value=sender, **kw
        )  # type: ignore[arg-type]

    Fact.objects.bulk_create(
        [
            message(0, Fact.Sender.VISITOR, conversation_id=7, team_id=3),
            message(60, Fact.Sender.VISITOR, conversation_id=7, team_id=3),
            message(90, Fact.Sender.AGENT, conversation_id=7, team_id=3, agent_id=5),
            message(95, Fact.Sender.AGENT, conversation_id=7, team_id=3, agent_id=5, flag=True),
            message(4000, Fact.Sender.VISITOR, conversation_id=7, team_id=3),  # next hour
            message(10, Fact.Sender.BOT),  # demo facts have no conversation
        ]
    )
    analytics_services.rollup_rebuild()
    before = DailyRollup.objects.filter(team_id=ALL, agent_id=ALL).values(
        "msg_visitor", "msg_agent", "msg_bot", "msg_notes"
    )[0]
    assert before == {"msg_visitor": 3, "msg_agent": 1, "msg_bot": 1, "msg_notes": 1}
    migration.convert_message_facts(None, SimpleNamespace(connection=connection))
    assert not Fact.objects.filter(kind=Fact.Kind.MESSAGE).exists()
    rows = {
        (r.hour, r.conversation_id, r.team_id, r.agent_id, r.sender, r.private): r.count
        for r in MessageCount.objects.all()
    }
    hour = T0.replace(minute=0)
    assert rows == {
        (hour, 7, 3, 0, Fact.Sender.VISITOR, False): 2,
        (hour, 7, 3, 5, Fact.Sender.AGENT, False): 1,
        (hour, 7, 3, 5, Fact.Sender.AGENT, True): 1,
        (hour + dt.timedelta(hours=1), 7, 3, 0, Fact.Sender.VISITOR, False): 1,
        (hour, 0, 0, 0, Fact.Sender.BOT, False): 1,
    }
    # The next tick re-rolls every hour holding counters: the same numbers.
    analytics_services.rollup_tick(lag=dt.timedelta(0))
    after = DailyRollup.objects.filter(team_id=ALL, agent_id=ALL).values(
        "msg_visitor", "msg_agent", "msg_bot", "msg_notes"
    )[0]
    assert after == before
