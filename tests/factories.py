"""Builders for test data through the real services."""

from __future__ import annotations

import itertools
from typing import Any

from django.contrib.auth.models import Group, User

from chat import services
from chat.access import Actor
from chat.models import AgentProfile, Conversation, Message, Visitor

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
