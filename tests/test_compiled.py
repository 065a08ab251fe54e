"""helpdesk.compiled: querysets compiled once give what the ORM gives; the row writers store
what ``save()`` stores."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from chat import events
from chat.access import CONVERSATION_RELATED, Actor, access_conversation
from chat.models import Conversation, Message
from helpdesk.compiled import Compiled, row_insert, row_update
from tests.factories import agent_says, make_agent, make_visitor, shopper_says

pytestmark = pytest.mark.django_db

LOAD = Compiled(
    lambda pk: Conversation.objects.select_related(*CONVERSATION_RELATED).filter(pk=pk),
    [-7_000_001],
)
IDS = Compiled(
    lambda visitor_id, status: (
        Conversation.objects.filter(visitor_id=visitor_id, status=status)
        .order_by("pk")
        .values_list("pk", flat=True)
    ),
    [-7_000_002, "\x01status"],
)


def test_joined_load_matches_the_orm() -> None:
    visitor = make_visitor(name="Ana")
    conversation = shopper_says(visitor, "hi").conversation
    agent = make_agent(name="Bo")
    agent_says(agent, conversation, "hello")
    orm = Conversation.objects.select_related(*CONVERSATION_RELATED).get(pk=conversation.pk)
    for _ in range(3):  # the first run compiles, the next ones reuse
        compiled = LOAD.first(conversation.pk)
        assert compiled == orm
        assert events.conversation_payload(compiled, staff=True) == events.conversation_payload(
            orm, staff=True
        )
    # The joined rows are cached on the instance: building the payload costs no query.
    with CaptureQueries() as queries:
        events.conversation_payload(LOAD.first(conversation.pk), staff=True)
    assert queries.count == 1
    assert LOAD.first(-1) is None


def test_values_and_several_arguments() -> None:
    visitor = make_visitor()
    first = shopper_says(visitor, "one").conversation
    other = make_visitor()
    shopper_says(other, "two")
    assert IDS.run(visitor.pk, "open") == [first.pk]
    assert IDS.run(visitor.pk, "resolved") == []
    assert IDS.run(other.pk, "open") != [first.pk]


def test_a_sample_that_is_not_a_parameter_is_refused() -> None:
    bad = Compiled(lambda pk: Conversation.objects.filter(pk=1), [-7_000_001])
    with pytest.raises(ValueError, match="not found"):
        bad.run(5)


def test_each_thread_compiles_its_own(transactional_db: Any) -> None:
    visitor = make_visitor()
    conversation = shopper_says(visitor, "hi").conversation
    results: list[Any] = []

    def load() -> None:
        try:
            results.append(LOAD.first(conversation.pk).pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=load) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [conversation.pk] * 4


def test_row_insert_and_update_store_what_save_stores() -> None:
    conversation = shopper_says(make_visitor(), "hi").conversation
    now = timezone.now()
    message = Message(
        conversation=conversation,
        seq=99,
        client_id="compiled-1",
        sender_kind=Message.SenderKind.SYSTEM,
        body="note",
        private=True,
        card={"kind": "order", "items": [1, 2]},
        created_at=now,
    )
    row_insert(message)
    assert message.pk and not message._state.adding
    stored = Message.objects.get(pk=message.pk)
    assert (stored.seq, stored.client_id, stored.card, stored.created_at) == (
        99,
        "compiled-1",
        {"kind": "order", "items": [1, 2]},
        message.created_at,  # auto_now_add: set by the field's pre_save, as save() does
    )
    assert message.created_at >= now
    conversation.last_message_preview = "changed"
    conversation.status = Conversation.Status.PENDING
    assert row_update(conversation, ["last_message_preview", "status"]) == 1
    conversation.refresh_from_db()
    assert (conversation.last_message_preview, conversation.status) == ("changed", "pending")


def test_access_still_refuses_what_is_not_yours() -> None:
    from helpdesk.errors import NotFound

    mine = shopper_says(make_visitor(), "mine").conversation
    stranger = make_visitor()
    with pytest.raises(NotFound):
        access_conversation(actor=Actor(visitor=stranger), conversation_id=mine.pk, for_update=True)
    assert (
        access_conversation(
            actor=Actor(visitor=mine.visitor), conversation_id=mine.pk, for_update=True
        )
        == mine
    )


def test_the_lock_follows_every_visibility_rule() -> None:
    """Each rule of ``conversations_visible_to`` has its own compiled lock: a verified
    customer reaches a conversation started on another device, an agent any, a user who is
    not an agent none."""
    from django.contrib.auth.models import User

    from helpdesk.errors import NotFound
    from orders.models import Customer

    laptop = make_visitor()
    conversation = shopper_says(laptop, "from laptop").conversation
    customer = Customer.objects.create(external_id="cust-7", name="Ana")
    Conversation.objects.filter(pk=conversation.pk).update(customer=customer)
    phone = make_visitor(customer=customer)
    for actor in (Actor(visitor=phone), Actor(user=make_agent())):
        locked = access_conversation(actor=actor, conversation_id=conversation.pk, for_update=True)
        assert locked.pk == conversation.pk
    outsider = User.objects.create_user(username="not-an-agent", password="x")
    for actor in (Actor(visitor=make_visitor()), Actor(user=outsider)):
        with pytest.raises(NotFound):
            access_conversation(actor=actor, conversation_id=conversation.pk, for_update=True)


class CaptureQueries:
    def __enter__(self) -> CaptureQueries:
        from django.test.utils import CaptureQueriesContext

        self.ctx = CaptureQueriesContext(connection)
        self.ctx.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.ctx.__exit__(*exc)
        self.count = len(self.ctx.captured_queries)
