"""WebSocket transport for shoppers (/ws/visitor/) and agents (/ws/agent/).

Consumers parse frames, call one service or selector on a database thread
(``helpdesk.db_threads``) and send frames through the socket's bounded queue
(``chat.outbox``). They hold no ORM or permission logic: access is the services' job. Every
bad frame gets an ``error`` frame and the socket stays open; the server never crashes on
input.

- ``frames``: what both sockets share (size and JSON checks, rate limit, dispatch by
  ``type``, send, resume, typing, receipts, fan-out);
- ``visitor``: the storefront widget's socket (``auth`` frame first);
- ``agent``: the workspace's socket (session cookie, presence, the list it watches);
- ``flow``: the per-socket rate limit and the release of a stopped consumer's channel.
"""

from .agent import AgentConsumer
from .frames import (
    AUTH_TIMEOUT_SECONDS,
    CLOSE_FORBIDDEN,
    CLOSE_TRY_AGAIN_LATER,
    CLOSE_UNAUTHORIZED,
    FrameConsumer,
    _send_with_payload,
)
from .visitor import VisitorConsumer

__all__ = [
    "AUTH_TIMEOUT_SECONDS",
    "CLOSE_FORBIDDEN",
    "CLOSE_TRY_AGAIN_LATER",
    "CLOSE_UNAUTHORIZED",
    "AgentConsumer",
    "FrameConsumer",
    "VisitorConsumer",
    "_send_with_payload",
]
