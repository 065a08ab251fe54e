"""The channel-layer event that carries a frame to sockets, and how sockets read one."""

from __future__ import annotations

import json
from typing import Any

from .names import LAYER_EVENT, LAYER_EVENTS, Frame, group_agents, staff_conversation_of


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


def layer_routes(
    groups: list[str], frame: dict[str, Any], origin: str | None = None
) -> list[tuple[list[str], dict[str, Any]]]:
    """Where ``frame`` goes on the layer, and as which event: the named groups as they are,
    except a conversation's staff group (``conversation.<id>``), which is the agents group
    with the event naming the conversation (``watch``): each process's hub hands it to its
    workspace sockets that watch the conversation (chat/consumers/list_hub.py). The frame is
    encoded once for all of them."""
    text = json.dumps(frame, ensure_ascii=False, separators=(",", ":"))
    facts = frame_facts(frame)
    plain: list[str] = []
    routes: list[tuple[list[str], dict[str, Any]]] = []
    for group in groups:
        conversation_id = staff_conversation_of(group)
        if conversation_id is None:
            plain.append(group)
        else:
            event: dict[str, Any] = {"type": LAYER_EVENT, "text": text, "facts": facts}
            event["origin"], event["watch"] = origin, conversation_id
            routes.append(([group_agents()], event))
    if plain:
        routes.insert(
            0, (plain, {"type": LAYER_EVENT, "text": text, "facts": facts, "origin": origin})
        )
    return routes


def packed(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Several events to one group as one event (one ``PUBLISH``, one unpack per process)."""
    return {"type": LAYER_EVENTS, "events": items}


def unpacked(event: dict[str, Any]) -> list[dict[str, Any]]:
    """The events one layer event carries, in order: itself, or a packed one's."""
    if event.get("type") == LAYER_EVENTS:
        return list(event["events"])
    return [event]


def event_frames(event: dict[str, Any]) -> list[dict[str, Any]]:
    """``event_frame`` of each event a layer event carries (the agents group's may be packed)."""
    return [event_frame(item) for item in unpacked(event)]


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
