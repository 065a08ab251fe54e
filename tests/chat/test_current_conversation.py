"""The widget's current conversation (``selectors.conversation_current_for_visitor``), read as
one id lookup and the joined load of chat/statements.py: the same conversation the ORM's
query picks, with every row its payload reads already loaded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from chat import events
from chat.models import Conversation, Visitor
from chat.selectors import conversation_current_for_visitor
from chat.statements import CONVERSATION_RELATED
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
