"""Every write of the chat domain, one module per sub-domain. ``check_*`` validates, the
service writes (Zulip style).

- ``visitors``: the visitor token, the widget's session, linking a visitor to a customer.
- ``message_send``: a shopper's or agent's message, step by step.
- ``messages``: ``message_create`` (every message row is written there), activity lines.
- ``conversations``: assignee and status, by an agent or by the desk itself.
- ``receipts``: read and delivered cursors.
- ``agents``: creating agents; workspace sockets coming and going.
- ``knowledge``: knowledge-base entries drafted outside the bot (reporting's hot questions).

Services take keyword-only arguments, run in one transaction, dispatch the domain events the
change implies (listeners record analytics facts in the same transaction) and publish to the
sockets only after commit through ``chat.events.publish``.

Code in the apps imports a service from the module that owns it, so a reader sees where it
lives (tests/test_architecture.py checks it). The names below are re-exported for tests, the
benches and a shell session, where ``services.message_send(...)`` is the shortest spelling.
"""

from .agents import agent_create, agent_socket_event, agent_socket_hook_register
from .conversations import (
    conversation_assign,
    conversation_assignee_set,
    conversation_reopen,
    conversation_status_set,
)
from .knowledge import knowledge_entry_draft_create
from .message_send import check_message_send, message_send
from .messages import activity_create, check_body, check_client_id, message_create
from .receipts import check_seq, delivered_mark, delivered_mark_many, read_mark
from .visitors import (
    check_page,
    visitor_from_token,
    visitor_link_customer,
    visitor_session,
    visitor_token_make,
)

__all__ = [
    "activity_create",
    "agent_create",
    "agent_socket_event",
    "agent_socket_hook_register",
    "check_body",
    "check_client_id",
    "check_message_send",
    "check_page",
    "check_seq",
    "conversation_assign",
    "conversation_assignee_set",
    "conversation_reopen",
    "conversation_status_set",
    "delivered_mark",
    "delivered_mark_many",
    "knowledge_entry_draft_create",
    "message_create",
    "message_send",
    "read_mark",
    "visitor_from_token",
    "visitor_link_customer",
    "visitor_session",
    "visitor_token_make",
]
