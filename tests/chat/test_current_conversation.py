"""The token's visitor (``services.visitors.visitor_from_token``) and the widget's current
conversation (``selectors.conversation_current_for_visitor``), each read by a statement written
out once: the same rows the ORM's queries give, with every related row their readers use
already loaded."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from chat import events
from chat.models import Conversation, Visitor
from chat.selectors import conversation_current_for_visitor
from chat.services.visitors import visitor_from_token, visitor_token_make
from chat.statements import CONVERSATION_RELATED
from helpdesk.errors import Unauthorized
from tests.factories import (
    conversation_of,
    customer_with_orders,
    make_email_channel,
    make_visitor,
    verified_visitor,
)

pytestmark = pytest.mark.django_db


def _orm(visitor: Visitor) -> Conversation | None:
    """The query this selector was before it was written out."""
    cond = Q(visitor=visitor)
    if visitor.customer_id:
        cond |= Q(customer_id=visitor.customer_id, channel_id=visitor.channel_id)
    return (
        Conversation.objects.select_related(*CONVERSATION_RELATED)
        .filter(cond)
        .order_by("-last_activity_at", "-pk")
        .first()
    )


def _check(visitor: Visitor) -> Conversation | None:
    found = conversation_current_for_visitor(visitor=visitor)
    expected = _orm(visitor)
    assert (found and found.pk) == (expected and expected.pk)
    if found is not None:
        assert expected is not None
        with CaptureQueriesContext(connection) as queries:
            payload = events.conversation_payload(found, staff=False)
        assert not queries.captured_queries
        assert payload == events.conversation_payload(expected, staff=False)
    return found


def test_a_new_visitor_has_none() -> None:
    assert _check(make_visitor()) is None


def test_the_latest_of_a_visitor_s_conversations() -> None:
    first = conversation_of()
    visitor = first.visitor
    second = Conversation.objects.create(visitor=visitor)
    assert _check(visitor) == second
    Conversation.objects.filter(pk=first.pk).update(
        last_activity_at=second.last_activity_at + dt.timedelta(seconds=5)
    )
    assert _check(visitor) == first


def test_a_verified_customer_s_other_device_but_not_their_email() -> None:
    customer = customer_with_orders("c-cur", n=0)
    laptop = verified_visitor(customer)
    on_laptop = conversation_of(laptop)
    phone = verified_visitor(customer)
    assert _check(phone) == on_laptop
    email = make_email_channel()
    mail = Conversation.objects.create(
        visitor=make_visitor(channel=email, address="c@example.com"),
        customer=customer,
        channel=email,
    )
    Conversation.objects.filter(pk=mail.pk).update(
        last_activity_at=on_laptop.last_activity_at + dt.timedelta(seconds=5)
    )
    assert _check(phone) == on_laptop


def _fields(obj: object) -> dict[str, object] | None:
    if obj is None:
        return None
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}  # type: ignore[attr-defined]


@pytest.mark.parametrize("verified", [False, True])
def test_a_token_s_visitor_is_the_orm_s_with_its_customer_and_channel(verified: bool) -> None:
    visitor = make_visitor(current_url="https://shop.example/p/1", language="zh-CN")
    if verified:
        visitor = verified_visitor(customer_with_orders("c-tok", n=0))
    expected = Visitor.objects.select_related("customer", "channel").get(pk=visitor.pk)
    found = visitor_from_token(visitor_token_make(visitor))
    with CaptureQueriesContext(connection) as queries:
        assert _fields(found) == _fields(expected)
        assert _fields(found.customer) == _fields(expected.customer)
        assert _fields(found.channel) == _fields(expected.channel)
    assert not queries.captured_queries
    with pytest.raises(Unauthorized):
        visitor_from_token(visitor_token_make(Visitor(public_id=uuid.uuid4())))


def test_a_new_anonymous_session_s_visitor_is_the_orm_s_on_the_default_web_channel() -> None:
    """``visitor_session``'s new anonymous visitor, one ``INSERT`` reading the default web
    channel (``services.visitors._visitor_create``): the row the ORM's ``create`` wrote, the
    default channel made when there is none, and another channel once it is made the default
    (nothing of it kept in the process)."""
    from chat.models import Channel
    from chat.services.visitors import visitor_session

    Channel.objects.filter(kind="web", is_default=True).delete()
    fields = {"page": {"url": "https://shop.example/p/2", "title": "Two"}, "language": "zh-CN"}
    first, token, current = visitor_session(token=None, user_agent="UA/1", **fields)  # type: ignore[arg-type]
    assert current is None
    default = Channel.objects.get(kind="web", is_default=True)
    assert first.channel_id == default.pk
    with CaptureQueriesContext(connection) as queries:
        second, _token, _current = visitor_session(token=None, user_agent="UA/1", **fields)  # type: ignore[arg-type]
    assert len(queries.captured_queries) == 1
    for visitor in (first, second):
        assert not visitor._state.adding
        stored = Visitor.objects.get(pk=visitor.pk)
        assert _fields(visitor) == _fields(stored)
        assert stored.channel_id == default.pk
        assert (stored.current_url, stored.current_title) == ("https://shop.example/p/2", "Two")
        assert (stored.language, stored.user_agent, stored.address) == ("zh-CN", "UA/1", "")
        assert stored.created_at is not None and stored.last_seen_at is not None
    assert visitor_from_token(token).pk == first.pk
    Channel.objects.filter(pk=default.pk).update(is_default=False)
    other = Channel.objects.create(name="Shop two", kind="web", is_default=True)
    third, _token, _current = visitor_session(token=None)
    assert Visitor.objects.get(pk=third.pk).channel_id == third.channel_id == other.pk
