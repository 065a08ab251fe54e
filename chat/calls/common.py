"""What the call modules share: the frame types, the live states, the result and busy
answer of a write, and the small checks of who is on which side of a call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from helpdesk.errors import BadRequest, HelpdeskError

from .. import events
from ..access import Actor
from ..models import Call, Conversation

LIVE = (Call.Status.RINGING, Call.Status.ACTIVE)

# Server -> client frame types (docs/protocol.md, "Calls").
RING = "call.ring"
INVITED = "call.invited"
ACCEPTED = "call.accepted"
ENDED = "call.ended"
BUSY = "call.busy"
OFFER = "call.offer"
ANSWER = "call.answer"
CANDIDATE = "call.candidate"


class CallBusy(HelpdeskError):
    """The call cannot ring now: the agent or the conversation is already in one. Sent as a
    ``call.busy`` frame, not as an error: it is an answer, not a fault."""

    code = "conflict"

    def __init__(self, detail: str, *, reason: str, conversation: int) -> None:
        super().__init__(detail)
        self.reason = reason
        self.conversation = conversation


@dataclass
class CallResult:
    call: Call
    # The acting socket's answer (``call.invited``, ``call.accepted``, ``call.busy``) or None.
    reply: dict[str, Any] | None = None
    # (channel name, frame): frames for the bound sockets, sent after commit by the caller.
    direct: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def conf() -> dict[str, Any]:
    return dict(settings.HELPDESK_CALLS)


def iso(value: dt.datetime | None) -> str | None:
    return events.isoformat(value)


def side_of(actor: Actor) -> str:
    return Call.Caller.AGENT if actor.user is not None else Call.Caller.VISITOR


def ice_user(actor: Actor) -> str:
    if actor.user is not None:
        return f"agent-{actor.user.pk}"
    assert actor.visitor is not None
    return f"visitor-{actor.visitor.pk}"


def check_media(media: object) -> str:
    if media not in Call.Media.values:
        raise BadRequest("media must be audio or video.", fields={"media": ["audio or video."]})
    return str(media)


def check_id(value: object, name: str = "call") -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**63:
        raise BadRequest(f"{name} must be an id.", fields={name: ["Expected an id."]})
    return value


def shopper_locale(conversation: Conversation) -> str:
    lang = (conversation.visitor.language or "").lower()
    return "zh-hans" if lang.startswith("zh") else "en"


def as_pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def party_channel(call: Call, side: str) -> str:
    return call.agent_channel if side == Call.Caller.AGENT else call.visitor_channel


def is_party(call: Call, actor: Actor) -> bool:
    """Whether ``actor`` is on this call: the shopper side always is (access already says it
    is their conversation); on the agent side only the call's agent is, once there is one."""
    if actor.user is None:
        return True
    return call.agent_id is None or call.agent_id == actor.user.pk
