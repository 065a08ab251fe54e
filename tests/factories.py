"""Builders for test data, through the real services: the one place tests make agents,
shoppers, conversations, teams, customers with orders and API tokens.

"A shopper opens a conversation" is ``conversation_of``; a message in one is ``shopper_says``
or ``agent_says``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.contrib.auth.models import Group, User
from django.utils import timezone

from chat import services
from chat.access import Actor
from chat.models import AgentProfile, Conversation, Message, Team, TeamRouting, Visitor
from orders.models import ApiToken, Customer

_counter = itertools.count(1)


def make_agent(username: str | None = None, *, supervisor: bool = False, **profile: Any) -> User:
    username = username or f"agent{next(_counter)}"
    user = User.objects.create_user(username=username, password="pw-" + username)
    group, _ = Group.objects.get_or_create(name="Supervisors" if supervisor else "Agents")
    user.groups.add(group)
    AgentProfile.objects.create(
        user=user, display_name=profile.pop("name", username.title()), **profile
    )
    return user


def make_visitor(**fields: Any) -> Visitor:
    return Visitor.objects.create(**fields)


def visitor_token(visitor: Visitor) -> str:
    return services.visitor_token_make(visitor)


def shopper_says(visitor: Visitor, body: str = "hello", client_id: str | None = None) -> Message:
    message, _ = services.message_send(
        actor=Actor(visitor=visitor), client_id=client_id or f"c-{next(_counter)}", body=body
    )
    return message


def agent_says(
    agent: User, conversation: Conversation, body: str = "hi", *, private: bool = False
) -> Message:
    message, _ = services.message_send(
        actor=Actor(user=agent),
        client_id=f"a-{next(_counter)}",
        body=body,
        conversation_id=conversation.pk,
        private=private,
    )
    return message


def conversation_of(
    visitor: Visitor | None = None, body: str = "hello", **visitor_fields: Any
) -> Conversation:
    """A shopper opens a conversation: their message through ``message_send``. Without
    ``visitor``, a new shopper made from ``visitor_fields``. The conversation is read back, as
    the send left it."""
    message = shopper_says(visitor or make_visitor(**visitor_fields), body)
    return Conversation.objects.get(pk=message.conversation_id)


# Routing: teams and agents on them (docs/routing.md).


def make_team(name: str | None = None, *, default: bool = False, target: int = 180) -> Team:
    team = Team.objects.create(name=name or f"team{next(_counter)}")
    TeamRouting.objects.create(team=team, is_default=default, reply_target_seconds=target)
    return team


def team_agent(team: Team | None, *, capacity: int = 2, online: bool = True, **kw: Any) -> Any:
    user = make_agent(capacity=capacity, **kw)
    if team is not None:
        user.agent_profile.teams.add(team)
    if online:
        go_online(user)
    return user


def go_online(user: Any, channel: str | None = None) -> str:
    from chat.routing import presence

    channel = channel or f"test-channel-{user.pk}-{next(_counter)}"
    presence.presence_connect(user_id=user.pk, channel_name=channel)
    return channel


# Orders: a shop's customers, orders, shipments and API tokens.


def customer_with_orders(external_id: str = "c-1", n: int = 3, **fields: Any) -> Customer:
    from orders import services as orders_services

    customer, _ = orders_services.customer_upsert(
        external_id=external_id,
        data={
            "name": "Ana Lima",
            "email": "ana@example.com",
            "phone": "+351 900 000 000",
            **fields,
        },
    )
    start = timezone.now() - dt.timedelta(days=n + 1)
    orders_services.orders_upsert(
        orders=[
            {
                "external_id": f"{external_id}-o{i}",
                "customer": external_id,
                "number": f"#{external_id}-{i}",
                "status": "delivered" if i % 2 else "shipped",
                "total": "20.00",
                "placed_at": start + dt.timedelta(days=i),
                "items": [
                    {"name": f"Item {i}a", "quantity": 1, "unit_price": "10.00"},
                    {"name": f"Item {i}b", "quantity": 1, "unit_price": "10.00"},
                ],
            }
            for i in range(n)
        ]
    )
    for i in range(n):
        orders_services.shipment_upsert(
            external_id=f"{external_id}-s{i}",
            data={
                "order": f"{external_id}-o{i}",
                "carrier": "DHL",
                "tracking_number": f"JD{i:06d}",
                "status": "in_transit",
                "estimated_delivery": (start + dt.timedelta(days=i + 5)).date(),
                "events": [
                    {"status": "in_transit", "occurred_at": start + dt.timedelta(days=i, hours=h)}
                    for h in range(3)
                ],
            },
        )
    return customer


def verified_visitor(customer: Customer, **fields: Any) -> Visitor:
    """A shopper whose storefront sign-in linked them to ``customer``."""
    visitor = make_visitor(**fields)
    services.visitor_link_customer(visitor=visitor, customer=customer)
    return visitor


def make_token(scope: str = ApiToken.Scope.WRITE, name: str = "shop") -> str:
    """A shop's integration API token; returns the key the shop sends."""
    token = ApiToken(name=name, scope=scope)
    key = token.set_new_key()
    token.save()
    return key


def order_payload(n: int = 1, customer: str = "c-1", **extra: Any) -> dict[str, Any]:
    """An order as a shop posts it to the integration API."""
    data: dict[str, Any] = {
        "external_id": f"o-{n}",
        "customer": customer,
        "number": f"#{1000 + n}",
        "status": "paid",
        "currency": "USD",
        "total": "59.00",
        "placed_at": "2026-11-01T10:00:00Z",
        "items": [
            {"product": "P1", "name": "Canvas sneakers", "quantity": 1, "unit_price": "59.00"}
        ],
    }
    data.update(extra)
    return data
