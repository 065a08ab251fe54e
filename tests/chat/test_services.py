"""The message path's guarantees, on the real PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from chat import services
from chat.access import Actor
from chat.models import AgentReadCursor, Conversation, Message
from helpdesk.errors import BadRequest, Forbidden, NotFound
from tests.factories import agent_says, make_agent, make_visitor, shopper_says

pytestmark = pytest.mark.django_db


def test_first_shopper_message_opens_conversation_with_seq_1() -> None:
    visitor = make_visitor()
    message = shopper_says(visitor, "Where is my order?")
    assert message.seq == 1
    conversation = message.conversation
    assert conversation.status == Conversation.Status.OPEN
    assert conversation.last_seq == 1
    assert conversation.last_message_preview == "Where is my order?"


def test_resend_same_client_id_is_idempotent() -> None:
    visitor = make_visitor()
    actor = Actor(visitor=visitor)
    first, created1 = services.message_send(actor=actor, client_id="c-1", body="hi")
    again, created2 = services.message_send(actor=actor, client_id="c-1", body="hi")
    assert created1 and not created2
    assert again.pk == first.pk and again.seq == first.seq
    assert Message.objects.count() == 1
    assert Conversation.objects.get().last_seq == 1


def test_idempotent_resend_of_agent_message() -> None:
    agent = make_agent()
    conversation = shopper_says(make_visitor()).conversation
    actor = Actor(user=agent)
    kwargs = dict(actor=actor, client_id="a-1", body="hello", conversation_id=conversation.pk)
    m1, _ = services.message_send(**kwargs)
    m2, created = services.message_send(**kwargs)
    assert m1.pk == m2.pk and not created


def test_resend_answers_with_this_conversations_message_and_changes_nothing() -> None:
    """The repeat is caught by the unique (conversation, client_id) constraint and its
    transaction rolls back: the same client_id in another conversation is another message,
    and the reopening the repeat would have done does not happen either."""
    agent = make_agent()
    actor = Actor(user=agent)
    one = shopper_says(make_visitor()).conversation
    two = shopper_says(make_visitor()).conversation
    in_one, _ = services.message_send(
        actor=actor, client_id="same", body="for one", conversation_id=one.pk
    )
    in_two, created = services.message_send(
        actor=actor, client_id="same", body="for two", conversation_id=two.pk
    )
    assert created and in_two.pk != in_one.pk
    services.conversation_status_set(actor=actor, conversation_id=two.pk, status="pending")
    before = Conversation.objects.get(pk=two.pk)
    again, created = services.message_send(
        actor=actor, client_id="same", body="for two", conversation_id=two.pk
    )
    assert not created and again.pk == in_two.pk and again.conversation_id == two.pk
    after = Conversation.objects.get(pk=two.pk)
    assert (after.last_seq, after.status) == (before.last_seq, before.status)
    shopper = Actor(visitor=one.visitor)
    repeat, created = services.message_send(
        actor=shopper, client_id=one.messages.first().client_id, body="x", conversation_id=one.pk
    )
    assert not created and repeat.conversation_id == one.pk


@pytest.mark.django_db(transaction=True)
def test_seq_gap_free_under_concurrent_senders() -> None:
    """10 writers x 100 messages into one conversation -> seq exactly 1..1000."""
    agent = make_agent()
    visitor = make_visitor()
    conversation = shopper_says(visitor, "first").conversation
    Message.objects.all().delete()
    Conversation.objects.filter(pk=conversation.pk).update(last_seq=0)
    errors: list[BaseException] = []
    barrier = threading.Barrier(10)

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(100):
                if n % 2:
                    actor = Actor(user=agent)
                else:
                    actor = Actor(visitor=visitor)
                services.message_send(
                    actor=actor,
                    client_id=f"w{n}-{i}",
                    body=f"m {n} {i}",
                    conversation_id=conversation.pk,
                )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    # Activity lines (the agent taking the conversation) are messages too.
    seqs = list(
        Message.objects.filter(conversation=conversation)
        .order_by("seq")
        .values_list("seq", flat=True)
    )
    user_messages = Message.objects.filter(conversation=conversation).exclude(sender_kind="system")
    assert user_messages.count() == 1000
    assert seqs == list(range(1, len(seqs) + 1))
    assert Conversation.objects.get(pk=conversation.pk).last_seq == len(seqs)


def test_shopper_message_reopens_resolved_conversation() -> None:
    agent = make_agent()
    visitor = make_visitor()
    conversation = shopper_says(visitor).conversation
    agent_says(agent, conversation, "Done!")
    services.conversation_status_set(
        actor=Actor(user=agent), conversation_id=conversation.pk, status="resolved"
    )
    conversation.refresh_from_db()
    assert conversation.status == "resolved" and conversation.resolved_at
    again = shopper_says(visitor, "One more thing")
    assert again.conversation_id == conversation.pk
    conversation.refresh_from_db()
    assert conversation.status == "open" and conversation.resolved_at is None


def test_message_after_reopen_window_starts_new_conversation(settings) -> None:
    agent = make_agent()
    visitor = make_visitor()
    conversation = shopper_says(visitor).conversation
    services.conversation_status_set(
        actor=Actor(user=agent), conversation_id=conversation.pk, status="resolved"
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        resolved_at=timezone.now() - timedelta(days=settings.HELPDESK["REOPEN_WINDOW_DAYS"] + 1)
    )
    later = shopper_says(visitor, "new question")
    assert later.conversation_id != conversation.pk
    assert later.seq == 1


def test_private_note_never_in_shopper_history() -> None:
    from chat.selectors import messages_after

    agent = make_agent()
    visitor = make_visitor()
    conversation = shopper_says(visitor).conversation
    agent_says(agent, conversation, "VIP, be nice", private=True)
    agent_says(agent, conversation, "Hello!")
    _, shopper_view = messages_after(actor=Actor(visitor=visitor), conversation_id=conversation.pk)
    assert [m.body for m in shopper_view] == ["hello", "Hello!"]
    _, agent_view = messages_after(actor=Actor(user=agent), conversation_id=conversation.pk)
    assert "VIP, be nice" in [m.body for m in agent_view]


def test_shopper_cannot_write_notes_or_touch_other_conversations() -> None:
    mine = make_visitor()
    other = make_visitor()
    theirs = shopper_says(other).conversation
    with pytest.raises(Forbidden):
        services.message_send(actor=Actor(visitor=mine), client_id="x", body="n", private=True)
    with pytest.raises(NotFound):
        services.message_send(
            actor=Actor(visitor=mine), client_id="x", body="hi", conversation_id=theirs.pk
        )
    with pytest.raises(NotFound):
        services.read_mark(actor=Actor(visitor=mine), conversation_id=theirs.pk, seq=1)


@pytest.mark.parametrize(
    "client_id,body",
    [("", "x"), ("x" * 65, "x"), (None, "x"), (5, "x"), ("ok", ""), ("ok", "   "), ("ok", 5)],
)
def test_bad_fields_rejected_and_nothing_stored(client_id, body) -> None:
    with pytest.raises(BadRequest):
        services.message_send(actor=Actor(visitor=make_visitor()), client_id=client_id, body=body)
    assert Message.objects.count() == 0


def test_nul_characters_are_dropped_not_500() -> None:
    message = shopper_says(make_visitor(), "a\x00b")
    assert message.body == "ab"


def test_agent_reply_takes_unassigned_conversation() -> None:
    agent = make_agent()
    conversation = shopper_says(make_visitor()).conversation
    agent_says(agent, conversation)
    conversation.refresh_from_db()
    assert conversation.assignee_id == agent.pk


def test_transfer_logs_activity_for_agents_only() -> None:
    a, b = make_agent(), make_agent()
    conversation = shopper_says(make_visitor()).conversation
    services.conversation_assign(
        actor=Actor(user=a), conversation_id=conversation.pk, assignee_id=a.pk
    )
    services.conversation_assign(
        actor=Actor(user=a), conversation_id=conversation.pk, assignee_id=b.pk
    )
    conversation.refresh_from_db()
    assert conversation.assignee_id == b.pk
    activity = Message.objects.filter(conversation=conversation, sender_kind="system")
    assert activity.count() == 2 and all(m.private for m in activity)


def test_transfer_to_non_agent_is_not_found() -> None:
    from django.contrib.auth.models import User

    a = make_agent()
    plain = User.objects.create_user("plain", password="x")
    conversation = shopper_says(make_visitor()).conversation
    with pytest.raises(NotFound):
        services.conversation_assign(
            actor=Actor(user=a), conversation_id=conversation.pk, assignee_id=plain.pk
        )


def test_read_cursor_only_moves_forward() -> None:
    agent = make_agent()
    visitor = make_visitor()
    conversation = shopper_says(visitor).conversation
    shopper_says(visitor, "2")
    shopper_says(visitor, "3")
    actor = Actor(user=agent)
    services.read_mark(actor=actor, conversation_id=conversation.pk, seq=3)
    services.read_mark(actor=actor, conversation_id=conversation.pk, seq=1)
    assert AgentReadCursor.objects.get(user=agent).read_seq == 3
    conversation.refresh_from_db()
    assert conversation.agent_read_seq == 3
    services.read_mark(actor=actor, conversation_id=conversation.pk, seq=999)
    conversation.refresh_from_db()
    assert conversation.agent_read_seq == 3  # never past the last message


def test_unread_counts_in_agent_list() -> None:
    from chat.selectors import conversations_for_agent

    agent = make_agent()
    visitor = make_visitor()
    conversation = shopper_says(visitor).conversation
    shopper_says(visitor, "2")
    row = conversations_for_agent(user=agent, view="all")[0]
    assert row.unread == 2
    services.read_mark(actor=Actor(user=agent), conversation_id=conversation.pk, seq=1)
    row = conversations_for_agent(user=agent, view="all")[0]
    assert row.unread == 1


def test_verified_customer_sees_history_across_devices() -> None:
    from orders.services import identity_signature

    laptop = make_visitor()
    conversation = shopper_says(laptop, "from laptop").conversation
    identity = {"external_id": "cust-42", "signature": identity_signature("cust-42")}
    services.visitor_session(token=services.visitor_token_make(laptop), identity=identity)
    phone_visitor, _token, current = services.visitor_session(token=None, identity=identity)
    assert phone_visitor.pk != laptop.pk
    assert current is not None and current.pk == conversation.pk


def test_bad_identity_signature_refused_and_changes_nothing() -> None:
    visitor = make_visitor()
    with pytest.raises(Forbidden):
        services.visitor_session(
            token=services.visitor_token_make(visitor),
            identity={"external_id": "cust-1", "signature": "00" * 32},
        )
    visitor.refresh_from_db()
    assert visitor.customer_id is None


@pytest.mark.parametrize(
    ("body", "taken"),
    [
        ({}, True),
        ({"visitor_token": "abc:def", "language": "zh-CN"}, True),
        ({"visitor_token": "  padded  ", "language": " "}, True),
        ({"visitor_token": "", "page": None, "identity": None}, True),
        ({"page": {"url": "https://shop.example/p", "title": "鞋"}, "extra": [1, 2]}, True),
        ({"identity": {"external_id": "c-1", "signature": "ab", "name": None}}, True),
        ({"page": {}}, True),
        ({"visitor_token": "x" * 512}, True),
        ({"language": "x" * 17}, False),
        ({"visitor_token": 12}, False),
        ({"visitor_token": None}, False),
        ({"visitor_token": "a\tb"}, False),
        ({"page": ["not", "a", "dict"]}, False),
        ({"identity": "text"}, False),
        (["a", "list"], False),
    ],
)
def test_the_session_s_plain_input_check_is_the_serializer_s(body: object, taken: bool) -> None:
    """``chat.apis._session_input`` gives the serializer's ``validated_data`` for the bodies
    it takes (the widget's), and leaves every other body, each refusal among them, to the
    serializer."""
    from chat.apis import WidgetSessionApi, _session_input

    serializer = WidgetSessionApi.InputSerializer(data=body)
    valid = serializer.is_valid()
    plain = _session_input(body)
    assert (plain is not None) == taken
    if plain is not None:
        assert valid, serializer.errors
        assert plain == dict(serializer.validated_data)
