"""The storefront widget's socket: the first frame must be ``auth`` with the visitor's token."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from helpdesk.db_health import Unavailable
from helpdesk.errors import BadRequest, HelpdeskError

from .. import events, selectors
from ..access import Actor
from ..events import Frame
from ..models import Conversation, Visitor
from ..services.visitors import visitor_from_token
from .frames import AUTH_TIMEOUT_SECONDS, CLOSE_UNAUTHORIZED, FrameConsumer, _call


class VisitorConsumer(FrameConsumer):
    """The storefront widget's socket. The first frame must be ``auth`` with the token."""

    reader = "visitor"
    # handlers: FrameConsumer's, the frames both sides take, and no others.
    # Until ``auth``: closes a socket that never authenticates (dropped once it has).
    auth_timer: asyncio.TimerHandle | None = None

    async def connect(self) -> None:
        await super().connect()
        self.auth_timer = asyncio.get_running_loop().call_later(
            AUTH_TIMEOUT_SECONDS, self._auth_timer_fired
        )

    def _auth_timer_fired(self) -> None:
        self.auth_timer = None
        self.auth_closing = asyncio.ensure_future(self._auth_timeout())

    def _auth_timer_stop(self) -> None:
        if self.auth_timer is not None:
            self.auth_timer.cancel()
            self.auth_timer = None

    async def _auth_timeout(self) -> None:
        if self.actor is None:
            # The client may be gone already, its disconnect still queued behind a busy
            # server: nothing to close then. (Raised, it was a "Task exception was never
            # retrieved" traceback per socket: 3,518 in one soak's server log.)
            with contextlib.suppress(OSError):  # uvicorn's ClientDisconnected is one
                await self.close(code=CLOSE_UNAUTHORIZED)

    async def disconnect(self, code: int) -> None:
        self._auth_timer_stop()
        await super().disconnect(code)

    async def handle_frame(self, frame: dict[str, Any]) -> None:
        if self.actor is None:
            if frame.get("type") != "auth":
                await self.close(code=CLOSE_UNAUTHORIZED)
                return
            try:
                visitor = await _call(visitor_from_token, token=frame.get("token"))
            except Unavailable as error:
                # The token may be good: say so and let the client come back, token kept.
                await self.close_try_later(error)
                return
            except HelpdeskError:
                await self.close(code=CLOSE_UNAUTHORIZED)
                return
            self._auth_timer_stop()
            self.actor = Actor(visitor=visitor)
            await self.join(events.group_visitor(visitor.pk))
            if visitor.customer_id:
                await self.join(events.group_customer(visitor.customer_id))
            # Joined first, then read: a conversation opened on another tab meanwhile arrives
            # as conversation.created, or is read here, never neither.
            try:
                conversation, payload = await _call(_current, visitor=visitor)
            except Unavailable as error:
                # The database went away between the token's read and this one: the same
                # answer as above (nothing was sent yet; the groups go with the channel).
                await self.close_try_later(error)
                return
            if conversation is not None:
                await self.watch(conversation)
            await self.send_ready({"type": Frame.READY, "conversation": payload})
            return
        if frame.get("type") == "auth":
            await self.send_error(BadRequest("Already authenticated."))
            return
        await super().handle_frame(frame)

    async def watch(self, conversation: Conversation) -> None:
        self.watching.add(conversation.pk)
        await self.join(events.group_conversation_shopper(conversation.pk))

    def is_from_other_side(self, sender_kind: str) -> bool:
        return sender_kind != "visitor"

    async def frame_send(self, event: dict[str, Any]) -> None:
        facts = events.event_facts(event)
        if facts["type"] == Frame.CONVERSATION_CREATED:
            # Sent to this visitor's (or customer's) own group: a conversation opened on another
            # tab or device; follow it here too.
            conversation_id = facts["id"]
            if conversation_id not in self.watching:
                self.watching.add(conversation_id)
                await self.join(events.group_conversation_shopper(conversation_id))
        await super().frame_send(event)


def _current(*, visitor: Visitor) -> tuple[Conversation | None, dict[str, Any] | None]:
    """The visitor's current conversation and its payload in one trip to a database thread
    (two before: docs/performance.md, "Opening a visitor socket")."""
    conversation = selectors.conversation_current_for_visitor(visitor=visitor)
    if conversation is None:
        return None, None
    return conversation, events.conversation_payload(conversation, staff=False)
