"""The message table partitioned by the month its conversation started (chat/partitions.py).

The test database is built by the migrations, so every other test of the suite already runs
on the partitioned table. These pin what partitioning must not change: idempotency on
``(conversation, client_id)`` and the gap-free seq, history and ``resume`` — and the
migration from a plain table that holds data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from channels.testing import WebsocketCommunicator
from django.db import connection, transaction
from django.test import Client

from chat import partitions, selectors, services
from chat.access import Actor
from chat.models import Message
from helpdesk.asgi import application
from tests.factories import make_agent, make_visitor

pytestmark = pytest.mark.django_db


def where(message_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM chat_message WHERE id = %s", [message_id]
        )
        return str(cursor.fetchone()[0])


def partitioned() -> bool:
    with connection.cursor() as cursor:
        return partitions.is_partitioned(cursor)


def send(actor: Actor, client_id: str, body: str, conversation: int | None = None) -> Any:
    return services.message_send(
        actor=actor, client_id=client_id, body=body, conversation_id=conversation
    )


def test_the_migrated_table_is_partitioned_with_months_ahead() -> None:
    assert partitioned()
    now = dt.datetime.now(dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'chat_message'::regclass"
        )
        names = {row[0] for row in cursor.fetchall()}
    month = partitions.month_start(now)
    for _ in range(partitions.MONTHS_AHEAD + 1):
        assert partitions.partition_name(month) in names or "chat_message_legacy" in names
        month = partitions.next_month(month)
    assert partitions.DEFAULT in names


def test_idempotency_and_seq_hold_across_partitions() -> None:
    visitor = make_visitor()
    shopper = Actor(visitor=visitor)
    first, created = send(shopper, "c-1", "hello")
    assert created and first.seq == 1
    assert where(first.pk) == partitions.partition_name(
        partitions.month_start(first.conversation.created_at)
    )
    # The same client_id again, a month later: the same message, nothing stored.
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=40)):
        again, created = send(shopper, "c-1", "hello again", first.conversation_id)
        assert not created and again.pk == first.pk
        later, created = send(shopper, "c-2", "still there?", first.conversation_id)
    assert created and later.seq == 2
    # Messages stay in their conversation's partition whenever they are written.
    assert where(later.pk) == where(first.pk)
    assert Message.objects.filter(conversation_id=first.conversation_id).count() == 2


def test_a_month_without_partition_goes_to_default_and_moves_out_unchanged() -> None:
    agent = make_agent("ana")
    long_ago = dt.datetime(2024, 3, 15, 12, tzinfo=dt.UTC)
    with time_machine.travel(long_ago, tick=False):
        message, _ = send(Actor(visitor=make_visitor()), "old-1", "an old question")
    conversation = message.conversation_id
    send(Actor(user=agent), "old-2", "an answer today", conversation)
    assert where(message.pk) == partitions.DEFAULT
    before = [
        (m.pk, m.seq, m.body)
        for m in selectors.messages_after(actor=Actor(user=agent), conversation_id=conversation)[1]
    ]

    created = partitions.message_partitions_ensure()

    assert partitions.partition_name(partitions.month_start(long_ago)) in created
    assert where(message.pk) == partitions.partition_name(partitions.month_start(long_ago))
    after = [
        (m.pk, m.seq, m.body)
        for m in selectors.messages_after(actor=Actor(user=agent), conversation_id=conversation)[1]
    ]
    assert after == before and [seq for _pk, seq, _b in after] == [1, 2]
    # Running it again creates nothing.
    assert partitions.message_partitions_ensure() == []


@pytest.mark.django_db(transaction=True)
def test_migration_from_a_plain_table_keeps_history_resume_and_idempotency() -> None:
    """Back to a plain table (the schema before the migration), fill it, then the migration's
    conversion: every row is where it was, read the same way."""
    with transaction.atomic(), connection.cursor() as cursor:
        partitions.unpartition_messages(cursor)
    assert not partitioned()
    try:
        visitor = make_visitor()
        shopper = Actor(visitor=visitor)
        agent = make_agent("bo")
        with time_machine.travel(dt.datetime(2025, 6, 1, 9, tzinfo=dt.UTC)):
            first, _ = send(shopper, "p-1", "my parcel?")
        conversation = first.conversation_id
        send(Actor(user=agent), "p-2", "on its way", conversation)
        services.message_send(
            actor=Actor(user=agent),
            client_id="p-3",
            body="note",
            conversation_id=conversation,
            private=True,
        )
        send(shopper, "p-4", "thanks", conversation)
        ids_before = list(Message.objects.order_by("id").values_list("id", "seq", "client_id"))
        history_before = history(visitor, conversation)

        with transaction.atomic(), connection.cursor() as cursor:
            partitions.partition_messages(cursor)

        assert partitioned()
        assert where(first.pk) == partitions.LEGACY
        assert (
            list(Message.objects.order_by("id").values_list("id", "seq", "client_id")) == ids_before
        )
        assert history(visitor, conversation) == history_before
        assert [m["seq"] for m in history_before] == [1, 2, 4]  # the note is staff-only
        # Idempotency on the converted rows, and new ids continue the old numbering.
        again, created = send(shopper, "p-4", "thanks", conversation)
        assert not created and again.seq == 4
        fresh, created = send(shopper, "p-5", "bye", conversation)
        assert created and fresh.seq == 5 and fresh.pk > max(i for i, _s, _c in ids_before)
        assert where(fresh.pk) == partitions.LEGACY  # its conversation's partition
        replay = resume_over_socket(visitor, conversation, after_seq=1)
        assert [m["seq"] for m in replay] == [2, 4, 5]
    finally:
        # The layout the migration gives an empty table, for the tests that follow (the
        # flush after this test would empty it anyway).
        with transaction.atomic(), connection.cursor() as cursor:
            if partitions.is_partitioned(cursor):
                partitions.unpartition_messages(cursor)
            cursor.execute("DELETE FROM chat_message")
            partitions.partition_messages(cursor)


def history(visitor: Any, conversation: int) -> list[dict[str, Any]]:
    client = Client()
    token = services.visitor_token_make(visitor)
    response = client.get(
        f"/api/v1/conversations/{conversation}/messages?after_seq=0",
        HTTP_AUTHORIZATION=f"Visitor {token}",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    return list(data["messages"] if isinstance(data, dict) else data)


def resume_over_socket(visitor: Any, conversation: int, after_seq: int) -> list[dict[str, Any]]:
    token = services.visitor_token_make(visitor)

    async def run() -> list[dict[str, Any]]:
        comm = WebsocketCommunicator(
            application, "/ws/visitor/", headers=[(b"origin", b"http://127.0.0.1:8000")]
        )
        connected, _ = await comm.connect()
        assert connected
        await comm.send_json_to({"type": "auth", "token": token})
        assert (await comm.receive_json_from(timeout=5))["type"] == "ready"
        await comm.send_json_to(
            {"type": "resume", "conversation": conversation, "after_seq": after_seq}
        )
        out = []
        while True:
            frame = await comm.receive_json_from(timeout=5)
            if frame["type"] == "resume.done":
                break
            if frame["type"] == "message.created":
                out.append(frame["message"])
        await comm.disconnect()
        return out

    from asgiref.sync import async_to_sync

    return async_to_sync(run)()
