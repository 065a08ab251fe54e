"""chat/statements.py and the row lock of chat/access.py: each written-out statement gives what
the ORM gives."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat import events, services
from chat.access import LOCK_SQL, Actor, _lock, access_conversation, conversations_visible_to
from chat.models import BotState, Conversation, Message
from chat.statements import (
    _CONVERSATION_LOAD_ROWS,
    CONVERSATION_RELATED,
    conversation_load,
    conversation_update,
    conversations_listed,
    message_insert,
    message_store,
)
from orders.models import Customer
from tests.factories import agent_says, make_agent, make_visitor, shopper_says

pytestmark = pytest.mark.django_db


def _orm(pk: int) -> Conversation:
    return Conversation.objects.select_related(*CONVERSATION_RELATED).get(pk=pk)


def _rows(conversation: Conversation) -> dict[str, Any]:
    """Every row of ``CONVERSATION_RELATED`` as the instance's caches hold it ("missing" for
    none), with its field values; reading them must cost no query."""
    out: dict[str, Any] = {}
    with CaptureQueriesContext(connection) as queries:
        for path in CONVERSATION_RELATED:
            obj: Any = conversation
            for step in path.split("__"):
                try:
                    obj = getattr(obj, step) if obj is not None else None
                except ObjectDoesNotExist:
                    obj = None
                key = f"{path}:{step}"
                out[key] = (
                    None
                    if obj is None
                    else (type(obj), {f.attname: getattr(obj, f.attname) for f in obj._meta.fields})
                )
    assert len(queries) == 0, [q["sql"] for q in queries]
    return out


def test_the_joins_are_the_related_rows() -> None:
    """``_CONVERSATION_LOAD_ROWS`` spells out exactly ``CONVERSATION_RELATED``."""
    paths = {"c": ""}
    for alias, parent, attribute in _CONVERSATION_LOAD_ROWS:
        paths[alias] = f"{paths[parent]}__{attribute}".lstrip("_")
    leaves = {
        p for p in paths.values() if p and not any(o.startswith(p + "__") for o in paths.values())
    }
    assert leaves == set(CONVERSATION_RELATED)


def test_joined_load_matches_the_orm_with_every_row_present() -> None:
    customer = Customer.objects.create(external_id="cust-1", name="Ana", tags=["vip", "eu"])
    visitor = make_visitor(name="Ana", customer=customer)
    conversation = shopper_says(visitor, "hi").conversation
    agent_says(make_agent(name="Bo"), conversation, "hello")
    BotState.objects.get_or_create(
        conversation=conversation, defaults={"cycle_started_at": timezone.now()}
    )
    orm = _orm(conversation.pk)
    loaded = conversation_load(conversation.pk)
    assert loaded == orm
    assert loaded is not None and loaded.assignee_id is not None
    assert _rows(loaded) == _rows(orm)
    assert loaded.visitor.customer is not None and loaded.visitor.customer.tags == ["vip", "eu"]
    assert loaded.bot_state.conversation is loaded  # one-to-one: the other side points back
    assert events.conversation_payload(loaded, staff=True) == events.conversation_payload(
        orm, staff=True
    )


def test_joined_load_matches_the_orm_with_rows_missing() -> None:
    conversation = shopper_says(make_visitor(), "hi").conversation
    Conversation.objects.filter(pk=conversation.pk).update(team=None)
    BotState.objects.filter(conversation=conversation).delete()
    orm = _orm(conversation.pk)
    loaded = conversation_load(conversation.pk)
    assert loaded == orm and loaded is not None
    assert loaded.assignee is None and loaded.team is None
    assert _rows(loaded) == _rows(orm)
    with CaptureQueriesContext(connection) as queries:
        payload = events.conversation_payload(loaded, staff=True)
    assert len(queries) == 0
    assert payload == events.conversation_payload(orm, staff=True)
    assert conversation_load(-1) is None


def test_the_lists_rows_match_the_orm_in_the_pages_order_with_unread() -> None:
    """``conversations_listed``: the page's ids in the order given (an id gone is left out),
    each with the joined rows the ORM's ``select_related`` gives and the shopper's messages
    after the reader's cursor as ``unread``."""
    customer = Customer.objects.create(external_id="cust-2", name="Li", tags=["vip"])
    full = shopper_says(make_visitor(name="Li", customer=customer), "one").conversation
    reader = make_agent(name="Cy")
    agent_says(make_agent(name="Bo"), full, "hello")
    shopper_says(full.visitor, "two")
    shopper_says(full.visitor, "three")
    bare = shopper_says(make_visitor(), "hi").conversation
    Conversation.objects.filter(pk=bare.pk).update(team=None)
    BotState.objects.filter(conversation=bare).delete()
    services.read_mark(actor=Actor(user=reader), conversation_id=full.pk, seq=2)
    with CaptureQueriesContext(connection) as queries:
        listed = conversations_listed([bare.pk, -1, full.pk], reader_id=reader.pk)
    assert len(queries) == 1
    assert [c.pk for c in listed] == [bare.pk, full.pk]
    assert [c.unread for c in listed] == [1, 2]  # type: ignore[attr-defined]
    assert listed[0].channel is listed[1].channel  # one channel row, built once per page
    for row in listed:
        orm = _orm(row.pk)
        assert row == orm and _rows(row) == _rows(orm)
        assert events.conversation_payload(row, staff=True) == events.conversation_payload(
            orm, staff=True
        )
    assert conversations_listed([], reader_id=reader.pk) == []


