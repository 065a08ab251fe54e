"""Hand-built conversations at known times, through the real chat services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import time_machine
from django.db import transaction

from chat import services
from chat.access import Actor
from chat.models import Conversation
from helpdesk import dispatch
from tests.factories import agent_says, shopper_says

# A Monday, 09:00 UTC.
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@contextmanager
def at(seconds: float, base: dt.datetime = T0) -> Iterator[dt.datetime]:
    moment = base + dt.timedelta(seconds=seconds)
    with time_machine.travel(moment, tick=False):
        yield moment


def shopper(visitor: Any, seconds: float, body: str = "hello") -> Conversation:
    with at(seconds):
        return shopper_says(visitor, body).conversation


def agent(user: Any, conversation: Conversation, seconds: float, body: str = "hi") -> None:
    with at(seconds):
        agent_says(user, conversation, body)


def assign(by: Any, conversation: Conversation, to: Any, seconds: float) -> None:
    with at(seconds):
        services.conversation_assign(
            actor=Actor(user=by), conversation_id=conversation.pk, assignee_id=to.pk
        )


def status(by: Any, conversation: Conversation, value: str, seconds: float) -> None:
    with at(seconds):
        services.conversation_status_set(
            actor=Actor(user=by), conversation_id=conversation.pk, status=value
        )


def bot(conversation: Conversation, seconds: float, body: str = "Here is the answer") -> None:
    """A bot reply, the way the bot writes one (message_create on the locked row)."""
    with at(seconds), transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        services.message_create(conversation=locked, sender_kind="bot", body=body)


def handover(conversation: Conversation, seconds: float) -> None:
    """The bot hands the conversation to a person (``bot.handover``, docs/bot.md)."""
    with at(seconds) as moment, transaction.atomic():
        dispatch.dispatch(
            dispatch.DomainEvent(
                name="bot.handover",
                at=moment,
                conversation_id=conversation.pk,
                data={"reason": "requested"},
            )
        )


def csat(conversation: Conversation, score: int, seconds: float) -> None:
    """A shopper's rating as routing dispatches it (docs/routing.md: ``csat.submitted``)."""
    conversation.refresh_from_db()
    with at(seconds) as moment, transaction.atomic():
        dispatch.dispatch(
            dispatch.DomainEvent(
                name="csat.submitted",
                at=moment,
                conversation_id=conversation.pk,
                data={
                    "rating_id": None,
                    "rating": score,
                    "resolved_at": None,
                    "assignee_id": conversation.assignee_id,
                    "team_id": conversation.team_id,
                },
            )
        )
