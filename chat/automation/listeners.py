"""How automation hears about the desk: domain events become rule triggers, queued to Celery
after commit. ``connect()`` runs from ``chat.listeners``.

A trigger costs the writer's transaction nothing when no active rule listens for it: the
events that have rules are kept per process for ``CACHE_SECONDS`` (and cleared when a rule is
saved in this process)."""

from __future__ import annotations

import threading
import time
import uuid

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from helpdesk import dispatch
from helpdesk.dispatch import Event

from ..models import AutomationRule
from .services import MAX_CHAIN, running_change, running_rules

Trigger = AutomationRule.Trigger
CACHE_SECONDS = 10.0

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
_cache: tuple[float, frozenset[str]] | None = None


def triggers_with_rules() -> frozenset[str]:
    """The triggers some active rule listens for (one query per ``CACHE_SECONDS``)."""
    global _cache
    now = time.monotonic()
    cached = _cache
    if cached is not None and cached[0] > now:
        return cached[1]
    found = frozenset(
        AutomationRule.objects.filter(active=True).values_list("event", flat=True).distinct()
    )
    with _lock:
        _cache = (now + CACHE_SECONDS, found)
    return found


def cache_clear(**_kwargs: object) -> None:
    global _cache
    with _lock:
        _cache = None


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
    """A change that may trigger rules: queue the rules' run after commit (robust: a broker
    that fails never turns the committed change into an error)."""
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
    transaction.on_commit(lambda: automation_run_task.delay(**kwargs), robust=True)


def connect() -> None:
    for name in TRIGGERS:
        dispatch.subscribe(name, on_event)
    post_save.connect(cache_clear, sender=AutomationRule, dispatch_uid="automation-cache")
    post_delete.connect(cache_clear, sender=AutomationRule, dispatch_uid="automation-cache-del")