def test_the_lock_follows_every_visibility_rule() -> None:
    """For each rule, the lock statement reaches exactly what ``conversations_visible_to``
    shows: a verified customer also a conversation started on another device, an agent any,
    a user who is not an agent none."""
    customer = Customer.objects.create(external_id="cust-7", name="Ana")
    laptop = make_visitor()
    from_laptop = shopper_says(laptop, "from laptop").conversation
    Conversation.objects.filter(pk=from_laptop.pk).update(customer=customer)
    phone = make_visitor(customer=customer)
    from_phone = shopper_says(phone, "from phone").conversation
    stranger = make_visitor()
    theirs = shopper_says(stranger, "mine").conversation
    outsider = User.objects.create_user(username="not-an-agent", password="x")
    actors = {
        "staff": Actor(user=make_agent()),
        "customer": Actor(visitor=phone),
        "visitor": Actor(visitor=laptop),
        "none": Actor(user=outsider),
    }
    everything = [from_laptop.pk, from_phone.pk, theirs.pk]
    expected = {
        "staff": set(everything),
        "customer": {from_laptop.pk, from_phone.pk},
        "visitor": {from_laptop.pk},
        "none": set(),
    }
    for name, actor in actors.items():
        visible = set(conversations_visible_to(actor).values_list("pk", flat=True))
        with transaction.atomic():
            locked = {pk for pk in everything if _lock(actor, pk)}
        assert locked == visible == expected[name], name
    assert set(LOCK_SQL) == {"staff", "customer", "visitor"}


def test_access_refuses_what_is_not_yours() -> None:
    from helpdesk.errors import NotFound

    mine = shopper_says(make_visitor(), "mine").conversation
    with pytest.raises(NotFound):
        access_conversation(
            actor=Actor(visitor=make_visitor()), conversation_id=mine.pk, for_update=True
        )
    locked = access_conversation(
        actor=Actor(visitor=mine.visitor), conversation_id=mine.pk, for_update=True
    )
    assert locked == mine


