"""Reads of custom attributes: the definitions, a conversation's values and its contact's,
and the list filter's condition."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from helpdesk.errors import BadRequest

from ..models import AttributeDefinition, AttributeValue, Conversation
from .values import value_clean

AppliesTo = AttributeDefinition.AppliesTo
Kind = AttributeDefinition.Kind


def definition_payload(definition: AttributeDefinition) -> dict[str, Any]:
    return {
        "id": definition.pk,
        "applies_to": definition.applies_to,
        "key": definition.key,
        "label": definition.label,
        "kind": definition.kind,
        "options": definition.options if definition.kind == Kind.LIST else [],
        "description": definition.description,
    }


def definitions_list() -> list[dict[str, Any]]:
    """Every attribute, conversation ones first, in the manager's order."""
    found = sorted(
        AttributeDefinition.objects.all(),
        key=lambda d: (d.applies_to != AppliesTo.CONVERSATION, d.position, d.label.lower()),
    )
    return [definition_payload(d) for d in found]


def contact_target(conversation: Conversation) -> dict[str, Any]:
    """Where the contact's values of this conversation live: the customer when the shopper is
    known (so they follow the customer across devices and channels), else the visitor."""
    customer_id = conversation.customer_id or conversation.visitor.customer_id
    if customer_id:
        return {"customer_id": customer_id}
    return {"visitor_id": conversation.visitor_id}


# The other conversations of a contact whose sidebars hear of a contact change: the ones not
# resolved (an agent works in those), newest first; a contact with more than this many open
# at once is a bulk import, and a pane opened later reads the values anyway.
CONTACT_CONVERSATIONS_NOTIFIED = 50


def contact_conversation_ids(conversation: Conversation) -> list[int]:
    """The ids of the contact's other unresolved conversations (``contact_target``: by
    customer across their visitors, else by visitor), newest first, at most
    ``CONTACT_CONVERSATIONS_NOTIFIED``."""
    target = contact_target(conversation)
    mine = (
        Q(customer_id=target["customer_id"]) | Q(visitor__customer_id=target["customer_id"])
        if "customer_id" in target
        else Q(visitor_id=target["visitor_id"])
    )
    found = (
        Conversation.objects.filter(mine)
        .exclude(pk=conversation.pk)
        .exclude(status=Conversation.Status.RESOLVED)
        .order_by("-pk")
        .values_list("pk", flat=True)
    )
    return list(found[:CONTACT_CONVERSATIONS_NOTIFIED])


def attributes_of(conversation: Conversation) -> dict[str, dict[str, Any]]:
    """``{"conversation": {key: value}, "contact": {key: value}}`` (set values only); one
    query."""
    target = contact_target(conversation)
    rows = AttributeValue.objects.filter(Q(conversation=conversation) | Q(**target)).values_list(
        "definition__applies_to", "definition__key", "value"
    )
    out: dict[str, dict[str, Any]] = {scope: {} for scope in AppliesTo.values}
    for scope, key, value in rows:
        out[scope][key] = value
    return out


def attribute_filter(spec: str) -> Q:
    """The list's ``attribute=<applies_to>.<key>:<value>`` as a condition on conversations:
    text and links contain the value (any case), the other kinds equal it; ``<key>:`` with
    no value means "set at all". A contact attribute matches through the conversation's
    customer or its visitor."""
    head, sep, raw = spec.partition(":")
    scope, _dot, key = head.partition(".")
    definition = AttributeDefinition.objects.filter(applies_to=scope, key=key).first()
    if not sep or definition is None:
        raise BadRequest(
            "Unknown attribute.", fields={"attribute": ["<applies_to>.<key>:<value>."]}
        )
    values = AttributeValue.objects.filter(definition=definition)
    if raw.strip():
        if definition.kind in (Kind.TEXT, Kind.LINK):
            values = values.filter(value__icontains=raw.strip())
        else:
            try:
                values = values.filter(value=value_clean(definition, raw))
            except ValueError as error:
                raise BadRequest(str(error), fields={"attribute": [str(error)]}) from None
    if definition.applies_to == AppliesTo.CONVERSATION:
        return Q(Exists(values.filter(conversation=OuterRef("pk"))))
    return (
        Q(Exists(values.filter(customer=OuterRef("customer_id"))))
        | Q(Exists(values.filter(customer=OuterRef("visitor__customer_id"))))
        | Q(Exists(values.filter(visitor=OuterRef("visitor_id"))))
    )
