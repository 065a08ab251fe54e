"""Statements per inbound email event in the worker (``inboxes.queue.event_process``), pinned.

The door stored the event; the worker turns it into one message through the one inbound path.
What is pinned is the channels' own share: every statement of the event except those of
``chat.services.message_send`` (the chat core's message path, counted and pinned by
tests/chat/test_query_counts.py), so a change there does not move these numbers. Counted
inside the test's transaction: production has BEGIN / COMMIT where this shows the outermost
SAVEPOINT pair.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.models import Channel, Message
from inboxes import inbound as inbound_module
from inboxes.models import InboundEvent
from inboxes.queue import event_accept, event_process

pytestmark = pytest.mark.django_db


def _mail(n: int, sender: str = "jane@example.com", extra: str = "") -> bytes:
    return (
        f"From: Jane <{sender}>\r\nTo: support@shop.test\r\nSubject: Parcel {n}\r\n"
        f"Message-ID: <q-{n}@example.com>\r\n{extra}"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Where is my parcel {n}?\r\n\r\nOn Mon, Shop wrote:\r\n> earlier\r\n"
    ).encode()


def _process(channel: Channel, n: int, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> list[str]:
    """The statements of the event's processing that are not ``message_send``'s."""
    assert event_accept(channel=channel, external_id=f"q-{n}@example.com", payload=_mail(n, **kw))
    event = InboundEvent.objects.get(external_id=f"q-{n}@example.com")
    core: list[tuple[int, int]] = []
    real = inbound_module.message_send

    with CaptureQueriesContext(connection) as queries:

        def counted(**kwargs: Any) -> Any:
            start = len(queries.captured_queries)
            try:
                return real(**kwargs)
            finally:
                core.append((start, len(queries.captured_queries)))

        monkeypatch.setattr(inbound_module, "message_send", counted)
        assert event_process(event_id=event.pk) == "done"
        monkeypatch.setattr(inbound_module, "message_send", real)
    assert len(core) == 1  # one message_send per event
    start, end = core[0]
    sql = [q["sql"] for q in queries.captured_queries]
    return sql[:start] + sql[end:]


def test_statements_of_one_inbound_email_event(
    email_channel: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A new shopper: contact, customer and identity made, a new conversation.
    first = _process(email_channel, 1, monkeypatch)
    # A known shopper's new mail: a new thread.
    second = _process(email_channel, 2, monkeypatch)
    # An answer in that thread (In-Reply-To).
    reply = _process(email_channel, 3, monkeypatch, extra="In-Reply-To: <q-2@example.com>\r\n")
    shown = "\n".join(s[:120] for s in reply)
    # The try is counted and the event read in one statement, the channel from the
    # per-process list of email channels (no read of its own).
    assert reply[0].startswith("UPDATE inboxes_inboundevent SET attempts = attempts + 1"), shown
    assert not any('FROM "chat_channel"' in s for s in reply), shown
    # The thread and its conversation's channel in one read (no second look at the
    # conversation to tell a web chat's transcript answer).
    assert not any(s.startswith('SELECT "chat_conversation"."id"') for s in reply), shown
    # One cheap look for a repeat before any work, one under the contact's lock.
    assert sum('FROM "inboxes_externalmessage"' in s for s in reply) == 3, shown  # + thread
    # The channel state's upsert runs inside ``message_send`` (the inboxes' ``message.created``
    # listener writes it before the list frame is built), so it is not counted here.
    assert (len(first), len(second), len(reply)) == (23, 10, 12), shown
    assert Message.objects.filter(conversation__channel=email_channel).count() == 3


# Every statement of a known shopper's new email thread in the worker, the after-commit work
# included: routing's queueing, assignment round and queue broadcast, and the tasks the test
# settings run eagerly (the bot's sentiment of the message, 10). In the test's transaction
# (production has BEGIN / COMMIT where this shows SAVEPOINT pairs). 60 before the channels
# stopped reading what they hold: the channel's row twice (its team for the new conversation,
# its kind for the list frame) and, on a channel with no greeting, a transaction of four to
# find that out. 54 → 55 with f3f2769: the queue broadcast reads the newcomer's place and
# counts those ahead of it, then reads only it and those behind (it read the whole queue:
# one statement more here, and a newcomer at the tail of a queue of 200 reads 6 rows, not 204).
NEW_THREAD_STATEMENTS = 55


def test_statements_of_a_new_email_thread_with_its_routing(
    email_channel: Channel,
    django_assert_max_num_queries: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert event_accept(channel=email_channel, external_id="q-1@example.com", payload=_mail(1))
        event_process(event_id=InboundEvent.objects.get(external_id="q-1@example.com").pk)
    assert event_accept(channel=email_channel, external_id="q-2@example.com", payload=_mail(2))
    event = InboundEvent.objects.get(external_id="q-2@example.com")
    with (
        django_assert_max_num_queries(NEW_THREAD_STATEMENTS),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert event_process(event_id=event.pk) == "done"
    conversations = Message.objects.filter(conversation__channel=email_channel).values_list(
        "conversation_id", flat=True
    )
    assert len(set(conversations)) == 2  # a new thread: a conversation of its own
