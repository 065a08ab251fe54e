"""Domain events handed to listeners, Chatwoot-style.

A service calls ``dispatch`` inside its transaction. Listeners run right there, in the same
transaction, so a fact recorded by a listener (analytics) commits or rolls back with the change
that caused it. A listener that must act after commit (a bot reply, a Celery task) registers its
own ``transaction.on_commit``. Apps subscribe in their ``AppConfig.ready``; ``orders`` and
``analytics`` learn of chat's changes only this way.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Names of the domain events services dispatch.
CONVERSATION_OPENED = "conversation.opened"
CONVERSATION_REOPENED = "conversation.reopened"
CONVERSATION_ASSIGNED = "conversation.assigned"
CONVERSATION_STATUS_CHANGED = "conversation.status_changed"
CONVERSATION_RESOLVED = "conversation.resolved"
MESSAGE_CREATED = "message.created"
READ_MOVED = "read.moved"
# Routing (chat.queue): a conversation started waiting for a person; a shopper rated a care cycle.
CONVERSATION_QUEUED = "conversation.queued"
CSAT_SUBMITTED = "csat.submitted"
# Bot (chat.bot, docs/bot.md): an answer from the knowledge base (entry, confidence), a
# hand-over to a person (reason), a shopper's "Did this help?" click (choice).
BOT_ANSWERED = "bot.answered"
BOT_HANDOVER = "bot.handover"
BOT_FEEDBACK = "bot.feedback"


@dataclass(frozen=True)
class DomainEvent:
    name: str
    at: dt.datetime
    conversation_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


Listener = Callable[[DomainEvent], None]
_listeners: dict[str, list[Listener]] = defaultdict(list)


def subscribe(name: str, listener: Listener) -> None:
    """Register ``listener`` for the event ``name`` (idempotent)."""
    if listener not in _listeners[name]:
        _listeners[name].append(listener)


def unsubscribe(name: str, listener: Listener) -> None:
    if listener in _listeners[name]:
        _listeners[name].remove(listener)


def dispatch(event: DomainEvent) -> None:
    """Run every listener of ``event.name`` now, inside the caller's transaction."""
    for listener in list(_listeners.get(event.name, ())):
        listener(event)
