"""Domain events handed to listeners, Chatwoot-style: every event name, the dispatcher.

A service calls ``dispatch`` inside its transaction. Listeners run right there, in the same
transaction, so a fact recorded by a listener (analytics) commits or rolls back with the change
that caused it. A listener that must act after commit (a bot reply, a Celery task) registers its
own ``transaction.on_commit``. ``orders`` and ``analytics`` learn of chat's changes only this way.

Each app subscribes its listeners in one function, ``<app>/listeners.py: connect()``, called
from its ``AppConfig.ready()``; docs/architecture.md lists every listener in the order it runs
(tests/test_architecture.py holds the two to each other).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class Event:
    """The name of every domain event, with who dispatches it and what ``data`` carries.

    Not frame types: the frames sockets receive are ``chat.events.Frame``.
    """

    # Chat (chat/services/): the conversation's life and its messages. Data: visitor_id;
    # by_user_id (None when the shopper's message reopened it); assignee_id,
    # previous_assignee_id, by_user_id, team_id; status, previous, by_user_id (twice).
    CONVERSATION_OPENED = "conversation.opened"
    CONVERSATION_REOPENED = "conversation.reopened"
    CONVERSATION_ASSIGNED = "conversation.assigned"
    CONVERSATION_STATUS_CHANGED = "conversation.status_changed"
    CONVERSATION_RESOLVED = "conversation.resolved"
    # chat/priority.py: priority, previous (names: none … urgent), by_user_id (None when the
    # desk did it: an automation rule).
    CONVERSATION_PRIORITY_CHANGED = "conversation.priority_changed"
    # chat/attributes/: custom attribute values changed on the conversation or its contact:
    # changed ({"conversation": {key: value or None}, "contact": {...}}), by_user_id.
    CONVERSATION_ATTRIBUTES_CHANGED = "conversation.attributes_changed"
    # message_id, seq, sender_kind, sender_user_id, kind, private, conversation (the locked
    # row), assignee_id, team_id, customer_id, created_at, and the caller's extra keys.
    MESSAGE_CREATED = "message.created"
    # Routing (chat/routing/, chat/csat/): a conversation started waiting for a person
    # (team_id, priority, reason); a shopper rated a care cycle (rating_id, rating,
    # resolved_at, assignee_id, team_id).
    CONVERSATION_QUEUED = "conversation.queued"
    CSAT_SUBMITTED = "csat.submitted"
    # Bot (chat/bot/, docs/bot.md): an answer from the knowledge base (entry, confidence), a
    # hand-over to a person (reason), a shopper's "Did this help?" click (choice).
    BOT_ANSWERED = "bot.answered"
    BOT_HANDOVER = "bot.handover"
    BOT_FEEDBACK = "bot.feedback"
    # Orders (orders/services/): customer_id, order_id; shipments add shipment_id and status.
    # The three alerts are dispatched once per order (or shipment) and state (``OrderAlert``).
    ORDER_CANCELLED = "order.cancelled"
    SHIPMENT_DELAYED = "shipment.delayed"
    SHIPMENT_EXCEPTION = "shipment.exception"
    # An agent edited the customer's tags or notes (customer_id).
    CUSTOMER_UPDATED = "customer.updated"
    # Privacy and contacts (orders/privacy.py, orders/services/identity.py): customer_id and
    # who did it, by_user_id (an agent or admin) or by_token_id (the shop's API token), both
    # None when the desk did; a merge adds merged_id (the row that was folded in) and reason.
    CUSTOMERS_MERGED = "customers.merged"
    CUSTOMER_EXPORTED = "customer.exported"
    CUSTOMER_ERASED = "customer.erased"
    # Reports (analytics/views.py): a report table downloaded as CSV (page, table, start, end,
    # zone, by_user_id).
    REPORT_EXPORTED = "report.exported"


EVENT_NAMES = frozenset(
    value for key, value in vars(Event).items() if key.isupper() and isinstance(value, str)
)


@dataclass(frozen=True)
class DomainEvent:
    name: str
    at: dt.datetime
    conversation_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[DomainEvent], None]
_listeners: dict[str, list[Listener]] = defaultdict(list)


def subscribe(name: str, listener: Listener) -> None:
    """Register ``listener`` for the event ``name`` (idempotent). Listeners run in the order
    they subscribed; a name that is not an ``Event`` is a mistake and raises ``ValueError``."""
    if name not in EVENT_NAMES:
        raise ValueError(f"{name!r} is not a domain event (helpdesk.dispatch.Event)")
    if listener not in _listeners[name]:
        _listeners[name].append(listener)


def unsubscribe(name: str, listener: Listener) -> None:
    if listener in _listeners[name]:
        _listeners[name].remove(listener)


def listeners() -> dict[str, list[Listener]]:
    """Every event's listeners, in the order they run (for docs/architecture.md's list)."""
    return {name: list(found) for name, found in _listeners.items() if found}


def dispatch(event: DomainEvent) -> None:
    """Run every listener of ``event.name`` now, inside the caller's transaction."""
    for listener in list(_listeners.get(event.name, ())):
        listener(event)
