"""Frame types and channel-layer group names: what a socket is sent, and to which groups."""

from __future__ import annotations


class Frame:
    """Server -> client frame types: CONTRACT.md's, then the desk's own (docs/protocol.md).
    The ``error`` frame is built by ``helpdesk.errors.error_frame``."""

    READY = "ready"
    PONG = "pong"
    MESSAGE_ACK = "message.ack"
    MESSAGE_CREATED = "message.created"
    RESUME_DONE = "resume.done"
    CONVERSATION_CREATED = "conversation.created"
    CONVERSATION_UPDATED = "conversation.updated"
    TYPING = "typing"
    RECEIPT = "receipt"
    # To one agent: a conversation was assigned to them; their read cursor moved.
    CONVERSATION_ASSIGNED = "conversation.assigned"
    CONVERSATION_READ = "conversation.read"
    # To staff: the slow-reply guard fired; a shopper rated a care cycle; the shopper's page.
    CONVERSATION_OVERDUE = "conversation.overdue"
    CSAT_SUBMITTED = "csat.submitted"
    VISITOR_PAGE = "visitor.page"
    # To staff watching: an agent changed custom attributes (their open sidebars follow).
    CONVERSATION_ATTRIBUTES_CHANGED = "conversation.attributes_changed"
    # Routing: an agent's presence; a waiting shopper's place; a team queue's length.
    PRESENCE_CHANGED = "presence.changed"
    QUEUE_POSITION = "queue.position"
    QUEUE_CHANGED = "queue.changed"
    # The layer may have dropped frames: resume every conversation (docs/protocol.md); and
    # the answer to a ping that carries each watched conversation's last seq.
    RESYNC = "resync"
    HEARTBEAT = "heartbeat"


# The handler name consumers implement for every published frame.
LAYER_EVENT = "frame.send"
# Several such events to one group, published as one (the agents group's hubs read it):
# ``{"type": LAYER_EVENTS, "events": [...]}``.
LAYER_EVENTS = "frames.send"


# Group names. Staff groups carry private notes; shopper groups never do.
def group_agents() -> str:
    return "agents"


def group_agent(user_id: int) -> str:
    return f"agent.{user_id}"


def group_conversation(conversation_id: int) -> str:
    """Staff watching one conversation (every message, notes included)."""
    return f"conversation.{conversation_id}"


def staff_conversation_of(group: str) -> int | None:
    """The conversation whose staff group ``group`` is, else None. Its frames are published
    to the agents group, each naming the conversation (``watch``): a process's one hub
    (chat/consumers/list_hub.py) hands them to the workspace sockets watching it."""
    if not group.startswith("conversation.") or group.endswith(".shopper"):
        return None
    rest = group[len("conversation.") :]
    return int(rest) if rest.isdigit() else None


def group_conversation_shopper(conversation_id: int) -> str:
    """The shopper's sockets on one conversation (never a private note)."""
    return f"conversation.{conversation_id}.shopper"


def group_visitor(visitor_id: int) -> str:
    return f"visitor.{visitor_id}"


def group_customer(customer_id: int) -> str:
    return f"customer.{customer_id}"
