"""Turn domain events and the admin's own change log into audit entries.

``connect()`` runs from ``AuditConfig.ready``. Chat's and orders' services dispatch the events
(docs/architecture.md lists them); the admin writes a ``LogEntry`` for every add, change and
delete made through it, and each one is copied here without its ``object_repr`` (which can be a
shopper's name) so the copy survives an erasure and Django's row (deleted with its user) is not
the only record.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.db.models.signals import post_save

from helpdesk.dispatch import DomainEvent, Event, subscribe

from .models import AuditEntry
from .services import audit_record

_ADMIN_ACTIONS = {
    ADDITION: AuditEntry.Action.ADMIN_ADD,
    CHANGE: AuditEntry.Action.ADMIN_CHANGE,
    DELETION: AuditEntry.Action.ADMIN_DELETE,
}


def on_assigned(event: DomainEvent) -> None:
    """An agent's assign, take, transfer or unassign (the desk's own routing is not audited:
    it is no one's action, and the routing facts record it)."""
    data = event.data
    if data.get("by_user_id") is None:
        return
    if data.get("assignee_id") is None:
        action = AuditEntry.Action.UNASSIGN
    elif data.get("previous_assignee_id") is None:
        action = AuditEntry.Action.ASSIGN
    else:
        action = AuditEntry.Action.TRANSFER
    audit_record(
        action=action,
        target_type="conversation",
        target_id=event.conversation_id,
        by_user_id=data["by_user_id"],
        at=event.at,
        details={
            "assignee_id": data.get("assignee_id"),
            "previous_assignee_id": data.get("previous_assignee_id"),
            "team_id": data.get("team_id"),
        },
    )


def on_resolved(event: DomainEvent) -> None:
    if event.data.get("by_user_id") is None:
        return
    audit_record(
        action=AuditEntry.Action.RESOLVE,
        target_type="conversation",
        target_id=event.conversation_id,
        by_user_id=event.data["by_user_id"],
        at=event.at,
        details={"previous": event.data.get("previous")},
    )


def _customer_action(action: str) -> Any:
    def listener(event: DomainEvent) -> None:
        data = event.data
        details: dict[str, Any] = {k: data[k] for k in ("merged_id", "reason") if k in data}
        audit_record(
            action=action,
            target_type="customer",
            target_id=data["customer_id"],
            by_user_id=data.get("by_user_id"),
            by_token_id=data.get("by_token_id"),
            at=event.at,
            details=details,
        )

    listener.__name__ = listener.__qualname__ = "on_" + action.split(".")[1]
    return listener


on_merge = _customer_action(AuditEntry.Action.MERGE)
on_export = _customer_action(AuditEntry.Action.EXPORT)
on_erase = _customer_action(AuditEntry.Action.ERASE)


def on_report_export(event: DomainEvent) -> None:
    """A report table downloaded as CSV: which table, range and zone (numbers leave the desk)."""
    data = event.data
    audit_record(
        action=AuditEntry.Action.REPORT_EXPORT,
        target_type="report",
        target_id=f"{data['page']}/{data['table']}",
        by_user_id=data.get("by_user_id"),
        at=event.at,
        details={k: data[k] for k in ("start", "end", "zone") if k in data},
    )


def on_admin_log(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    """Copy an admin ``LogEntry``: model and id, the changed fields' names, never the values."""
    if not created:
        return
    kind = instance.content_type
    model = f"{kind.app_label}.{kind.model}" if kind is not None else ""
    action = _ADMIN_ACTIONS.get(instance.action_flag, AuditEntry.Action.ADMIN_CHANGE)
    if model == "orders.apitoken" and instance.action_flag == ADDITION:
        action = AuditEntry.Action.TOKEN_CREATED
    changed: list[str] = []
    for part in _parsed(instance.change_message):
        changed += part.get("changed", {}).get("fields", [])
    audit_record(
        action=action,
        target_type=model,
        target_id=instance.object_id,
        by_user_id=instance.user_id,
        at=instance.action_time,
        details={"fields": changed} if changed else {},
    )


def _parsed(message: str) -> list[dict[str, Any]]:
    import json

    try:
        value = json.loads(message or "[]")
    except ValueError:
        return []
    return [part for part in value if isinstance(part, dict)] if isinstance(value, list) else []


def connect() -> None:
    """Subscribe the audit listeners (idempotent)."""
    subscribe(Event.CONVERSATION_ASSIGNED, on_assigned)
    subscribe(Event.CONVERSATION_RESOLVED, on_resolved)
    subscribe(Event.CUSTOMERS_MERGED, on_merge)
    subscribe(Event.CUSTOMER_EXPORTED, on_export)
    subscribe(Event.CUSTOMER_ERASED, on_erase)
    subscribe(Event.REPORT_EXPORTED, on_report_export)
    post_save.connect(on_admin_log, sender=LogEntry, dispatch_uid="audit.on_admin_log")