@pytest.mark.django_db(transaction=True)
def test_the_lock_holds_the_row_until_commit() -> None:
    conversation = shopper_says(make_visitor(), "hi").conversation
    agent = Actor(user=make_agent())
    seen: list[str] = []

    def other_writer() -> None:
        try:
            with transaction.atomic():
                Conversation.objects.select_for_update(nowait=True).get(pk=conversation.pk)
            seen.append("got it")
        except DatabaseError:
            seen.append("locked")
        finally:
            connections.close_all()

    with transaction.atomic():
        access_conversation(actor=agent, conversation_id=conversation.pk, for_update=True)
        thread = threading.Thread(target=other_writer)
        thread.start()
        thread.join()
    thread = threading.Thread(target=other_writer)
    thread.start()
    thread.join()
    assert seen == ["locked", "got it"]


def test_message_insert_and_conversation_update_store_what_save_stores() -> None:
    conversation = shopper_says(make_visitor(), "hi").conversation
    now = timezone.now()
    message = Message(
        conversation=conversation,
        seq=99,
        client_id="statement-1",
        sender_kind=Message.SenderKind.SYSTEM,
        body="note",
        private=True,
        card={"kind": "order", "items": [1, 2]},
        created_at=now,
    )
    message_insert(message)
    assert message.pk and not message._state.adding
    stored = Message.objects.get(pk=message.pk)
    assert (stored.seq, stored.client_id, stored.card, stored.created_at) == (
        99,
        "statement-1",
        {"kind": "order", "items": [1, 2]},
        message.created_at,  # auto_now_add: set by the field's pre_save, as save() does
    )
    assert message.created_at >= now
    conversation.last_message_preview = "changed"
    conversation.status = Conversation.Status.PENDING
    conversation_update(conversation, ["last_message_preview", "status"])
    conversation.refresh_from_db()
    assert (conversation.last_message_preview, conversation.status) == ("changed", "pending")


def _note(conversation: Conversation, client_id: str) -> Message:
    return Message(
        conversation=conversation,
        seq=conversation.last_seq,
        client_id=client_id,
        sender_kind=Message.SenderKind.VISITOR,
        body="where is my order?",
        card={"kind": "order", "items": [1, 2]},
        created_at=timezone.now(),
    )


def test_message_store_is_the_insert_and_the_update_in_one_statement() -> None:
    conversation = shopper_says(make_visitor(), "hi").conversation
    version = conversation.version
    conversation.last_seq += 1
    conversation.last_message_preview = "where is my order?"
    message = _note(conversation, "store-1")
    with CaptureQueriesContext(connection) as queries:
        message_store(message, conversation, ["last_seq", "last_message_preview"])
    assert len(queries) == 1
    assert message.pk and not message._state.adding
    stored = Message.objects.get(pk=message.pk)
    assert (stored.seq, stored.client_id, stored.card, stored.created_at) == (
        conversation.last_seq,
        "store-1",
        {"kind": "order", "items": [1, 2]},
        message.created_at,
    )
    assert stored.conversation_created_at == conversation.created_at  # the partition key
    assert conversation.version == version + 1  # told by the statement, as the UPDATE did
    conversation.refresh_from_db()
    assert (conversation.last_seq, conversation.last_message_preview, conversation.version) == (
        stored.seq,
        "where is my order?",
        version + 1,
    )


def test_message_store_refused_stores_neither() -> None:
    """A repeated client_id: the unique constraint refuses the INSERT and the conversation's
    UPDATE goes with it (one statement). No conversation row: no message."""
    conversation = shopper_says(make_visitor(), "hi", client_id="store-1").conversation
    before = Conversation.objects.values_list("last_seq", "version").get(pk=conversation.pk)
    conversation.last_seq += 1
    with pytest.raises(IntegrityError), transaction.atomic():
        message_store(_note(conversation, "store-1"), conversation, ["last_seq"])
    assert Message.objects.filter(conversation=conversation).count() == 1
    assert Conversation.objects.values_list("last_seq", "version").get(pk=conversation.pk) == before
    gone = Conversation.objects.get(pk=conversation.pk)
    gone.pk = 2**62
    gone.last_seq += 1
    with pytest.raises(Conversation.DoesNotExist):
        message_store(_note(gone, "store-2"), gone, ["last_seq"])
    assert not Message.objects.filter(client_id="store-2").exists()
