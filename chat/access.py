"""The one access function for conversations.

Every read or write of a conversation, over REST or WebSocket, goes through
``access_conversation``. A conversation the actor may not see raises ``NotFound``: "not yours"
looks exactly like "does not exist".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from helpdesk.compiled import Compiled
from helpdesk.errors import NotFound

from .models import Conversation, Visitor

AGENT_GROUPS = ("Agents", "Supervisors")
# The rows the staff view of a conversation reads (assignee name, team, visitor, the routing
# and bot payload hooks): joined wherever a conversation is loaded to be published or listed,
# so building its payload costs no query of its own.
CONVERSATION_RELATED = (
    "assignee__agent_profile",
    "team",
    "visitor__customer",
    "routing",
    "bot_state",
)


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
    return _shopper_visible(visitor.pk, visitor.customer_id)


def _shopper_visible(visitor_id: int, customer_id: int | None) -> QuerySet[Conversation]:
    cond = Q(visitor_id=visitor_id)
    if customer_id:
        cond |= Q(customer_id=customer_id)
    return Conversation.objects.filter(cond)


def _locking(qs: QuerySet[Conversation], pk: int) -> QuerySet[Conversation, int]:
    return qs.filter(pk=pk).select_for_update(of=("self",)).values_list("pk", flat=True)


# The row lock of the message path, compiled once (helpdesk/compiled.py), one per shape of
# ``conversations_visible_to``: agent, anonymous shopper, verified customer.
_LOCK_STAFF = Compiled(lambda pk: _locking(Conversation.objects.all(), pk), [-7_000_001])
_LOCK_VISITOR = Compiled(
    lambda v, pk: _locking(_shopper_visible(v, None), pk), [-7_000_002, -7_000_001]
)
_LOCK_CUSTOMER = Compiled(
    lambda v, c, pk: _locking(_shopper_visible(v, c), pk), [-7_000_002, -7_000_003, -7_000_001]
)
_LOAD = Compiled(
    lambda pk: Conversation.objects.select_related(*CONVERSATION_RELATED).filter(pk=pk),
    [-7_000_001],
)


def _lock(actor: Actor, pk: int) -> bool:
    """Lock the row of conversation ``pk`` if ``actor`` may see it; False if not."""
    if actor.user is not None:
        return is_agent(actor.user) and _LOCK_STAFF.first(pk) is not None
    visitor = actor.visitor
    if visitor is None:
        return False
    if visitor.customer_id:
        return _LOCK_CUSTOMER.first(visitor.pk, visitor.customer_id, pk) is not None
    return _LOCK_VISITOR.first(visitor.pk, pk) is not None


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
    conversation: Conversation | None = _LOAD.first(pk)
    if conversation is None:
        raise Conversation.DoesNotExist(f"Conversation {pk} does not exist.")
    return conversation
