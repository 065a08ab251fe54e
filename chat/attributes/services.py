"""Setting custom attribute values on a conversation and on its contact."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from helpdesk import dispatch
from helpdesk.errors import BadRequest, Forbidden

from .. import events
from ..access import Actor, access_conversation
from ..models import AttributeDefinition, AttributeValue, Conversation
from .selectors import attributes_of, contact_conversation_ids, contact_target
from .values import value_clean

AppliesTo = AttributeDefinition.AppliesTo
MAX_PER_CALL = 50


def check_attribute_values(values: Any) -> list[tuple[AttributeDefinition, Any]]:
    """``{"conversation": {key: raw}, "contact": {key: raw}}`` checked against the
    definitions: each (definition, cleaned value or None), or ``BadRequest`` whose ``fields``
    name every wrong one as ``"<applies_to>.<key>"`` with the message for the agent."""
    if not isinstance(values, dict) or not values or set(values) - set(AppliesTo.values):
        raise BadRequest(
            'Send {"conversation": {...}} and/or {"contact": {...}}.',
            fields={"attributes": ["Invalid."]},
        )
    wanted = [(scope, part) for scope, part in values.items()]
    if any(not isinstance(part, dict) for _scope, part in wanted) or (
        sum(len(part) for _scope, part in wanted) > MAX_PER_CALL
    ):
        raise BadRequest("Up to 50 attributes by key.", fields={"attributes": ["Invalid."]})
    definitions = {
        (d.applies_to, d.key): d
        for d in AttributeDefinition.objects.filter(applies_to__in=list(values))
    }
    errors: dict[str, list[str]] = {}
    cleaned: list[tuple[AttributeDefinition, Any]] = []
    for scope, part in wanted:
        for key, raw in part.items():
            definition = definitions.get((scope, key))
            if definition is None:
                errors[f"{scope}.{key}"] = ["No such attribute."]
                continue
            try:
                cleaned.append((definition, value_clean(definition, raw)))
            except ValueError as error:
                errors[f"{scope}.{key}"] = [str(error)]
    if errors:
        raise BadRequest("Some values do not fit their attribute.", fields=errors)
    return cleaned


def attribute_values_store(
    *,
    conversation: Conversation,
    cleaned: list[tuple[AttributeDefinition, Any]],
    by_user_id: int | None,
) -> dict[str, dict[str, Any]]:
    """Store cleaned values on a conversation the caller has locked and on its contact; None
    clears. Dispatches ``conversation.attributes_changed`` with what changed (nothing changed:
    no event). Returns the changes, ``{"conversation": {key: value}, "contact": {...}}``."""
    changed: dict[str, dict[str, Any]] = {}
    current = attributes_of(conversation)
    target = contact_target(conversation)
    for definition, value in cleaned:
        scope = definition.applies_to
        if current[scope].get(definition.key) == value:
            continue
        where: dict[str, Any] = (
            {"conversation": conversation} if scope == AppliesTo.CONVERSATION else target
        )
        if value is None:
            AttributeValue.objects.filter(definition=definition, **where).delete()
        else:
            AttributeValue.objects.update_or_create(
                definition=definition,
                **where,
                defaults={"value": value, "updated_by_id": by_user_id},
            )
        changed.setdefault(scope, {})[definition.key] = value
    if changed:
        dispatch.dispatch(
            dispatch.DomainEvent(
                name=dispatch.Event.CONVERSATION_ATTRIBUTES_CHANGED,
                at=timezone.now(),
                conversation_id=conversation.pk,
                data={"changed": changed, "by_user_id": by_user_id},
            )
        )
        # The other desks' lists hear of it (the payload has no attributes); the agents with
        # it open get the values, so their sidebars follow without asking.
        events.publish_conversation(conversation, shopper=False)
        events.publish(
            [events.group_conversation(conversation.pk)],
            {
                "type": events.Frame.CONVERSATION_ATTRIBUTES_CHANGED,
                "conversation": conversation.pk,
                "changed": changed,
                "by": by_user_id,
            },
        )
        if AppliesTo.CONTACT in changed:
            _publish_to_contacts_other_conversations(
                conversation, changed[AppliesTo.CONTACT], by_user_id
            )
    return changed


def _publish_to_contacts_other_conversations(
    conversation: Conversation, contact_changed: dict[str, Any], by_user_id: int | None
) -> None:
    """The contact's values are shared by all their conversations: the sidebars open on the
    others (another pane, another agent) follow too, each told as its own conversation."""
    for other_id in contact_conversation_ids(conversation):
        events.publish(
            [events.group_conversation(other_id)],
            {
                "type": events.Frame.CONVERSATION_ATTRIBUTES_CHANGED,
                "conversation": other_id,
                "changed": {AppliesTo.CONTACT: contact_changed},
                "by": by_user_id,
            },
        )


def conversation_attributes_set(*, actor: Actor, conversation_id: int, values: Any) -> Conversation:
    """An agent sets attribute values of the conversation and of its contact, all or none."""
    if actor.user is None:
        raise Forbidden("Only agents can set attributes.")
    cleaned = check_attribute_values(values)
    with transaction.atomic():
        conversation = access_conversation(
            actor=actor, conversation_id=conversation_id, for_update=True
        )
        attribute_values_store(conversation=conversation, cleaned=cleaned, by_user_id=actor.user.pk)
    return conversation
