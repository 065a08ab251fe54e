"""Handing an unreachable agent's conversations back to the queue (after the grace period)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from chat import events
from chat.access import Actor
from chat.events import sender_name
from chat.models import Conversation
from chat.services.conversations import conversation_assignee_set
from chat.services.messages import activity_create

from . import selectors
from .services import PRIORITY_HANDED_BACK, conversation_enqueue


def conversations_hand_back(*, user_id: int) -> list[int]:
    """Return an unreachable agent's open conversations to the queue (ahead of new ones)."""
    ids = list(
        Conversation.objects.filter(
            assignee_id=user_id, status__in=selectors.LOAD_STATUSES
        ).values_list("pk", flat=True)
    )
    handed: list[int] = []
    for conversation_id in ids:
        with transaction.atomic():
            conversation = (
                Conversation.objects.select_for_update(of=("self",))
                .select_related("assignee__agent_profile")
                .filter(pk=conversation_id, assignee_id=user_id, status__in=selectors.LOAD_STATUSES)
                .first()
            )
            if conversation is None:
                continue
            name = sender_name(Actor(user=conversation.assignee))
            conversation_assignee_set(conversation=conversation, assignee=None, by=None)
            activity_create(
                conversation=conversation,
                text=_("%(name)s went offline; the conversation went back to the queue")
                % {"name": name},
            )
            events.publish_conversation(conversation)
            conversation_enqueue(
                conversation_id=conversation.pk,
                reason="agent_offline",
                priority=PRIORITY_HANDED_BACK,
            )
            handed.append(conversation.pk)
    return handed
