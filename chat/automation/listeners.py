"""How automation hears about the desk: domain events become rule triggers, queued to Celery
after commit. ``connect()`` runs from ``chat.listeners``.

A trigger costs the writer's transaction nothing when no active rule listens for it: the
triggers that have rules are kept per process; saving or deleting a rule in any process moves a
version in the shared cache, which every process checks at most once per
``VERSION_CHECK_SECONDS`` (the SLA policies' pattern, analytics/sla/policies.py)."""

from __future__ import annotations

import logging
import threading
import time
import uuid

from django.db import connection
from django.db.models.signals import post_delete, post_save

from helpdesk import dispatch, shared_version
from helpdesk.dispatch import Event
from helpdesk.pending import pending_delay

from ..models import AutomationRule
from .services import MAX_CHAIN, running_change, running_rules

Trigger = AutomationRule.Trigger
logger = logging.getLogger(__name__)
# The local copy's longest life (only matters while the shared cache is down).
CACHE_SECONDS = 60.0
# Saving or deleting a rule bumps this number in the shared cache (Redis in production).
VERSION_KEY = "automation-rules-version"
VERSION_CHECK_SECONDS = 1.0

# Domain event → the rules' trigger. "Updated" is any change of assignee, status (other than
# resolving), priority or custom attributes, and a reopening.
TRIGGERS: dict[str, str] = {
    Event.CONVERSATION_OPENED: Trigger.CONVERSATION_CREATED,
    Event.MESSAGE_CREATED: Trigger.MESSAGE_CREATED,
    Event.CONVERSATION_ASSIGNED: Trigger.CONVERSATION_UPDATED,
    Event.CONVERSATION_STATUS_CHANGED: Trigger.CONVERSATION_UPDATED,
    Event.CONVERSATION_REOPENED: Trigger.CONVERSATION_UPDATED,
    Event.CONVERSATION_PRIORITY_CHANGED: Trigger.CONVERSATION_UPDATED,
    Event.CONVERSATION_ATTRIBUTES_CHANGED: Trigger.CONVERSATION_UPDATED,
    Event.CONVERSATION_RESOLVED: Trigger.CONVERSATION_RESOLVED,
}

_lock = threading.Lock()
# (loaded at, triggers, the shared version they were loaded under, version checked at)
_cache: tuple[float, frozenset[str], int, float] | None = None


def triggers_with_rules() -> frozenset[str]:
    """The triggers some active rule listens for: one query when a rule changed anywhere (or
    every ``CACHE_SECONDS``), else at most one shared-cache read per ``VERSION_CHECK_SECONDS``."""
    global _cache
    now = time.monotonic()
    with _lock:
        held = _cache
    if held is not None and now - held[0] < CACHE_SECONDS:
        if now - held[3] < VERSION_CHECK_SECONDS:
            return held[1]
        version = _shared_version()
        if version == held[2] and version != -1:
            with _lock:
                _cache = (held[0], held[1], held[2], now)
            return held[1]
    else:
        version = _shared_version()
    found = frozenset(
        AutomationRule.objects.filter(active=True).values_list("event", flat=True).distinct()
    )
    with _lock:
        _cache = (now, found, version, now)
    return found


def _shared_version() -> int:
    return shared_version.read(VERSION_KEY, "automation rules")


def cache_clear(**_kwargs: object) -> None:
    """Forget this process's copy."""
    global _cache
    with _lock:
        _cache = None


def rules_changed(**_kwargs: object) -> None:
    """A rule was saved or deleted (signal receiver): this process forgets its copy, and the
    shared version moves so every other process does within ``VERSION_CHECK_SECONDS``."""
    cache_clear()
    shared_version.bump(VERSION_KEY, "automation rules")


def _change_id(trigger: str, event: dispatch.DomainEvent) -> str:
    """What one change is, for running each rule at most once per trigger and change: the
    rule chain's change inside automation; the message for a message; the conversation's
    creation; for the other changes the transaction (several changes committed together, e.g.
    a macro's, run an "updated" rule once). Without PostgreSQL's transaction id, each change
    is its own."""
    inside = running_change()
    if inside:
        return inside
    if trigger == Trigger.MESSAGE_CREATED:
        return f"m{event.data.get('message_id')}"
    if trigger == Trigger.CONVERSATION_CREATED:
        return "created"
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SELECT txid_current()")
            return f"x{cursor.fetchone()[0]}"
    return f"u{uuid.uuid4().hex}"


def on_event(event: dispatch.DomainEvent) -> None:
    """A change that may trigger rules: queue the rules' run after commit, written down with
    the change so a run the broker lost is queued again by the sweep (helpdesk/pending.py; a
    broker that fails never turns the committed change into an error)."""
    trigger = TRIGGERS.get(event.name)
    if trigger is None or event.conversation_id is None:
        return
    data = event.data
    if trigger == Trigger.MESSAGE_CREATED and (
        data.get("sender_kind") != "visitor" or data.get("private")
    ):
        return
    if trigger not in triggers_with_rules():
        return
    chain = list(running_rules())
    if len(chain) >= MAX_CHAIN:
        return
    from .tasks import automation_run_task

    kwargs = {
        "trigger": str(trigger),
        "conversation_id": event.conversation_id,
        "trigger_key": f"{trigger}:{_change_id(trigger, event)}",
        "message_id": data.get("message_id") if trigger == Trigger.MESSAGE_CREATED else None,
        "chain": chain,
    }
    pending_delay(automation_run_task, **kwargs)


def connect() -> None:
    for name in TRIGGERS:
        dispatch.subscribe(name, on_event)
    post_save.connect(rules_changed, sender=AutomationRule, dispatch_uid="automation-cache")
    post_delete.connect(rules_changed, sender=AutomationRule, dispatch_uid="automation-cache-del")
