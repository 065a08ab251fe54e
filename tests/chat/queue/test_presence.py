"""Presence from sockets and the manual switch; the offline grace period; the socket hook."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from chat.models import AgentConnection, AgentPresence, Conversation, ConversationRouting, Message
from chat.routing import presence, selectors
from chat.routing.selectors import team_agents
from helpdesk.asgi import application
from tests.factories import conversation_of, go_online, make_agent, make_team, team_agent

pytestmark = pytest.mark.django_db


def available_ids() -> set[int]:
    return set(selectors.available_presences().values_list("user_id", flat=True))


def test_online_while_any_tab_lives() -> None:
    agent = make_agent()
    first = go_online(agent)
    second = go_online(agent)
    assert agent.pk in available_ids()
    presence.presence_disconnect(user_id=agent.pk, channel_name=first)
    assert agent.pk in available_ids()  # the other tab still lives
    assert AgentPresence.objects.get(user=agent).offline_since is None
    presence.presence_disconnect(user_id=agent.pk, channel_name=second)
    assert agent.pk not in available_ids()
    assert AgentPresence.objects.get(user=agent).offline_since is not None


def test_stale_heartbeat_is_not_online_and_heartbeat_revives() -> None:
    agent = make_agent()
    channel = go_online(agent)
    old = timezone.now() - selectors.presence_timeout() - dt.timedelta(seconds=5)
    AgentConnection.objects.filter(channel_name=channel).update(last_beat_at=old)
    # A crashed process leaves its row behind; an old heartbeat does not count.
    assert agent.pk not in available_ids()
    presence.presence_heartbeat(user_id=agent.pk, channel_name=channel)
    assert agent.pk in available_ids()


def test_manual_switch_away_and_offline() -> None:
    agent = make_agent()
    go_online(agent)
    presence.presence_set(user_id=agent.pk, status="away")
    assert agent.pk not in available_ids()
    assert presence.presence_state(user_id=agent.pk)["connected"] is True
    presence.presence_set(user_id=agent.pk, status="online")
    assert agent.pk in available_ids()
    presence.presence_set(user_id=agent.pk, status="offline")
    assert AgentPresence.objects.get(user=agent).offline_since is not None


def test_grace_period_then_hand_back(django_capture_on_commit_callbacks: Any) -> None:
    team = make_team(default=True)
    leaving = team_agent(team, capacity=3)
    with django_capture_on_commit_callbacks(execute=True):
        conversations = [conversation_of(body="I need help") for _ in range(2)]
    assert {Conversation.objects.get(pk=c.pk).assignee_id for c in conversations} == {leaving.pk}
    channel = AgentConnection.objects.get(user=leaving).channel_name
    presence.presence_disconnect(user_id=leaving.pk, channel_name=channel)
    # Within the grace period nothing moves.
    AgentPresence.objects.filter(user=leaving).update(
        offline_since=timezone.now() - selectors.offline_grace() + dt.timedelta(seconds=20)
    )
    assert presence.presence_sweep() == []
    assert Conversation.objects.filter(assignee=leaving).count() == 2
    # Past it, both go back to the queue (ahead of new ones) and to an available colleague.
    with django_capture_on_commit_callbacks(execute=True):
        colleague = team_agent(team, capacity=1)
    AgentPresence.objects.filter(user=leaving).update(
        offline_since=timezone.now() - selectors.offline_grace() - dt.timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        handed = presence.presence_sweep()
    assert sorted(handed) == sorted(c.pk for c in conversations)
    assert Conversation.objects.filter(assignee=leaving).count() == 0
    assert Conversation.objects.filter(assignee=colleague).count() == 1
    waiting = ConversationRouting.objects.get(queued_at__isnull=False)
    assert waiting.queue_reason == "agent_offline"
    note = Message.objects.filter(private=True, body__contains="went offline")
    assert note.count() == 2


def test_reconnect_within_grace_keeps_conversations(
    django_capture_on_commit_callbacks: Any,
) -> None:
    team = make_team(default=True)
    agent = team_agent(team)
    with django_capture_on_commit_callbacks(execute=True):
        conversation = conversation_of(body="I need help")
    channel = AgentConnection.objects.get(user=agent).channel_name
    presence.presence_disconnect(user_id=agent.pk, channel_name=channel)
    go_online(agent)  # page reload
    assert AgentPresence.objects.get(user=agent).offline_since is None
    assert presence.presence_sweep() == []
    assert Conversation.objects.get(pk=conversation.pk).assignee_id == agent.pk


def test_sweep_stamps_agents_whose_process_died() -> None:
    agent = make_agent()
    channel = go_online(agent)
    old = timezone.now() - dt.timedelta(minutes=10)
    AgentConnection.objects.filter(channel_name=channel).update(last_beat_at=old)
    presence.presence_sweep()
    assert not AgentConnection.objects.filter(user=agent).exists()
    assert AgentPresence.objects.get(user=agent).offline_since is not None


def test_presence_api(client: Client) -> None:
    agent = make_agent()
    client.force_login(agent)
    assert client.get("/api/v1/presence").json()["status"] == "online"
    response = client.post("/api/v1/presence", {"status": "away"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "away"
    bad = client.post("/api/v1/presence", {"status": "busy"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "bad_request"
    client.logout()
    assert client.get("/api/v1/presence").status_code in (401, 403)


@pytest.mark.django_db(transaction=True)
async def test_agent_socket_drives_presence() -> None:
    from asgiref.sync import sync_to_async
    from django.contrib.sessions.backends.db import SessionStore

    team = await sync_to_async(make_team)()
    agent = await sync_to_async(team_agent)(team, online=False)

    def session_cookie() -> str:
        store = SessionStore()
        store["_auth_user_id"] = str(agent.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = agent.get_session_auth_hash()
        store.create()
        return store.session_key or ""

    key = await sync_to_async(session_cookie)()
    headers = [(b"cookie", f"sessionid={key}".encode()), (b"origin", b"http://testserver")]
    first = WebsocketCommunicator(application, "/ws/agent/", headers=headers)
    second = WebsocketCommunicator(application, "/ws/agent/", headers=headers)
    try:
        assert (await first.connect())[0]
        assert (await first.receive_json_from())["type"] == "ready"
        assert (await second.connect())[0]
        assert (await second.receive_json_from())["type"] == "ready"
        ids = await sync_to_async(
            lambda: set(team_agents(team.pk).values_list("user_id", flat=True))
        )()
        assert agent.pk in ids
        assert await sync_to_async(AgentConnection.objects.filter(user=agent).count)() == 2
        await first.disconnect()
        ids = await sync_to_async(
            lambda: set(team_agents(team.pk).values_list("user_id", flat=True))
        )()
        assert agent.pk in ids
    finally:
        await second.disconnect()
    assert await sync_to_async(AgentConnection.objects.filter(user=agent).count)() == 0
    row = await sync_to_async(AgentPresence.objects.get)(user=agent)
    assert row.offline_since is not None


def test_beat_tasks_are_registered_and_run() -> None:
    from django.conf import settings

    from chat.routing import tasks
    from helpdesk.celery import app

    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    for task in (tasks.presence_sweep, tasks.queue_sweep, tasks.slow_reply_scan):
        assert task.name in scheduled and task.name in app.tasks
        assert task.delay().get() == 0  # eager in tests; nothing to do on an empty desk
