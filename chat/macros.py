"""Macros: one click runs several actions on a conversation (reply, note, label, assign to
me, set priority, resolve), in order and in one transaction, each through the service that
does it alone."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from helpdesk.errors import NotFound

from .access import Actor, access_conversation
from .canned.selectors import fill_placeholders, placeholder_values
from .labels import conversations_label
from .models import Conversation, Label, Macro
from .models.macros import macro_actions_check
from .priority.services import conversation_priority_set
from .services.conversations import conversation_assign, conversation_status_set
from .services.message_send import message_send


def macros_list() -> list[dict[str, Any]]:
    return [{"id": m.pk, "name": m.name} for m in Macro.objects.all()]


def macro_run(*, actor: Actor, macro_id: int, conversation_id: int) -> Conversation:
    """Run the macro's actions on the conversation as ``actor``; all or nothing."""
    macro = Macro.objects.filter(pk=macro_id).first()
    if macro is None or actor.user is None:
        raise NotFound("Macro not found.")
    try:
        actions = macro_actions_check(macro.actions)
    except ValidationError as error:
        raise NotFound("Macro not usable: " + "; ".join(error.messages)) from None
    run = uuid.uuid4().hex[:12]
    with transaction.atomic():
        conversation = access_conversation(actor=actor, conversation_id=conversation_id)
        for n, action in enumerate(actions):
            kind = action["type"]
            if kind in ("reply", "note"):
                full = Conversation.objects.select_related("customer", "visitor").get(
                    pk=conversation.pk
                )
                text, _missing = fill_placeholders(
                    action["text"], placeholder_values(conversation=full, agent=actor.user)
                )
                message_send(
                    actor=actor,
                    client_id=f"macro-{run}-{n}",
                    body=text,
                    conversation_id=conversation.pk,
                    private=kind == "note",
                )
            elif kind == "label":
                label = Label.objects.get(name=action["label"])
                conversations_label(actor=actor, conversation_ids=[conversation.pk], add=[label.pk])
            elif kind == "assign_me":
                conversation_assign(
                    actor=actor, conversation_id=conversation.pk, assignee_id=actor.user.pk
                )
            elif kind == "priority":
                conversation_priority_set(
                    actor=actor, conversation_id=conversation.pk, priority=action["priority"]
                )
            elif kind == "resolve":
                conversation_status_set(
                    actor=actor, conversation_id=conversation.pk, status="resolved"
                )
    return Conversation.objects.get(pk=conversation.pk)
