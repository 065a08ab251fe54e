"""The workspace's socket: authenticated by the session cookie; presence, and the list it
watches (``list.watch``) deciding which list updates it hears."""

from __future__ import annotations

import logging
import time
from typing import Any

from helpdesk.db_health import Unavailable
from helpdesk.errors import BadRequest

from .. import events
from ..access import Actor, is_agent
from ..events import Frame
from ..models import Conversation
from ..services.agents import agent_socket_event
from .frames import CLOSE_FORBIDDEN, CLOSE_UNAUTHORIZED, FrameConsumer, _call
from .list_hub import batch_frames, hub

logger = logging.getLogger(__name__)

# How often a workspace socket's pings count as a heartbeat for presence.
HEARTBEAT_SECONDS = 20
LIST_VIEWS = ("mine", "unassigned", "all")
LIST_WATCH_IDS = 500
LIST_FRAMES = (Frame.CONVERSATION_CREATED, Frame.CONVERSATION_UPDATED)
Items = list[tuple[dict[str, Any], dict[str, Any]]]


class AgentConsumer(FrameConsumer):
    """The workspace's socket, authenticated by the Django session cookie."""

    reader = "agent"
    handlers = {
        **FrameConsumer.handlers,
        "subscribe": "on_subscribe",
        "unsubscribe": "on_unsubscribe",
        "list.watch": "on_list_watch",
    }
    # What this workspace's list shows (``list.watch``): None until it says, then every list
    # update is checked against it. ``listed`` holds the conversations the list may show, so
    # one that stops matching is sent once more (the list drops it) and then no longer.
    list_view: tuple[str, str | None] | None = None
    listed: set[int]
    # ``list.watch`` with ``batch``: the hub's gathered updates come several to a frame.
    batch = False
    early: list[tuple[Items, list[str] | None]] | None = None
    # While a frame's handler runs, the staff frames the hub hands over wait for it to end,
    # as a layer event waited for the handler before (Channels runs a consumer's handlers one
    # at a time): a resume's replay still comes before the live frames that follow it.
    held: list[tuple[dict[str, Any], dict[str, Any]]] | None = None

    async def connect(self) -> None:
        await super().connect()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHORIZED)
            return
        try:
            if not await _call(is_agent, user=user):
                await self.close(code=CLOSE_FORBIDDEN)
                return
            actor = Actor(user=user)
            name = await _call(events.sender_name, actor=actor)
        except Unavailable as error:
            await self.close_try_later(error)
            return
        self.actor = actor
        # The agents group (every list update) reaches this socket through the process's
        # one subscription of it (chat/consumers/list_hub.py); what it hears before "ready"
        # waits for it, as the layer's frames wait for the connect handler to end.
        self.early = []
        await hub.add(self)
        await self.join(events.group_agent(user.pk))
        # Presence first: once the workspace hears "ready", the agent counts as online.
        await self.socket_event("connect")
        await self.send_ready({"type": Frame.READY, "agent": {"id": user.pk, "name": name}})
        early, self.early = self.early, None
        for items, rows in early:
            self.hear_list(items, rows)

    async def socket_event(self, event: str) -> None:
        self.last_beat = time.monotonic()
        assert self.actor is not None
        try:
            await _call(
                agent_socket_event,
                event=event,
                user_id=self.actor.user.pk,
                channel_name=self.channel_name,
            )
        except Unavailable:
            # Presence is refreshed by the next heartbeat once the database is back.
            self.last_beat = 0.0
            logger.warning("presence %s dropped: the database is unavailable", event)

    async def on_ping(self, frame: dict[str, Any]) -> None:
        await super().on_ping(frame)
        if time.monotonic() - getattr(self, "last_beat", 0.0) >= HEARTBEAT_SECONDS:
            await self.socket_event("ping")

    async def disconnect(self, code: int) -> None:
        hub.remove(self)
        if self.actor is not None:
            await self.socket_event("disconnect")
        await super().disconnect(code)

    async def handle_frame(self, frame: dict[str, Any]) -> None:
        if self.actor is None:
            return
        self.held = []
        try:
            await super().handle_frame(frame)
        finally:
            held, self.held = self.held, None
            for event, facts in held:
                self.take_watched(event, facts)

    async def watch(self, conversation: Conversation) -> None:
        # The conversation's staff frames come through the process's hub (list_hub.py), whose
        # subscription is live since connect: nothing to join on the layer.
        self.watching.add(conversation.pk)
        hub.watch(self, conversation.pk)

    async def on_subscribe(self, frame: dict[str, Any]) -> None:
        conversation = await self.conversation_for(frame.get("conversation"))
        await self.watch(conversation)

    async def on_unsubscribe(self, frame: dict[str, Any]) -> None:
        conversation_id = frame.get("conversation")
        if isinstance(conversation_id, int):
            self.watching.discard(conversation_id)
            hub.unwatch(self, conversation_id)

    def is_from_other_side(self, sender_kind: str) -> bool:
        return sender_kind == "visitor"

    async def on_list_watch(self, frame: dict[str, Any]) -> None:
        view, status, ids = frame.get("view"), frame.get("status"), frame.get("ids", [])
        batch = frame.get("batch", False)
        if not isinstance(batch, bool):
            raise BadRequest("batch must be true or false.", fields={"batch": ["Expected a bool."]})
        if view not in LIST_VIEWS:
            raise BadRequest("view must be mine, unassigned or all.", fields={"view": ["Invalid."]})
        if status in (None, "any"):
            status = None
        elif status not in Conversation.Status.values:
            raise BadRequest("Unknown status.", fields={"status": ["Invalid."]})
        if (
            not isinstance(ids, list)
            or len(ids) > LIST_WATCH_IDS
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
        ):
            raise BadRequest(
                f"ids must be at most {LIST_WATCH_IDS} conversation ids.",
                fields={"ids": ["Invalid."]},
            )
        self.list_view = (view, status)
        self.listed = set(ids)
        self.batch = batch

    def list_shows(self, facts: dict[str, Any]) -> bool:
        """Whether this workspace's list shows the conversation of a list update (its
        ``facts``: ``id``, ``assignee`` id, ``status``), or showed it and must hear that it
        left. Open panes always hear of theirs."""
        if self.list_view is None:
            return True
        conversation_id = facts["id"]
        if conversation_id in self.watching:
            return True
        view, status = self.list_view
        assignee = facts["assignee"]
        if view == "mine":
            match = assignee is not None and assignee == self.actor.user.pk  # type: ignore[union-attr]
        elif view == "unassigned":
            match = assignee is None
        else:
            match = True
        if match and (status is None or facts["status"] == status):
            self.listed.add(conversation_id)
            return True
        if conversation_id in self.listed:
            self.listed.discard(conversation_id)
            return True
        return False

    async def frame_send(self, event: dict[str, Any]) -> None:
        facts = events.event_facts(event)
        if facts["type"] in LIST_FRAMES and not self.list_shows(facts):
            return
        await super().frame_send(event)

    def hear_watched(self, event: dict[str, Any], facts: dict[str, Any]) -> None:
        """A staff frame of a conversation this socket watches, from the process's hub."""
        if self.held is not None:
            self.held.append((event, facts))
            return
        self.take_watched(event, facts)

    def take_watched(self, event: dict[str, Any], facts: dict[str, Any]) -> None:
        """What ``frame_send`` does with a layer event, without waiting: the sending socket's
        own copy dropped, the list filter, the send queue, the delivered receipt."""
        if event.get("origin") == self.channel_name:
            return
        kind = facts["type"]
        if kind in LIST_FRAMES and not self.list_shows(facts):
            return
        self.outbox.put(events.event_text(event))
        if kind == Frame.MESSAGE_CREATED and facts["sender"] == "visitor":
            self.note_delivered(facts["conversation"], facts["seq"])

    def hear_list(self, items: Items, rows: list[str] | None = None) -> None:
        """Frames of the agents group from the process's hub, in order: queued without
        waiting, as fan-out always is (chat/outbox.py). ``rows``: the gathered updates'
        conversation objects as JSON text, one per item, which a socket that asked for
        ``batch`` is sent together (``conversations.updated``)."""
        if self.early is not None:
            self.early.append((items, rows))
            return
        batch: list[str] | None = [] if rows is not None and self.batch else None
        for n, (event, facts) in enumerate(items):
            if facts["type"] in LIST_FRAMES and not self.list_shows(facts):
                continue
            if event.get("origin") == self.channel_name:
                continue
            if batch is not None and rows is not None:
                batch.append(rows[n])
            else:
                self.outbox.put(events.event_text(event))
        for text in batch_frames(batch or []):
            self.outbox.put(text)
