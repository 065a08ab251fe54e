"""The one access function for conversations.

Every read or write of a conversation, over REST or WebSocket, goes through
``access_conversation``. A conversation the actor may not see raises ``NotFound``: "not yours"
looks exactly like "does not exist".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from helpdesk.errors import NotFound

from .models import Conversation, Visitor

AGENT_GROUPS = ("Agents", "Supervisors")


def is_agent(user: Any) -> bool:
    """An active user in Agents or Supervisors (or a superuser). Cached on the user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    cached = getattr(user, "_helpdesk_is_agent", None)
    if cached is None:
        cached = bool(
            getattr(user, "is_superuser", False)
            or user.groups.filter(name__in=AGENT_GROUPS).exists()
        )
        user._helpdesk_is_agent = cached
    return cached


def is_supervisor(user: Any) -> bool:
    if not is_agent(user):
        return False
    return bool(user.is_superuser or user.groups.filter(name="Supervisors").exists())


@dataclass(frozen=True)
class Actor:
    """Who is acting: an agent (Django user) or a shopper (visitor)."""

    user: Any = None
    visitor: Visitor | None = None

    @property
    def is_agent(self) -> bool:
        return self.user is not None

    @property
    def key(self) -> str:
        if self.user is not None:
            return f"agent:{self.user.pk}"
        assert self.visitor is not None
        return f"visitor:{self.visitor.pk}"


def conversations_visible_to(actor: Actor) -> QuerySet[Conversation]:
    """The conversations ``actor`` may see. Agents see the whole desk; a shopper sees their own,
    and a verified customer also those of their other devices."""
    qs = Conversation.objects.all()
    if actor.user is not None:
        return qs if is_agent(actor.user) else qs.none()
    visitor = actor.visitor
    if visitor is None:
        return qs.none()
    cond = Q(visitor_id=visitor.pk)
    if visitor.customer_id:
        cond |= Q(customer_id=visitor.customer_id)
    return qs.filter(cond)


def access_conversation(
    *, actor: Actor, conversation_id: Any, for_update: bool = False
) -> Conversation:
    """The conversation ``conversation_id`` if ``actor`` may see it, else ``NotFound``.

    ``for_update`` takes the row lock that serialises writers of one conversation (seq
    allocation, status changes); call it inside a transaction.
    """
    try:
        pk = int(conversation_id)
    except (TypeError, ValueError):
        raise NotFound("Conversation not found.") from None
    if pk <= 0 or pk > 2**63 - 1:
        raise NotFound("Conversation not found.")
    qs = conversations_visible_to(actor)
    if for_update:
        # No select_related here: after waiting for the lock, PostgreSQL re-checks the locked
        # row but keeps the joined rows it read before the wait, so a concurrently assigned
        # conversation would come back with assignee_id set and a stale (NULL) assignee.
        qs = qs.select_for_update(of=("self",))
    conversation = qs.filter(pk=pk).first()
    if conversation is None:
        raise NotFound("Conversation not found.")
    return conversation
