"""The channel-layer event that carries a frame to sockets, and how sockets read one."""

from __future__ import annotations

import json
from typing import Any

from .names import LAYER_EVENT, Frame


def frame_facts(frame: dict[str, Any]) -> dict[str, Any]:
    """What a socket routes a frame by, without reading the frame: its ``type``; for
    ``message.created`` the ``conversation``, ``seq`` and ``sender`` kind (delivered
    receipts); for ``conversation.created`` / ``updated`` the conversation's ``id``, its
    ``assignee``'s id and its ``status`` (the agents' list filter, ``list.watch``)."""
    kind = frame.get("type")
    facts: dict[str, Any] = {"type": kind}
    if kind == Frame.MESSAGE_CREATED:
        message = frame["message"]
        facts["conversation"] = message["conversation"]
        facts["seq"] = message["seq"]
        facts["sender"] = message["sender"]["kind"]
    elif kind in (Frame.CONVERSATION_CREATED, Frame.CONVERSATION_UPDATED):
        conversation = frame["conversation"]
        assignee = conversation.get("assignee")
        facts["id"] = conversation.get("id")
        facts["assignee"] = assignee.get("id") if assignee else None
        facts["status"] = conversation.get("status")
    return facts


def layer_event(frame: dict[str, Any], origin: str | None = None) -> dict[str, Any]:
    """The channel-layer event that carries ``frame`` to sockets: the frame as JSON text,
    encoded once for every socket it reaches, and its ``facts``; not the frame as a dict as
    well, which the layer would pack once and unpack once per receiving socket (an
    agents-group update reaches every workspace: docs/performance.md)."""
    return {
        "type": LAYER_EVENT,
        "text": json.dumps(frame, ensure_ascii=False, separators=(",", ":")),
        "facts": frame_facts(frame),
        "origin": origin,
    }


def event_facts(event: dict[str, Any]) -> dict[str, Any]:
    """An event's ``facts`` (events sent with the frame as a dict get them from it)."""
    facts = event.get("facts")
    return facts if facts is not None else frame_facts(event["frame"])


def event_text(event: dict[str, Any]) -> str:
    text = event.get("text")
    if text is None:
        text = json.dumps(event["frame"], ensure_ascii=False, separators=(",", ":"))
    return str(text)


def event_frame(event: dict[str, Any]) -> dict[str, Any]:
    """The frame an event carries, as a dict (tests and tools that read the layer)."""
    frame = event.get("frame")
    return dict(frame) if frame is not None else dict(json.loads(event["text"]))
