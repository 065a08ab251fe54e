"""A call as the clients see it: the object of every ``call.*`` frame, and the line the
conversation's timeline gets when a call ends (a public system message whose card is the
call, drawn by each UI in its own language)."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from .. import events
from ..access import Actor
from ..models import Call, Conversation, Message
from ..services.messages import message_create
from .common import conf, iso, shopper_locale


def call_payload(call: Call) -> dict[str, Any]:
    """The call object of every ``call.*`` frame and of the timeline message's card."""
    agent = None
    if call.agent_id:
        agent = {"id": call.agent_id, "name": events.sender_name(Actor(user=call.agent))}
    return {
        "id": call.pk,
        "conversation": call.conversation_id,
        "media": call.media,
        "caller": call.caller,
        "status": call.status,
        "agent": agent,
        "answered_by": call.answered_by or None,
        "started_at": iso(call.started_at),
        "answered_at": iso(call.answered_at),
        "ended_at": iso(call.ended_at),
        "upgraded_at": iso(call.upgraded_at),
        "end_reason": call.end_reason or None,
        "duration": call.duration_seconds,
        "missed": call.missed,
        "ring_seconds": conf()["RING_SECONDS"],
    }


def _duration(seconds: int) -> str:
    minutes, sec = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{sec:02d}" if hours else f"{minutes}:{sec:02d}"


def call_summary(call: Call) -> str:
    """The timeline's line for an ended call, in the active language."""
    video = call.media == Call.Media.VIDEO
    if call.answered_at is None:
        if call.end_reason == Call.EndReason.BUSY:
            return (
                _("Missed video call: the agent was busy")
                if video
                else _("Missed voice call: the agent was busy")
            )
        if call.end_reason == Call.EndReason.DECLINED:
            return _("Video call declined") if video else _("Voice call declined")
        return _("Missed video call") if video else _("Missed voice call")
    params = {"name": call.answered_by, "duration": _duration(call.duration_seconds or 0)}
    if video:
        return _("Video call answered by %(name)s, %(duration)s") % params
    return _("Voice call answered by %(name)s, %(duration)s") % params


def call_timeline(call: Call, conversation: Conversation) -> Message:
    """The call in the conversation's timeline: a system message both sides see, whose card
    carries the call object (clients draw it in their own language)."""
    with translation.override(shopper_locale(conversation)):
        body = call_summary(call)
    return message_create(
        conversation=conversation,
        sender_kind=Message.SenderKind.SYSTEM,
        body=body,
        card={"type": "call", **call_payload(call)},
        extra={"call": call.pk},
    )
