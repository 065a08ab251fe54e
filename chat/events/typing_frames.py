"""Typing frames: never stored, sent to the other side only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from helpdesk.errors import BadRequest

from ..access import Actor
from ..models import Conversation
from .names import Frame, group_conversation, group_conversation_shopper
from .payloads import sender_name


def typing_frame(
    *, actor: Actor, conversation: Conversation, on: object
) -> tuple[list[str], dict[str, Any]]:
    """The groups and the frame that tell the other side someone is typing; never stored.
    A shopper's typing goes to staff only; an agent's also to the shopper."""
    if not isinstance(on, bool):
        raise BadRequest("on must be true or false.", fields={"on": ["Expected a bool."]})
    frame = {
        "type": Frame.TYPING,
        "conversation": conversation.pk,
        "sender": {"kind": "agent" if actor.user else "visitor", "name": sender_name(actor)},
        "on": on,
    }
    groups = [group_conversation(conversation.pk)]
    if actor.user is not None:
        groups.append(group_conversation_shopper(conversation.pk))
        for part in _agent_typing_parts:
            part(conversation, frame)
    return groups, frame


AgentTyping = Callable[[Conversation, dict[str, Any]], None]
_agent_typing_parts: list[AgentTyping] = []


def agent_typing_register(part: AgentTyping) -> None:
    """Be told of an agent's typing (the API channel forwards it to the shop's app); each part
    must be cheap and never raise: it runs on every typing frame."""
    if part not in _agent_typing_parts:
        _agent_typing_parts.append(part)


def agent_typing_parts() -> list[AgentTyping]:
    return list(_agent_typing_parts)
