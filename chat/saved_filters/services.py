"""Saving, listing and deleting saved filters."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from helpdesk.errors import BadRequest, NotFound

from .. import events
from ..access import Actor
from ..models import SavedFilter

# The list's query parameters a filter may hold (docs/protocol.md): view (mine, unassigned,
# all or a part's tab), status, channel, label, priority, sort and the search words.
KEYS = ("view", "status", "channel", "label", "priority", "sort", "q")
MAX_VALUE = 100
MAX_PER_AGENT = 50


def clean_filters(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise BadRequest("filters must be an object.", fields={"filters": ["Invalid."]})
    unknown = sorted(set(raw) - set(KEYS))
    if unknown:
        raise BadRequest(
            f"Unknown filter {unknown[0]!r}.", fields={"filters": [f"One of {', '.join(KEYS)}."]}
        )
    out: dict[str, str] = {}
    for key in KEYS:
        value = raw.get(key)
        if value in (None, ""):
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise BadRequest(f"{key} must be a string.", fields={"filters": ["Invalid."]})
        value = str(value).strip()
        if len(value) > MAX_VALUE:
            raise BadRequest(f"{key} is too long.", fields={"filters": ["Too long."]})
        if value:
            out[key] = value
    return out


def visible_to(user: Any) -> QuerySet[SavedFilter]:
    """The agent's own filters and the ones others shared, by name."""
    return (
        SavedFilter.objects.filter(Q(owner=user) | Q(shared=True))
        .select_related("owner__agent_profile")
        .order_by("name", "pk")
    )


def payload(saved: SavedFilter, user: Any) -> dict[str, Any]:
    return {
        "id": saved.pk,
        "name": saved.name,
        "shared": saved.shared,
        "mine": saved.owner_id == user.pk,
        "owner": {"id": saved.owner_id, "name": events.sender_name(Actor(user=saved.owner))},
        "filters": saved.filters,
    }


def saved_filter_save(*, user: Any, name: Any, filters: Any, shared: Any = False) -> SavedFilter:
    """Create the agent's filter ``name``, or replace the one they have by that name."""
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 80:
        raise BadRequest("name must be 1-80 characters.", fields={"name": ["Invalid."]})
    if not isinstance(shared, bool):
        raise BadRequest("shared must be true or false.", fields={"shared": ["Invalid."]})
    clean = clean_filters(filters)
    name = name.strip()
    with transaction.atomic():
        existing = SavedFilter.objects.select_for_update().filter(owner=user, name=name).first()
        if existing is not None:
            existing.filters, existing.shared = clean, shared
            existing.save(update_fields=["filters", "shared"])
            return existing
        if SavedFilter.objects.filter(owner=user).count() >= MAX_PER_AGENT:
            raise BadRequest(f"At most {MAX_PER_AGENT} saved filters.", fields={"name": ["Full."]})
        try:
            with transaction.atomic():
                return SavedFilter.objects.create(
                    owner=user, name=name, filters=clean, shared=shared
                )
        except IntegrityError:  # the same name saved at the same moment from another tab
            saved = SavedFilter.objects.get(owner=user, name=name)
            saved.filters, saved.shared = clean, shared
            saved.save(update_fields=["filters", "shared"])
            return saved


def saved_filter_delete(*, user: Any, saved_id: int) -> None:
    """Only the owner deletes a filter; another agent's, shared or not, is not found."""
    deleted, _ = SavedFilter.objects.filter(pk=saved_id, owner=user).delete()
    if not deleted:
        raise NotFound("Saved filter not found.")
