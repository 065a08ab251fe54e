"""Slow-reply guard: waiting clock, overdue flag in the payload, one alert per waiting spell."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.utils import timezone

from chat import events
from chat import services as chat_services
from chat.models import Conversation, ConversationRouting, Message
from chat.routing.slow_reply import slow_reply_scan
from tests.factories import (
    agent_says,
    conversation_of,
    make_agent,
    make_team,
    shopper_says,
    team_agent,
)

pytestmark = pytest.mark.django_db


def backdate(conversation: Conversation, seconds: int) -> None:
    ConversationRouting.objects.filter(pk=conversation.pk).update(
        waiting_since=timezone.now() - dt.timedelta(seconds=seconds)
    )


def staff(conversation: Conversation) -> dict[str, Any]:
    return events.conversation_payload(Conversation.objects.get(pk=conversation.pk), staff=True)


def test_clock_starts_on_shopper_and_stops_on_agent_reply(
    django_capture_on_commit_callbacks: Any,
) -> None:
    team = make_team(default=True)
    agent = team_agent(team)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_of(body="first")
    first = ConversationRouting.objects.get(pk=conversation.pk).waiting_since
    assert first is not None
    shopper_says(conversation.visitor, "second")
    assert ConversationRouting.objects.get(pk=conversation.pk).waiting_since == first
    agent_says(agent, conversation, "a private look", private=True)
    assert ConversationRouting.objects.get(pk=conversation.pk).waiting_since == first
    agent_says(agent, conversation, "here to help")
    assert ConversationRouting.objects.get(pk=conversation.pk).waiting_since is None


def test_bot_reply_stops_the_clock_only_before_a_person_is_involved() -> None:
    conversation = conversation_of(body="what are your hours?")  # no on_commit: not queued
    chat_services.message_create(
        conversation=Conversation.objects.select_for_update().get(pk=conversation.pk),
        sender_kind=Message.SenderKind.BOT,
        body="9 to 6",
    )
    assert ConversationRouting.objects.get(pk=conversation.pk).waiting_since is None
    shopper_says(conversation.visitor, "human please")
    ConversationRouting.objects.filter(pk=conversation.pk).update(queued_at=timezone.now())
    chat_services.message_create(
        conversation=Conversation.objects.get(pk=conversation.pk),
        sender_kind=Message.SenderKind.BOT,
        body="Someone is coming",
    )
    assert ConversationRouting.objects.get(pk=conversation.pk).waiting_since is not None


def test_overdue_flag_uses_the_team_target(django_capture_on_commit_callbacks: Any) -> None:
    team = make_team(default=True, target=60)
    team_agent(team)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_of(body="I need help")
    assert staff(conversation)["overdue"] is False
    backdate(conversation, 61)
    payload = staff(conversation)
    assert payload["overdue"] is True and payload["waiting_since"] is not None
    # The shopper's view never carries the internal fields.
    assert "overdue" not in events.conversation_payload(
        Conversation.objects.get(pk=conversation.pk), staff=False
    )


def test_scan_notifies_assignee_and_supervisors_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    team = make_team(default=True)  # default target 180 s
    agent = team_agent(team)
    supervisor = make_agent(supervisor=True)
    bystander = make_agent()
    with django_capture_on_commit_callbacks(execute=True):
        late = conversation_of(body="I need help")
        fresh = conversation_of(body="I need help")
    backdate(late, 200)
    backdate(fresh, 100)
    assert Conversation.objects.get(pk=late.pk).assignee_id == agent.pk

    async def scenario() -> tuple[dict[int, list[dict[str, Any]]], list[int], list[int]]:
        layer = get_channel_layer()
        inbox: dict[int, str] = {}
        for user in (agent, supervisor, bystander):
            inbox[user.pk] = await layer.new_channel()
            await layer.group_add(events.group_agent(user.pk), inbox[user.pk])

        def scan() -> list[int]:
            with django_capture_on_commit_callbacks(execute=True):
                return slow_reply_scan()

        flagged = await sync_to_async(scan)()
        again = await sync_to_async(scan)()
        got: dict[int, list[dict[str, Any]]] = {}
        for user_id, channel in inbox.items():
            got[user_id] = []
            while True:
                try:
                    message = await asyncio.wait_for(layer.receive(channel), timeout=0.5)
                except TimeoutError:
                    break
                got[user_id].append(events.event_frame(message))
            await layer.group_discard(events.group_agent(user_id), channel)
        return got, flagged, again

    got, flagged, again = async_to_sync(scenario)()
    assert flagged == [late.pk] and again == []
    for user in (agent, supervisor):
        alerts = [f for f in got[user.pk] if f["type"] == "conversation.overdue"]
        assert len(alerts) == 1 and alerts[0]["conversation"] == late.pk
        assert alerts[0]["waited_seconds"] >= 200 and alerts[0]["target_seconds"] == 180
    assert not [f for f in got[bystander.pk] if f["type"] == "conversation.overdue"]
    # An agent reply ends the spell; a new shopper message starts a new one, alerted again.
    agent_says(agent, late, "sorry for the wait")
    shopper_says(late.visitor, "still there?")
    backdate(late, 500)
    assert slow_reply_scan() == [late.pk]


def test_scan_ignores_bot_handled() -> None:
    make_team(default=True)
    bot_only = conversation_of(body="I need help")  # never queued, nobody assigned: the bot's
    backdate(bot_only, 1000)
    assert slow_reply_scan() == []
    assert staff(bot_only)["overdue"] is False


def test_published_list_update_shows_the_clock_as_stored(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The message path skips the clock's write when it does not change and keeps the loaded
    routing row in step when it does: every ``conversation.updated`` the agents' lists get
    carries the ``waiting_since`` that is in the database."""
    team = make_team(default=True)
    agent = team_agent(team)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_of(body="first")

    def stored() -> str | None:
        return events.isoformat(ConversationRouting.objects.get(pk=conversation.pk).waiting_since)

    async def scenario() -> list[tuple[str | None, str | None]]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(events.group_agents(), channel)
        seen: list[tuple[str | None, str | None]] = []
        steps = [
            lambda: shopper_says(conversation.visitor, "second"),  # clock runs: no write
            lambda: agent_says(agent, conversation, "here to help"),  # stops
            lambda: shopper_says(conversation.visitor, "third"),  # starts again
            lambda: shopper_says(conversation.visitor, "fourth"),  # runs: no write
        ]
        for step in steps:

            def send(step: Any = step) -> None:
                with django_capture_on_commit_callbacks(execute=True):
                    step()

            await sync_to_async(send)()
            while True:
                message = await asyncio.wait_for(layer.receive(channel), timeout=5)
                frame = events.event_frame(message)
                if frame["type"] == events.Frame.CONVERSATION_UPDATED:
                    break
            seen.append((frame["conversation"]["waiting_since"], await sync_to_async(stored)()))
        await layer.group_discard(events.group_agents(), channel)
        return seen

    seen = async_to_sync(scenario)()
    assert [published for published, _ in seen][1] is None
    assert all(published == in_db for published, in_db in seen), seen
    assert seen[2][0] is not None and seen[3][0] == seen[2][0]
