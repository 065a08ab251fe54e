"""What the sockets receive: frame types, group names, payload builders, the one publish.

Payload builders are shared by WebSocket frames, REST output and webhooks. ``publish`` sends
only after the surrounding transaction commits: the channel layer is a doorbell, PostgreSQL is
the truth, and nothing may ring for a change that rolled back.

Frames are not domain events: a domain event (``helpdesk.dispatch.Event``) runs listeners
inside the writer's transaction; a frame (``Frame``) is what a socket is sent after commit.
Some share a dotted string (``message.created``), never a Python name.

- ``names``: frame types and group names;
- ``payloads``: the message and conversation payloads and their registered parts;
- ``layer_events``: the channel-layer event that carries a frame (its text and facts);
- ``publishing``: publish after commit, batched into one pipeline per Redis shard;
- ``typing_frames``: typing, never stored.
"""

from .layer_events import (
    event_facts,
    event_frame,
    event_frames,
    event_text,
    frame_facts,
    layer_event,
    layer_routes,
    packed,
    unpacked,
)
from .names import (
    LAYER_EVENT,
    LAYER_EVENTS,
    Frame,
    group_agent,
    group_agents,
    group_conversation,
    group_conversation_shopper,
    group_customer,
    group_visitor,
    staff_conversation_of,
)
from .payloads import (
    _channel_kinds,
    attachment_payload_register,
    channel_kind,
    channel_kinds_forget,
    conversation_payload,
    conversation_payload_parts,
    conversation_payload_register,
    isoformat,
    message_payload,
    message_payload_parts,
    message_payload_register,
    message_payload_staff_extra,
    sender_name,
)
from .publishing import (
    _publish_pipelined,
    _pubsub_loop_layer,
    _send_in_order,
    _send_now,
    publish,
    publish_conversation,
    publish_each,
    publish_message,
    publisher,
)
from .typing_frames import agent_typing_parts, agent_typing_register, typing_frame

__all__ = [
    "LAYER_EVENT",
    "LAYER_EVENTS",
    "Frame",
    "_channel_kinds",
    "_publish_pipelined",
    "_pubsub_loop_layer",
    "_send_in_order",
    "_send_now",
    "agent_typing_parts",
    "agent_typing_register",
    "attachment_payload_register",
    "channel_kind",
    "channel_kinds_forget",
    "conversation_payload",
    "conversation_payload_parts",
    "conversation_payload_register",
    "event_facts",
    "event_frame",
    "event_frames",
    "event_text",
    "frame_facts",
    "group_agent",
    "group_agents",
    "group_conversation",
    "group_conversation_shopper",
    "group_customer",
    "group_visitor",
    "isoformat",
    "layer_event",
    "layer_routes",
    "message_payload",
    "message_payload_parts",
    "message_payload_register",
    "message_payload_staff_extra",
    "packed",
    "publish",
    "publish_conversation",
    "publish_each",
    "publish_message",
    "publisher",
    "sender_name",
    "staff_conversation_of",
    "typing_frame",
    "unpacked",
]
