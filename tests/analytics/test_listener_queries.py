"""The message listener's cost on the chat hot path: statements per message, pinned.

``message.created`` carries the conversation's team, assignee, customer and start (chat
adds them to the event); without them the listener reads the conversation first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum

from analytics.listeners.messages import on_message
from analytics.models import ConversationTrack, Fact, MessageCount
from chat.models import Conversation
from helpdesk import dispatch
from tests.factories import T0, agent_at, make_agent, make_visitor, shopper_at

pytestmark = pytest.mark.django_db


def event(
    conv: Conversation,
    seconds: float,
    sender_kind: str,
    *,
    user: Any = None,
    full: bool = True,
    private: bool = False,
) -> dispatch.DomainEvent:
    data: dict[str, Any] = {
        "message_id": None,
        "sender_kind": sender_kind,
        "sender_user_id": getattr(user, "pk", None),
        "kind": "text",
        "private": private,
    }
    if full:
        data |= {
            "team_id": conv.team_id,
            "assignee_id": conv.assignee_id,
            "customer_id": conv.customer_id,
            "created_at": conv.created_at,
        }
    return dispatch.DomainEvent(
        name=dispatch.Event.MESSAGE_CREATED,
        at=T0 + dt.timedelta(seconds=seconds),
        conversation_id=conv.pk,
        data=data,
    )


def counted(conv: Conversation, sender: int) -> int:
    rows = MessageCount.objects.filter(conversation_id=conv.pk, sender=sender)
    return rows.aggregate(n=Sum("count"))["n"] or 0


def test_shopper_message_while_awaiting_is_one_statement(django_assert_num_queries: Any) -> None:
    conv = shopper_at(make_visitor(), 0)  # the conversation now awaits a reply
    conv.refresh_from_db()
    with django_assert_num_queries(1):
        on_message(event(conv, 30, "visitor"))
    assert counted(conv, Fact.Sender.VISITOR) == 2
    # The wait still starts at the first message (a later one does not restart it).
    assert ConversationTrack.objects.get(pk=conv.pk).awaiting_since == T0


def test_shopper_message_starting_a_wait_is_one_statement(
    django_assert_num_queries: Any,
) -> None:
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 0)
    agent_at(ana, conv, 20)
    conv.refresh_from_db()
    with django_assert_num_queries(1):
        on_message(event(conv, 40, "visitor"))
    assert ConversationTrack.objects.get(pk=conv.pk).awaiting_since == T0 + dt.timedelta(seconds=40)


def test_without_the_conversation_in_the_event_it_is_read(
    django_assert_num_queries: Any,
) -> None:
    conv = shopper_at(make_visitor(), 0)
    conv.refresh_from_db()
    with django_assert_num_queries(2):
        on_message(event(conv, 30, "visitor", full=False))
    assert counted(conv, Fact.Sender.VISITOR) == 2


def test_bot_and_note_are_one_statement(django_assert_num_queries: Any) -> None:
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 0)
    conv.refresh_from_db()
    with django_assert_num_queries(1):
        on_message(event(conv, 5, "bot"))
    track = ConversationTrack.objects.get(pk=conv.pk)
    assert track.bot_answered and track.awaiting_since is None
    with django_assert_num_queries(1):
        on_message(event(conv, 6, "bot"))  # nothing changes: the track is not written
    with django_assert_num_queries(1):
        on_message(event(conv, 7, "agent", user=ana, private=True))
    assert counted(conv, Fact.Sender.BOT) == 2
    note = MessageCount.objects.get(conversation_id=conv.pk, private=True)
    assert (note.sender, note.agent_id, note.count) == (Fact.Sender.AGENT, ana.pk, 1)


def test_agent_reply(django_assert_num_queries: Any) -> None:
    ana = make_agent("ana")
    conv = shopper_at(make_visitor(), 0)
    conv.refresh_from_db()
    # Ends the wait: count + read the track, the facts it ends, the track's changed fields.
    with django_assert_num_queries(3):
        on_message(event(conv, 60, "agent", user=ana))
    assert {f.kind for f in Fact.objects.filter(conversation_id=conv.pk, at__gt=T0)} == {
        Fact.Kind.FIRST_RESPONSE,
        Fact.Kind.REPLY_WAIT,
    }
    # A second reply with nobody waiting: counted, nothing else written.
    with django_assert_num_queries(1):
        on_message(event(conv, 70, "agent", user=ana))
    assert counted(conv, Fact.Sender.AGENT) == 2
    assert MessageCount.objects.get(conversation_id=conv.pk, sender=Fact.Sender.AGENT).agent_id == (
        ana.pk
    )


def test_conversation_older_than_analytics_gets_a_track() -> None:
    conv = shopper_at(make_visitor(), 0)
    conv.refresh_from_db()
    ConversationTrack.objects.all().delete()
    with transaction.atomic():
        on_message(event(conv, 30, "visitor"))
    track = ConversationTrack.objects.get(pk=conv.pk)
    assert track.awaiting_since == T0 + dt.timedelta(seconds=30)
    assert track.opened_at == conv.created_at
    ConversationTrack.objects.all().delete()
    with transaction.atomic():
        on_message(event(conv, 40, "bot", full=False))
    assert ConversationTrack.objects.get(pk=conv.pk).bot_answered


def test_each_upsert_takes_a_new_seq() -> None:
    conv = shopper_at(make_visitor(), 0)
    conv.refresh_from_db()
    first = MessageCount.objects.get(conversation_id=conv.pk).seq
    with transaction.atomic():
        on_message(event(conv, 30, "visitor"))
    row = MessageCount.objects.get(conversation_id=conv.pk)
    assert row.count == 2 and row.seq > first
    # Another hour is another row.
    with transaction.atomic():
        on_message(event(conv, 3600, "visitor"))
    assert MessageCount.objects.filter(conversation_id=conv.pk).count() == 2
