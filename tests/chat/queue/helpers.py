"""Builders for routing tests."""

from __future__ import annotations

import itertools
from typing import Any

from chat.models import Conversation, Team, TeamRouting
from chat.routing import presence
from tests.factories import make_agent, make_visitor, shopper_says

_n = itertools.count(1)


def make_team(name: str | None = None, *, default: bool = False, target: int = 180) -> Team:
    team = Team.objects.create(name=name or f"team{next(_n)}")
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
    channel = channel or f"test-channel-{user.pk}-{next(_n)}"
    presence.presence_connect(user_id=user.pk, channel_name=channel)
    return channel


def new_conversation(body: str = "I need help", **visitor: Any) -> Conversation:
    message = shopper_says(make_visitor(**visitor), body)
    return Conversation.objects.get(pk=message.conversation_id)
