"""Builders for test data, through the real services: the one place tests make agents,
shoppers, conversations, teams, customers with orders and API tokens.

"A shopper opens a conversation" is ``conversation_of``; a message in one is ``shopper_says``
or ``agent_says``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import time_machine
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from analytics.dialects import unpack_doubles
from analytics.models import (
    AgentDurations,
    DailyRollup,
    DurationHistogram,
    HourlyRollup,
    QuestionDaily,
    QuestionFact,
)
from analytics.selectors import ReportFilter
from chat import services
from chat.access import Actor
from chat.models import AgentProfile, Channel, Conversation, Message, Team, TeamRouting, Visitor
from helpdesk import dispatch
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


# Conversations at known times, for the analytics (docs/metrics.md): each step travels to
# ``T0 + seconds`` (time-machine) and goes through the real services.

# A Monday, 09:00 UTC.
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


@contextmanager
def at(seconds: float, base: dt.datetime = T0) -> Iterator[dt.datetime]:
    moment = base + dt.timedelta(seconds=seconds)
    with time_machine.travel(moment, tick=False):
        yield moment


def shopper_at(visitor: Any, seconds: float, body: str = "hello") -> Conversation:
    with at(seconds):
        return shopper_says(visitor, body).conversation


def agent_at(user: Any, conversation: Conversation, seconds: float, body: str = "hi") -> None:
    with at(seconds):
        agent_says(user, conversation, body)


def assign_at(by: Any, conversation: Conversation, to: Any, seconds: float) -> None:
    with at(seconds):
        services.conversation_assign(
            actor=Actor(user=by), conversation_id=conversation.pk, assignee_id=to.pk
        )


def status_at(by: Any, conversation: Conversation, value: str, seconds: float) -> None:
    with at(seconds):
        services.conversation_status_set(
            actor=Actor(user=by), conversation_id=conversation.pk, status=value
        )


def bot_at(
    conversation: Conversation,
    seconds: float,
    body: str = "Here is the answer",
    *,
    answers: bool = True,
) -> None:
    """A bot reply, the way the bot writes one (message_create on the locked row): an answer
    from a knowledge-base entry (its event names the entry), or, with ``answers=False``, the
    bot asking again ("I'm not sure I understood", ``bot_intent`` ``not_sure``)."""
    extra = {"bot_entry": 1} if answers else {"bot_intent": "not_sure"}
    with at(seconds), transaction.atomic():
        locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
        services.message_create(conversation=locked, sender_kind="bot", body=body, extra=extra)


def handover_at(conversation: Conversation, seconds: float) -> None:
    """The bot hands the conversation to a person (``bot.handover``, docs/bot.md)."""
    with at(seconds) as moment, transaction.atomic():
        dispatch.dispatch(
            dispatch.DomainEvent(
                name="bot.handover",
                at=moment,
                conversation_id=conversation.pk,
                data={"reason": "requested"},
            )
        )


def csat_at(conversation: Conversation, score: int, seconds: float) -> None:
    """A shopper's rating as routing dispatches it (docs/routing.md: ``csat.submitted``)."""
    conversation.refresh_from_db()
    with at(seconds) as moment, transaction.atomic():
        dispatch.dispatch(
            dispatch.DomainEvent(
                name="csat.submitted",
                at=moment,
                conversation_id=conversation.pk,
                data={
                    "rating_id": None,
                    "rating": score,
                    "resolved_at": None,
                    "assignee_id": conversation.assignee_id,
                    "team_id": conversation.team_id,
                },
            )
        )


# A week of reports from T0 (analytics.selectors.ReportFilter).
WEEK = ReportFilter(start=T0.date(), end=T0.date() + dt.timedelta(days=6), compare=False)


def snapshot() -> list[tuple]:
    """Every row the rollup derived (hourly, daily, histograms, questions, agents' durations),
    to compare runs."""
    out: list[tuple] = []
    for model, order in (
        (HourlyRollup, ["hour", "team_id", "agent_id"]),
        (DailyRollup, ["zone", "day", "team_id", "agent_id"]),
        (
            DurationHistogram,
            ["zone", "day", "team_id", "agent_id", "kind", "business_hours", "bucket"],
        ),
        (QuestionDaily, ["zone", "day", "team_id", "kb_entry_id", "topic_key"]),
    ):
        fields = [f.attname for f in model._meta.fields if f.attname != "id"]
        out += [
            (model.__name__, *row) for row in model.objects.order_by(*order).values_list(*fields)
        ]
    return out + agent_durations()


def agent_durations() -> list[tuple]:
    """The rows of ``AgentDurations`` with their values decoded and sorted (a row packs
    them in no particular order)."""
    rows = AgentDurations.objects.order_by("zone", "day", "kind", "agent_id", "team_id")
    return [
        (
            "AgentDurations",
            r.zone,
            r.day,
            r.kind,
            r.agent_id,
            r.team_id,
            sorted(unpack_doubles(bytes(r.seconds)).tolist()),
            sorted(unpack_doubles(bytes(r.bh_seconds)).tolist()),
        )
        for r in rows
    ]


def traffic(stage: int) -> None:
    """Conversations spread over several hours and two days."""
    boss = make_agent(f"boss{stage}", supervisor=True)
    ana, bob = make_agent(f"ana{stage}"), make_agent(f"bob{stage}")
    base = stage * 5 * 3600
    for i in range(3):
        t = base + i * 1800
        conv = shopper_at(make_visitor(), t, f"where is my parcel {i}")
        bot_at(conv, t + 5)
        handover_at(conv, t + 50)
        assign_at(boss, conv, ana if i % 2 else bob, t + 60)
        agent_at(ana if i % 2 else bob, conv, t + 200 + i * 30)
        status_at(boss, conv, "resolved", t + 3000)
        csat_at(conv, 3 + i % 3, t + 3100)
    with at(base + 100):
        QuestionFact.objects.create(
            at=T0 + dt.timedelta(seconds=base + 100), text="socks?", topic_key="sock"
        )


# Shoppers and agents with an HTTP client, for the upload and attachment endpoints.

CSRF = "m" * 32


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


class Shopper:
    def __init__(self) -> None:
        self.visitor = make_visitor()
        self.token = services.visitor_token_make(self.visitor)
        self.client = Client()

    def headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Visitor {self.token}"}

    def upload(self, data: bytes, name: str = "file.bin", content_type: str = "image/jpeg"):
        return self.client.post(
            "/api/v1/uploads",
            {"file": SimpleUploadedFile(name, data, content_type=content_type)},
            **self.headers(),
        )

    def get(self, url: str, **extra: Any):
        return self.client.get(url, **self.headers(), **extra)


class Agent:
    def __init__(self, username: str | None = None) -> None:
        self.user = make_agent(username)
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(self.user)
        self.client.cookies["csrftoken"] = CSRF

    def upload(self, data: bytes, name: str = "file.bin", content_type: str = "application/pdf"):
        return self.client.post(
            "/api/v1/uploads",
            {"file": SimpleUploadedFile(name, data, content_type=content_type)},
            HTTP_X_CSRFTOKEN=CSRF,
        )

    def get(self, url: str, **extra: Any):
        return self.client.get(url, **extra)


# Channels.


def make_email_channel(smtp_port: int | None = None, **config: Any) -> Channel:
    base = {"address": "support@shop.test", "from_name": "Shop Support"}
    if smtp_port is not None:
        base.update({"smtp_host": "127.0.0.1", "smtp_port": smtp_port, "smtp_security": "none"})
    base.update(config)
    from inboxes.email.config import check_email_config

    return Channel.objects.create(
        name="Support mail", kind="email", config=check_email_config(base)
    )
