"""Demo report history: two weeks of facts and message counts for the demo agents, then a
full rollup.

The demo has only a handful of live conversations, so the report pages would be nearly
empty; this loader writes synthetic *facts* (the same rows the listeners write, without
conversations behind them) so every chart has something to show. Idempotent: it runs once.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from helpdesk.demo import register

from .models import Fact, MessageCount, QuestionFact, Watermark
from .questions import topic_key
from .services import rollup_rebuild

UNMATCHED = [
    "do you ship to Iceland",
    "can you ship to iceland?",
    "is the blue kettle dishwasher safe",
    "blue kettle dishwasher safe?",
    "可以开发票吗",
    "能开发票吗",
    "周末发货吗",
    "周末可以发货吗",
    "gift wrapping available",
    "do you offer gift wrapping",
]


# Share of ``per_day`` by weekday (Monday first).
WEEKDAY_VOLUME = (1.15, 1.05, 1.0, 1.0, 0.95, 0.7, 0.55)


def demo_history(*, days: int = 14, per_day: int = 40, seed: int = 7) -> int:
    """Write ``days`` of synthetic facts ending today; returns the number of conversations."""
    rng = random.Random(seed)
    agents: list[int | None] = list(
        get_user_model()
        .objects.filter(groups__name__in=["Agents", "Supervisors"])
        .values_list("pk", flat=True)
        .distinct()
    ) or [None]
    from chat.models import KnowledgeEntry, Team

    teams: list[int | None] = list(Team.objects.values_list("pk", flat=True)) or [None]
    entries = list(KnowledgeEntry.objects.values_list("pk", flat=True)[:8])
    today = timezone.now().replace(minute=0, second=0, microsecond=0)
    facts: list[Fact] = []
    messages: dict[tuple[Any, ...], int] = {}
    questions: list[QuestionFact] = []
    count = 0
    for day in range(days, 0, -1):
        # Shops are busier on weekdays than at weekends, and no two days are alike.
        weekday = (today - dt.timedelta(days=day)).weekday()
        volume = per_day * WEEKDAY_VOLUME[weekday] * rng.uniform(0.75, 1.25)
        for _ in range(max(1, round(volume))):
            hour = rng.choices(range(24), weights=[1] * 7 + [4] * 12 + [2] * 5)[0]
            start = (
                today
                - dt.timedelta(days=day)
                + dt.timedelta(hours=hour - today.hour, minutes=rng.randint(0, 59))
            )
            count += 1
            team, agent = rng.choice(teams), rng.choice(agents)

            def at(seconds: float, start: dt.datetime = start) -> dt.datetime:
                return start + dt.timedelta(seconds=seconds)

            def add(kind: int, offset: float, team: int | None = team, **kw: Any) -> None:
                facts.append(Fact(kind=kind, at=at(offset), team_id=team, **kw))  # type: ignore[arg-type]

            def message(
                sender: int, offset: float, agent_id: int | None = None, team: int | None = team
            ) -> None:
                # Counted the way the message listener counts (per conversation and hour);
                # these synthetic conversations have no id, so 0.
                hour = at(offset).astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
                key = (hour, team or 0, agent_id or 0, sender)
                messages[key] = messages.get(key, 0) + 1

            add(Fact.Kind.OPENED, 0, flag=hour < 8 or hour > 19)
            message(Fact.Sender.VISITOR, 0)
            text = rng.choice(UNMATCHED)
            if entries and rng.random() < 0.5:
                questions.append(
                    QuestionFact(at=at(1), team_id=team, kb_entry_id=rng.choice(entries), text="…")
                )
            elif rng.random() < 0.6:
                questions.append(
                    QuestionFact(at=at(1), team_id=team, text=text, topic_key=topic_key(text))
                )
            message(Fact.Sender.BOT, 3)
            if rng.random() < 0.3:
                add(Fact.Kind.RESOLVED, 600, seconds=600.0, bh_seconds=600.0, flag=True)
                continue
            add(Fact.Kind.HANDOVER, 40)
            add(Fact.Kind.ASSIGNED, 45, agent_id=agent)
            add(Fact.Kind.LOAD, 45, agent_id=agent, value=rng.randint(1, 5))
            first = rng.lognormvariate(4.5, 0.8)
            for kind in (
                Fact.Kind.FIRST_RESPONSE,
                Fact.Kind.AGENT_FIRST_RESPONSE,
                Fact.Kind.REPLY_WAIT,
            ):
                add(kind, 40 + first, agent_id=agent, seconds=first, bh_seconds=first * 0.8)
            message(Fact.Sender.AGENT, 40 + first, agent)
            # A conversation with an agent goes back and forth: the shopper answers, the agent
            # (already in it) replies sooner than the first time, so the report's reply wait
            # and shopper messages are not copies of the first response and the conversations.
            last = 40 + first
            for _turn in range(rng.choices((0, 1, 2, 3, 4), weights=(3, 4, 3, 2, 1))[0]):
                asked = last + rng.lognormvariate(4.0, 0.8)
                message(Fact.Sender.VISITOR, asked)
                wait = rng.lognormvariate(3.6, 0.9)
                last = asked + wait
                add(Fact.Kind.REPLY_WAIT, last, agent_id=agent, seconds=wait, bh_seconds=wait)
                message(Fact.Sender.AGENT, last, agent)
            resolution = last + rng.lognormvariate(6.5, 0.6)
            add(
                Fact.Kind.RESOLVED,
                resolution,
                agent_id=agent,
                seconds=resolution,
                bh_seconds=resolution * 0.7,
            )
            if rng.random() < 0.4:
                add(
                    Fact.Kind.CSAT,
                    resolution + 60,
                    agent_id=agent,
                    value=rng.choice([3, 4, 4, 5, 5, 5, 2]),
                )
            if rng.random() < 0.15:
                amount = Decimal(rng.randint(20, 300))
                add(Fact.Kind.CONVERSION_7D, 0, agent_id=agent, amount=amount)
                if rng.random() < 0.6:
                    add(Fact.Kind.CONVERSION_24H, 0, agent_id=agent, amount=amount)
    Fact.objects.bulk_create(facts, batch_size=2000)
    now = timezone.now()
    MessageCount.objects.bulk_create(
        [
            MessageCount(
                hour=hour, team_id=team, agent_id=agent, sender=sender, count=n, recorded_at=now
            )
            for (hour, team, agent, sender), n in messages.items()
        ],
        batch_size=2000,
    )
    QuestionFact.objects.bulk_create(questions, batch_size=2000)
    return count


@register(90, "report history")
def load_report_history(log: Callable[[str], None]) -> None:
    with transaction.atomic():
        mark, created = Watermark.objects.get_or_create(name="demo")
        if not created:
            log("  report history: already loaded")
            return
        count = demo_history()
    rollup_rebuild()
    log(f"  report history: {count} synthetic conversations over 14 days, rolled up")
