"""Labels on conversations: the list of labels, the labels of a conversation in the staff
view, and applying them to many conversations at once (the workspace's bulk action)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import prefetch_related_objects

from helpdesk.errors import BadRequest

from . import events
from .access import Actor, access_conversation
from .models import Conversation, Label

MAX_BULK = 200


def labels_list() -> list[dict[str, Any]]:
    """Every label, by name."""
    return [label_payload(label) for label in Label.objects.all()]


def label_payload(label: Label) -> dict[str, Any]:
    return {"id": label.pk, "name": label.name, "color": label.color}


def labels_payload(conversation: Conversation, staff: bool) -> dict[str, Any]:
    """``labels`` in the staff view, when the caller prefetched them (the list, the detail,
    a label change). Elsewhere (the message path) the key is left out and costs no query:
    a client keeps the labels it has until a payload carries ``labels`` again."""
    cache = getattr(conversation, "_prefetched_objects_cache", {})
    if not staff or "labels" not in cache:
        return {}
    return {"labels": [label_payload(x) for x in cache["labels"]]}


def labels_prefetch(conversations: list[Conversation]) -> None:
    """Each conversation's labels, by name, where ``prefetch_related("labels")`` leaves them
    (what ``labels_payload`` reads), in one query of the link table with its labels. The cache
    holds a list: Django's prefetch builds a related manager and a filtered queryset per
    conversation, ~20 % of the workspace list's Python time for 50 rows (docs/performance.md)."""
    if not conversations:
        return
    links = (
        Label.conversations.through.objects.filter(
            conversation_id__in=[conversation.pk for conversation in conversations]
        )
        .select_related("label")
        .order_by("label__name")
    )
    found: dict[int, list[Label]] = {}
    for link in links:
        found.setdefault(link.conversation_id, []).append(link.label)
    for conversation in conversations:
        cache = conversation.__dict__.setdefault("_prefetched_objects_cache", {})
        cache["labels"] = found.get(conversation.pk, [])


def with_labels(conversation: Conversation) -> Conversation:
    """``conversation`` with its labels prefetched (one query), for a payload that shows them."""
    prefetch_related_objects([conversation], "labels")
    return conversation


def _ids(value: Any, name: str) -> list[int]:
    if not isinstance(value, list) or not all(
        isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in value
    ):
        raise BadRequest(f"{name} must be a list of ids.", fields={name: ["Invalid."]})
    return list(dict.fromkeys(value))


def conversations_label(
    *, actor: Actor, conversation_ids: Any, add: Any = (), remove: Any = ()
) -> list[Conversation]:
    """Add and remove labels on each of ``conversation_ids`` (as many as the list shows).
    Every conversation goes through the access function; an unknown label id is refused and
    nothing changes. Each changed conversation is published to the agents after commit."""
    ids = _ids(conversation_ids, "conversations")
    adding, removing = _ids(list(add), "add"), _ids(list(remove), "remove")
    if not ids or len(ids) > MAX_BULK:
        raise BadRequest(
            f"Label 1 to {MAX_BULK} conversations at a time.", fields={"conversations": ["Size."]}
        )
    if not adding and not removing:
        raise BadRequest("Nothing to add or remove.", fields={"add": ["Empty."]})
    labels = {label.pk: label for label in Label.objects.filter(pk__in=adding + removing)}
    unknown = [x for x in adding + removing if x not in labels]
    if unknown:
        raise BadRequest("Unknown label.", fields={"add": [f"No label {unknown[0]}."]})
    through = Label.conversations.through
    with transaction.atomic():
        conversations = [access_conversation(actor=actor, conversation_id=x) for x in ids]
        if removing:
            through.objects.filter(conversation_id__in=ids, label_id__in=removing).delete()
        if adding:
            through.objects.bulk_create(
                [through(conversation_id=c, label_id=x) for c in ids for x in adding],
                ignore_conflicts=True,
            )
        # Publishing raises each row's version under its lock: in id order, so two bulk
        # actions over crossing selections wait for each other instead of deadlocking.
        for conversation in sorted(conversations, key=lambda c: c.pk):
            events.publish_conversation(with_labels(conversation), shopper=False)
    return conversations
