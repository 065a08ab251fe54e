"""The one access function for conversations.

Every read or write of a conversation, over REST or WebSocket, goes through
``access_conversation``. A conversation the actor may not see raises ``NotFound``: "not yours"
looks exactly like "does not exist".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from helpdesk.errors import NotFound

from .models import Conversation, Visitor
from .statements import conversation_load, row_lock

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


def can_use_admin(user: Any) -> bool:
    """Whether the admin has anything for ``user``: staff with at least one permission (or a
    superuser). Desk access is ``is_agent`` and is a different thing: agents are not staff
    unless they manage something (docs/security.md)."""
    if user is None or not user.is_authenticated or not user.is_active or not user.is_staff:
        return False
    return bool(user.is_superuser or user.get_all_permissions())


@dataclass(frozen=True)
class Actor:
    """Who is acting: an agent (Django user) or a shopper (visitor)."""

    user: Any = None
    visitor: Visitor | None = None

    @property
    def key(self) -> str:
        if self.user is not None:
            return f"agent:{self.user.pk}"
        assert self.visitor is not None
        return f"visitor:{self.visitor.pk}"


def _visibility(actor: Actor) -> tuple[str, tuple[int, ...]] | None:
    """Which rule decides what ``actor`` may see, with its values; None: nothing."""
    if actor.user is not None:
        return ("staff", ()) if is_agent(actor.user) else None
    visitor = actor.visitor
    if visitor is None:
        return None
    if visitor.customer_id:
        return "customer", (visitor.pk, visitor.customer_id)
    return "visitor", (visitor.pk,)


# Agents see the whole desk; a shopper sees their own conversations, and a verified customer
# also those of their other devices.
_RULES: dict[str, Callable[..., QuerySet[Conversation]]] = {
    "staff": lambda: Conversation.objects.all(),
    "visitor": lambda visitor_id: Conversation.objects.filter(visitor_id=visitor_id),
    "customer": lambda visitor_id, customer_id: Conversation.objects.filter(
        Q(visitor_id=visitor_id) | Q(customer_id=customer_id)
    ),
}


def conversations_visible_to(actor: Actor) -> QuerySet[Conversation]:
    """The conversations ``actor`` may see (the rules above)."""
    rule = _visibility(actor)
    if rule is None:
        return Conversation.objects.none()
    name, values = rule
    return _RULES[name](*values)


# The same rules as the message path's row lock, one statement each: the conversation id,
# then the rule's values (``_visibility``). ``tests/chat/test_statements.py`` holds each
# against its rule above.
LOCK_SQL = {
    "staff": "SELECT id FROM chat_conversation WHERE id = %s FOR UPDATE",
    "visitor": "SELECT id FROM chat_conversation WHERE id = %s AND visitor_id = %s FOR UPDATE",
    "customer": (
        "SELECT id FROM chat_conversation"
        " WHERE id = %s AND (visitor_id = %s OR customer_id = %s) FOR UPDATE"
    ),
}


def _lock(actor: Actor, pk: int) -> bool:
    """Lock the row of conversation ``pk`` if ``actor`` may see it; False if not."""
    rule = _visibility(actor)
    if rule is None:
        return False
    name, values = rule
    return row_lock(LOCK_SQL[name], [pk, *values])


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
    if for_update:
        if not _lock(actor, pk):
            raise NotFound("Conversation not found.")
        return conversation_locked_load(pk)
    conversation = conversations_visible_to(actor).filter(pk=pk).first()
    if conversation is None:
        raise NotFound("Conversation not found.")
    return conversation


def conversation_locked_load(pk: int) -> Conversation:
    """A conversation whose row the caller has just locked, with the rows its payload reads.

    Loaded by a second query rather than joined into the ``SELECT … FOR UPDATE``: after waiting
    for the lock, PostgreSQL re-checks the locked row but keeps the joined rows it read before
    the wait, so a conversation assigned meanwhile would come back with ``assignee_id`` set and
    a stale assignee. Read after the lock, every row is current and stays so until commit.
    """
    conversation = conversation_load(pk)
    if conversation is None:
        raise Conversation.DoesNotExist(f"Conversation {pk} does not exist.")
    return conversation
