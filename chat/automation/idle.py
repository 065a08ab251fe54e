"""The idle trigger: the beat's scan for conversations that have waited a rule's minutes on
the agent or on the shopper, each idle spell run once per rule.

A spell waiting on the agent starts at routing's ``waiting_since`` (the first shopper message
nobody answered; docs/routing.md). A spell waiting on the shopper starts with the desk's last
public line (an agent's or the bot's, ``last_message_sender``) and counts from the
conversation's last activity, so a note or an activity line restarts the wait but not the
spell: a rule whose own message ("Are you still there?") moves the activity does not fire
again for the same agent line.

Bounded: each rule keeps a watermark (``idle_checked_through``); a scan looks only at spells
that began after it and at least the rule's minutes ago, oldest first, at most
``SCAN_LIMIT`` per rule (the rest the next beat), through an index either way. A rule's first
scan looks ``FIRST_LOOKBACK`` back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from ..models import AutomationRule, Conversation, ConversationRouting, Message
from .services import rule_run

Trigger = AutomationRule.Trigger
WaitingOn = AutomationRule.WaitingOn
SCAN_LIMIT = 200
FIRST_LOOKBACK = dt.timedelta(days=1)
DESK = (Message.SenderKind.AGENT, Message.SenderKind.BOT)
Candidate = tuple[int, dt.datetime, str, Callable[[Conversation], bool]]


def _waiting_on_agent(since: dt.datetime, cutoff: dt.datetime) -> list[Candidate]:
    rows = (
        ConversationRouting.objects.filter(
            waiting_since__gt=since,
            waiting_since__lte=cutoff,
            conversation__status=Conversation.Status.OPEN,
        )
        .order_by("waiting_since")
        .values_list("conversation_id", "waiting_since")[:SCAN_LIMIT]
    )

    def still(at: dt.datetime) -> Callable[[Conversation], bool]:
        def check(conversation: Conversation) -> bool:
            routing = ConversationRouting.objects.filter(conversation_id=conversation.pk).first()
            return (
                conversation.status == Conversation.Status.OPEN
                and routing is not None
                and routing.waiting_since == at
            )

        return check

    return [(pk, at, f"a{at.isoformat()}", still(at)) for pk, at in rows if at is not None]


def _waiting_on_shopper(since: dt.datetime, cutoff: dt.datetime) -> list[Candidate]:
    rows = list(
        Conversation.objects.filter(
            status=Conversation.Status.OPEN,
            last_activity_at__gt=since,
            last_activity_at__lte=cutoff,
            last_message_sender__in=DESK,
        )
        .order_by("last_activity_at")
        .values_list("pk", "created_at", "last_activity_at")[:SCAN_LIMIT]
    )
    found: list[Candidate] = []
    for pk, created_at, at in rows:
        # The spell is the desk's last public line: its id names it.
        line = (
            Message.objects.filter(
                conversation_id=pk,
                conversation_created_at=created_at,
                private=False,
                sender_kind__in=DESK,
            )
            .order_by("-seq")
            .values_list("id", flat=True)
            .first()
        )
        if line is None:
            continue

        def check(conversation: Conversation, at: dt.datetime = at) -> bool:
            return (
                conversation.status == Conversation.Status.OPEN
                and conversation.last_message_sender in DESK
                and conversation.last_activity_at == at
            )

        found.append((pk, at, f"s{line}", check))
    return found


def idle_rule_scan(rule: AutomationRule, *, now: dt.datetime) -> int:
    """Run one idle rule on the conversations whose spell reached its minutes since its last
    scan; move its watermark. The number of runs."""
    if not rule.idle_minutes:
        return 0
    cutoff = now - dt.timedelta(minutes=rule.idle_minutes)
    since = rule.idle_checked_through or cutoff - FIRST_LOOKBACK
    if since >= cutoff:
        return 0
    find = _waiting_on_agent if rule.idle_waiting_on == WaitingOn.AGENT else _waiting_on_shopper
    candidates = find(since, cutoff)
    runs = 0
    for conversation_id, _at, spell, still in candidates:
        run = rule_run(
            rule=rule,
            trigger=Trigger.CONVERSATION_IDLE,
            conversation_id=conversation_id,
            message_id=None,
            trigger_key=f"{Trigger.CONVERSATION_IDLE}:{spell}",
            chain=(),
            still=still,
        )
        runs += run is not None
    # A full page: the next scan goes on from its last spell; else everything up to the
    # cutoff has been seen.
    through = candidates[-1][1] if len(candidates) == SCAN_LIMIT else cutoff
    AutomationRule.objects.filter(pk=rule.pk).update(idle_checked_through=through)
    return runs


def idle_scan(*, now: dt.datetime | None = None) -> int:
    """The beat's job: every active idle rule, in order. The number of runs."""
    now = now or timezone.now()
    rules = AutomationRule.objects.filter(
        active=True, event=Trigger.CONVERSATION_IDLE, idle_minutes__isnull=False
    )
    return sum(idle_rule_scan(rule, now=now) for rule in rules)
