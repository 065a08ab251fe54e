"""Writing the audit log (the listeners call ``audit_record``; nothing else writes it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from .models import AuditEntry


def audit_record(
    *,
    action: str,
    target_type: str,
    target_id: object,
    by_user_id: int | None = None,
    by_token_id: int | None = None,
    at: dt.datetime | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Store one entry, inside the caller's transaction (the action and its record commit or
    roll back together). The actor is a user, else an API token, else the desk itself; the
    user's name is copied so the entry reads the same after the account is gone."""
    if by_user_id is not None:
        kind = AuditEntry.ActorKind.USER
        actor_id: int | None = by_user_id
        name = (
            get_user_model().objects.filter(pk=by_user_id).values_list("username", flat=True)
        ).first() or ""
    elif by_token_id is not None:
        kind, actor_id = AuditEntry.ActorKind.TOKEN, by_token_id
        name = f"token #{by_token_id}"
    else:
        kind, actor_id, name = AuditEntry.ActorKind.SYSTEM, None, ""
    return AuditEntry.objects.create(
        at=at or timezone.now(),
        action=action,
        actor_kind=kind,
        actor_id=actor_id,
        actor_name=name,
        target_type=target_type,
        target_id="" if target_id is None else str(target_id),
        details=details or {},
    )
