"""Automatic assignment: the right team, fewest open, longest idle, VIP first, capacity."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import close_old_connections
from django.utils import timezone

from chat import services as chat_services
from chat.access import Actor
from chat.models import AgentPresence, Conversation, ConversationRouting, Message
from chat.routing import services
from chat.routing.selectors import agent_load
from orders.models import Customer
from tests.factories import (
    conversation_of,
    make_agent,
    make_team,
    make_visitor,
    shopper_says,
    team_agent,
)

pytestmark = pytest.mark.django_db


def test_new_conversation_goes_to_the_default_team_agent(
    django_capture_on_commit_callbacks: Any,
) -> None:
    team = make_team(default=True)
    agent = team_agent(team)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_of(body="I need help")
    conversation.refresh_from_db()
    assert conversation.team_id == team.pk
    assert conversation.assignee_id == agent.pk
    routing = ConversationRouting.objects.get(pk=conversation.pk)
    assert routing.queued_at is None and routing.assigned_at is not None
    joined = Message.objects.filter(conversation=conversation, sender_kind="system", private=False)
    assert [m.body for m in joined] == [f"{agent.agent_profile.name} has joined the conversation"]


def test_no_agent_available_keeps_it_queued(django_capture_on_commit_callbacks: Any) -> None:
    team = make_team(default=True)
    team_agent(team, online=False)  # offline: no socket
    away = team_agent(team)
    AgentPresence.objects.filter(user=away).update(status="away")
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_of(body="I need help")
    conversation.refresh_from_db()
    assert conversation.assignee_id is None
    assert ConversationRouting.objects.get(pk=conversation.pk).queued_at is not None


def test_fewest_open_then_longest_idle(django_capture_on_commit_callbacks: Any) -> None:
    team = make_team(default=True)
    a = team_agent(team, capacity=5)
    b = team_agent(team, capacity=5)
    now = timezone.now()
    # a was assigned more recently than b: with equal load, b is idle longer.
    AgentPresence.objects.filter(user=a).update(last_assigned_at=now)
    AgentPresence.objects.filter(user=b).update(last_assigned_at=now - dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        first = conversation_of(body="I need help")
        second = conversation_of(body="I need help")
        third = conversation_of(body="I need help")
    owners = [Conversation.objects.get(pk=c.pk).assignee_id for c in (first, second, third)]
    assert owners[0] == b.pk  # tie on load 0 -> longest idle
    assert owners[1] == a.pk  # b has 1, a has 0 -> fewest open
    assert owners[2] == b.pk  # both 1 -> b idle longer (a assigned after b)
    assert agent_load(user_id=a.pk) == 1 and agent_load(user_id=b.pk) == 2


def test_other_teams_agents_are_not_used(django_capture_on_commit_callbacks: Any) -> None:
    sales = make_team("sales", default=True)
    support = make_team("support")
    team_agent(support)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_of(body="I need help")
    conversation.refresh_from_db()
    assert conversation.team_id == sales.pk and conversation.assignee_id is None
    with django_capture_on_commit_callbacks(execute=True):
        seller = team_agent(sales)
    conversation.refresh_from_db()
    assert conversation.assignee_id == seller.pk


def test_vip_jumps_the_queue(django_capture_on_commit_callbacks: Any) -> None:
    team = make_team(default=True)
    with django_capture_on_commit_callbacks(execute=True):
        normal = conversation_of(body="I need help")
        vip_customer = Customer.objects.create(external_id="vip-1", name="Vera", vip_tier="gold")
        vip = conversation_of(body="I need help", customer=vip_customer)
    assert ConversationRouting.objects.get(pk=vip.pk).queue_priority == services.PRIORITY_VIP
    with django_capture_on_commit_callbacks(execute=True):
        agent = team_agent(team, capacity=1)
    assert Conversation.objects.get(pk=vip.pk).assignee_id == agent.pk
    assert Conversation.objects.get(pk=normal.pk).assignee_id is None


def test_capacity_frees_on_resolve_and_next_is_assigned(
    django_capture_on_commit_callbacks: Any,
) -> None:
    team = make_team(default=True)
    agent = team_agent(team, capacity=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = conversation_of(body="I need help")
        second = conversation_of(body="I need help")
    assert Conversation.objects.get(pk=first.pk).assignee_id == agent.pk
    assert Conversation.objects.get(pk=second.pk).assignee_id is None
    with django_capture_on_commit_callbacks(execute=True):
        chat_services.conversation_status_set(
            actor=Actor(user=agent), conversation_id=first.pk, status="resolved"
        )
    assert Conversation.objects.get(pk=second.pk).assignee_id == agent.pk


def test_manual_take_dequeues_and_unassign_requeues(
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_team(default=True)
    taker = make_agent()
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_of(body="I need help")
    assert ConversationRouting.objects.get(pk=conversation.pk).queued_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        chat_services.conversation_assign(
            actor=Actor(user=taker), conversation_id=conversation.pk, assignee_id=taker.pk
        )
    assert ConversationRouting.objects.get(pk=conversation.pk).queued_at is None
    with django_capture_on_commit_callbacks(execute=True):
        chat_services.conversation_assign(
            actor=Actor(user=taker), conversation_id=conversation.pk, assignee_id=None
        )
    assert ConversationRouting.objects.get(pk=conversation.pk).queued_at is not None


def test_enqueue_is_idempotent_and_ignores_assigned(
    django_capture_on_commit_callbacks: Any,
) -> None:
    make_team(default=True)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_of(body="I need help")
    first = ConversationRouting.objects.get(pk=conversation.pk)
    services.conversation_enqueue(conversation_id=conversation.pk, reason="again", priority=5)
    again = ConversationRouting.objects.get(pk=conversation.pk)
    assert again.queued_at == first.queued_at and again.queue_reason == "new"
    assert again.queue_priority == 5  # priority only rises
    agent = make_agent()
    Conversation.objects.filter(pk=conversation.pk).update(assignee=agent)
    ConversationRouting.objects.filter(pk=conversation.pk).update(queued_at=None)
    services.conversation_enqueue(conversation_id=conversation.pk, reason="handover")
    assert ConversationRouting.objects.get(pk=conversation.pk).queued_at is None


def test_bot_gate_defers_queueing(django_capture_on_commit_callbacks: Any) -> None:
    make_team(default=True)
    services.bot_gates.append(lambda conversation_id: True)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_of(body="I need help")
    routing = ConversationRouting.objects.get(pk=conversation.pk)
    assert routing.queued_at is None  # the bot has it
    with django_capture_on_commit_callbacks(execute=True):
        services.conversation_enqueue(conversation_id=conversation.pk, reason="handover")
    assert ConversationRouting.objects.get(pk=conversation.pk).queue_reason == "handover"


@pytest.mark.django_db(transaction=True)
def test_capacity_never_exceeded_under_concurrency() -> None:
    """40 conversations arrive at once from 8 threads while 3 agents (capacity 2, 3, 1) are
    online: every router races; no agent ever holds more than their capacity."""
    team = make_team(default=True)
    agents = [team_agent(team, capacity=c) for c in (2, 3, 1)]
    services.bot_gates.clear()
    visitors = [make_visitor() for _ in range(40)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker(n: int) -> None:
        try:
            barrier.wait()
            for visitor in visitors[n::8]:
                shopper_says(visitor, "help")  # commits; on_commit enqueues and assigns
                services.assign_queue(team_id=team.pk)  # extra racing routers
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for agent in agents:
        held = Conversation.objects.filter(assignee=agent, status="open").count()
        assert held == agent.agent_profile.capacity, (agent, held)
    assert Conversation.objects.filter(assignee__isnull=False).count() == 6
    queued = ConversationRouting.objects.filter(queued_at__isnull=False).count()
    assert queued == 34
    # Every conversation is either assigned or waiting: none lost between the two.
    assert Conversation.objects.count() == 40


def test_auto_assign_off_keeps_queue_for_manual_take(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.HELPDESK = {**settings.HELPDESK, "AUTO_ASSIGN": False}
    team = make_team(default=True)
    agent = team_agent(team)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_of(body="I need help")
    assert Conversation.objects.get(pk=conversation.pk).assignee_id is None
    assert ConversationRouting.objects.get(pk=conversation.pk).queued_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        chat_services.conversation_assign(
            actor=Actor(user=agent), conversation_id=conversation.pk, assignee_id=agent.pk
        )
    assert ConversationRouting.objects.get(pk=conversation.pk).queued_at is None
