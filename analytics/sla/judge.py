"""The SLA tick: judges each clock once, into ``SlaOutcome`` rows the reports count.

- A clock that ended (a person's first reply, a later reply to a waiting shopper, the
  resolution of a care cycle: the FIRST_RESPONSE, REPLY_WAIT and RESOLVED facts) is *met* when
  its measured duration (business-hours seconds under a business-hours policy) is within the
  target, else *breached*; dated at its end when met, at its due moment when breached.
- A clock still running past its due moment is *breached* then, dated at the due moment; the
  reply that ends it later changes nothing but the row's end. The tick finds those clocks
  through each conversation's next due moment (``ConversationTrack.sla_due_at``, kept by the
  listeners: ``analytics.sla.due``), one indexed range query.
- Next response and resolution (and the first response under a policy with
  ``pause_first_response``) leave out the time the conversation was paused (pending or
  snoozed, ``SlaPause``): from the measured duration and in the due moment.

It runs after the rollup tick (the Celery task ``analytics.rollup_tick``), under the same
lock; re-reading facts is harmless (one row per clock).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from ..models import Fact, SlaOutcome, Watermark
from .clocks import (
    RunningClock,
    active_deadline,
    conversation_fields,
    micros,
    paused_seconds,
    pauses_of,
    running_clocks,
)
from .due import catch_up, due_now, due_refresh
from .policies import Clock, policies, policy_for, priority_of

LAG = dt.timedelta(minutes=2)
MARK = "sla"
BATCH = 5000


def _judge_facts(facts: list[Fact]) -> list[SlaOutcome]:
    from chat.models import Conversation

    ids = {f.conversation_id for f in facts if f.conversation_id}
    convs = {
        row["id"]: row
        for row in Conversation.objects.filter(pk__in=ids).values(*conversation_fields())
    }
    firsts = set(
        Fact.objects.filter(conversation_id__in=ids, kind=Fact.Kind.FIRST_RESPONSE).values_list(
            "conversation_id", "at"
        )
    )
    pauses = pauses_of(ids)
    out = []
    for fact in facts:
        conv = convs.get(fact.conversation_id or 0)
        if conv is None or fact.seconds is None:
            continue
        start = fact.at - dt.timedelta(seconds=fact.seconds)
        if fact.kind == Fact.Kind.FIRST_RESPONSE:
            clock, key = Clock.FIRST_RESPONSE, 0
        elif fact.kind == Fact.Kind.RESOLVED:
            clock, key = Clock.RESOLUTION, fact.cycle
        elif (fact.conversation_id, fact.at) in firsts:
            continue  # the first reply's wait: judged as the first response
        else:
            clock, key = Clock.NEXT_RESPONSE, micros(start)
        policy = policy_for(fact.team_id, conv["channel_id"], priority_of(conv))
        target = policy.targets.get(int(clock)) if policy else None
        if policy is None or target is None:
            continue
        business = policy.business_hours
        measured = (fact.bh_seconds if business else fact.seconds) or 0.0
        # A pause still open when the clock ended counts until then.
        stops = [
            (p_start, p_end if p_end is not None and p_end < fact.at else fact.at)
            for p_start, p_end in pauses.get(conv["id"], [])
            if p_start < fact.at
        ]
        if not policy.pauses(int(clock)):
            stops = []
        measured -= paused_seconds(
            team_id=fact.team_id, start=start, end=fact.at, business=business, pauses=stops
        )
        due = active_deadline(
            team_id=fact.team_id, start=start, seconds=target, business=business, pauses=stops
        )
        breached = measured > target
        out.append(
            SlaOutcome(
                conversation_id=conv["id"],
                clock=clock,
                key=key,
                policy_id=policy.id,
                team_id=fact.team_id,
                agent_id=fact.agent_id,
                started_at=start,
                due_at=due or fact.at,
                ended_at=fact.at,
                breached=breached,
                at=(due or fact.at) if breached else fact.at,
                target_seconds=target,
            )
        )
    return out


def _overdue(clock: RunningClock) -> SlaOutcome:
    return SlaOutcome(
        conversation_id=clock.conversation_id,
        clock=clock.clock,
        key=clock.key,
        policy_id=clock.policy_id,
        team_id=clock.team_id,
        agent_id=clock.agent_id,
        started_at=clock.started_at,
        due_at=clock.due_at,
        ended_at=None,
        breached=True,
        at=clock.due_at,
        target_seconds=clock.target_seconds,
    )


def _store(outcomes: list[SlaOutcome]) -> None:
    """Insert each clock's judgement once; a clock judged breached while it ran gets its end
    when the reply or resolution comes."""
    if not outcomes:
        return
    keys = {(o.conversation_id, o.clock, o.key) for o in outcomes}
    existing = {
        (o.conversation_id, o.clock, o.key): o
        for o in SlaOutcome.objects.filter(
            conversation_id__in={k[0] for k in keys}, clock__in={k[1] for k in keys}
        )
        if (o.conversation_id, o.clock, o.key) in keys
    }
    new, ended = [], []
    for outcome in outcomes:
        key = (outcome.conversation_id, outcome.clock, outcome.key)
        old = existing.get(key)
        if old is None:
            new.append(outcome)
            existing[key] = outcome
        elif old.ended_at is None and outcome.ended_at is not None and old.pk:
            old.ended_at = outcome.ended_at
            ended.append(old)
    SlaOutcome.objects.bulk_create(new, ignore_conflicts=True)
    SlaOutcome.objects.bulk_update(ended, ["ended_at"])


def sla_tick(*, now: dt.datetime | None = None, lag: dt.timedelta = LAG) -> dict[str, Any]:
    """Judge the clocks that ended since the last tick and the ones now past due."""
    now = now or timezone.now()
    with transaction.atomic():
        mark, _ = Watermark.objects.select_for_update().get_or_create(name=MARK)
        facts = list(
            Fact.objects.filter(
                id__gt=mark.last_id,
                kind__in=[Fact.Kind.FIRST_RESPONSE, Fact.Kind.REPLY_WAIT, Fact.Kind.RESOLVED],
            ).order_by("id")[:BATCH]
        )
        judged: list[SlaOutcome] = []
        overdue: list[SlaOutcome] = []
        catch_up()
        if policies():
            judged = _judge_facts(facts)
            # Only the conversations whose due moment has come (an indexed range), not
            # every open conversation's clocks.
            due = due_now(now)
            if due:
                overdue = [_overdue(c) for c in running_clocks(due, now=now) if c.due_at <= now]
            # Overdue first: a clock that breached while running keeps its breach when the
            # late reply is judged in the same tick.
            _store(overdue + judged)
            # A judged clock no longer counts: the next one's moment (or none).
            due_refresh(due)
        settled = [f.id for f in facts if f.recorded_at <= now - lag]
        if len(facts) == BATCH and facts:
            settled = [facts[-1].id]
        if settled:
            mark.last_id = max(settled[-1], mark.last_id)
            mark.save(update_fields=["last_id", "updated_at"])
    return {"judged": len(judged), "overdue": len(overdue)}
