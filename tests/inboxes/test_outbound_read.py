"""The message a delivery sends, read by the written-out statement (inboxes/outbound_read.py):
the same rows in the same relation caches as the ORM's ``select_related``, and it is the
read ``delivery_attempt`` makes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext

from chat.access import Actor
from chat.models import Attachment, Channel, Message
from chat.services.message_send import message_send
from inboxes.inbound import Inbound, inbound_receive
from inboxes.models import OutboundDelivery
from inboxes.outbound import delivery_attempt
from inboxes.outbound_read import MESSAGE_FOR_SEND, RELATED, message_for_send
from tests.factories import make_agent

pytestmark = pytest.mark.django_db


def _values(obj: Model | None) -> dict[str, Any] | None:
    if obj is None:
        return None
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _rows(message: Message) -> dict[str, Any]:
    conversation = message.conversation
    return {
        "m": _values(message),
        "c": _values(conversation),
        "ch": _values(conversation.channel),
        "v": _values(conversation.visitor),
        "a": _values(getattr(message, "attachment", None)),
        "d": _values(getattr(message, "delivery", None)),
    }


@pytest.fixture
def reply() -> Message:
    """An agent's reply in an API channel's conversation: it has a pending delivery."""
    channel = Channel.objects.create(
        name="app", kind="api", config={"webhook_url": "http://127.0.0.1:9/none"}
    )
    received = inbound_receive(
        channel=channel,
        identity_kind="app",
        inbound=Inbound(external_id="in-1", address=f"{channel.pk}:u1", body="hi"),
    )
    message, _ = message_send(
        actor=Actor(user=make_agent()),
        client_id="r1",
        body="reply",
        conversation_id=received.conversation_id,
    )
    return message


def test_the_read_fills_what_select_related_fills(reply: Message) -> None:
    assert OutboundDelivery.objects.filter(message=reply).exists()
    Attachment.objects.create(
        message=reply,
        uploader_user=reply.sender_user,
        kind="file",
        content_type="text/plain",
        name="a.txt",
        size=1,
        file="x",
    )
    orm = Message.objects.select_related(*RELATED).get(pk=reply.pk)
    with CaptureQueriesContext(connection) as queries:
        read = message_for_send(reply.pk)
        assert read is not None
        rows = _rows(read)  # every relation from the caches: no query of its own
    assert len(queries.captured_queries) == 1
    assert rows == _rows(orm)
    assert read.delivery.message is read  # the one-to-ones point back, as select_related's
    assert read.attachment.message is read


def test_missing_rows_are_empty_caches_not_queries(reply: Message) -> None:
    OutboundDelivery.objects.filter(message=reply).delete()
    read = message_for_send(reply.pk)
    assert read is not None
    with CaptureQueriesContext(connection) as queries:
        assert getattr(read, "delivery", None) is None
        assert getattr(read, "attachment", None) is None
    assert not queries.captured_queries
    assert message_for_send(reply.pk + 1000) is None


def test_a_send_reads_the_message_with_the_written_out_statement(reply: Message) -> None:
    with CaptureQueriesContext(connection) as queries:
        delivery_attempt(message_id=reply.pk)
    sql = [q["sql"] for q in queries.captured_queries]
    head = MESSAGE_FOR_SEND.split(" WHERE ")[0]
    assert sum(s.startswith(head) for s in sql) == 1, "\n".join(s[:120] for s in sql)
