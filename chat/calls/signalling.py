"""The call frames of both sockets (docs/protocol.md, "Calls"): a mixin for the consumers.

Transport only: each frame is parsed, checked for size and rate, and handed to one service
(``chat/calls/services.py``, ``relay.py``) on a database thread; offers, answers and ICE
candidates are relayed to the one socket of the other side that the service names, never to a group.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from typing import Any

from django.conf import settings

from helpdesk.db_health import Unavailable
from helpdesk.db_threads import db_call
from helpdesk.errors import RateLimited

from .. import events
from . import relay, services
from .common import ANSWER, BUSY, CANDIDATE, INVITED, OFFER, CallBusy, CallResult
from .ice import candidate_allowed

logger = logging.getLogger(__name__)

# Frame type -> handler, merged into both consumers' ``handlers``.
HANDLERS = {
    "call.invite": "on_call_invite",
    "call.accept": "on_call_accept",
    "call.decline": "on_call_decline",
    "call.hangup": "on_call_hangup",
    "call.offer": "on_call_offer",
    "call.answer": "on_call_answer",
    "call.candidate": "on_call_candidate",
}


class CallSignalling:
    """Call frames for a ``FrameConsumer``: needs its ``actor``, ``channel_name``,
    ``channel_layer``, ``send_json`` and ``watch``."""

    actor: Any
    channel_name: str
    channel_layer: Any

    async def send_json(self, frame: dict[str, Any]) -> None:
        raise NotImplementedError

    async def watch(self, conversation: Any) -> None:
        raise NotImplementedError

    def _calls_state(self) -> None:
        if not hasattr(self, "call_bound"):
            # Calls whose signalling this socket carries; their ring timers; candidates sent.
            self.call_bound: set[int] = set()
            self.call_timers: dict[int, asyncio.TimerHandle] = {}
            self.call_candidates: collections.Counter[int] = collections.Counter()
            self.call_invites: collections.deque[float] = collections.deque()

    async def _call_reply(self, result: CallResult) -> None:
        # This socket's answer first: the other side reacts to its frame (the agent's side
        # sends its offer on ``call.accepted``), and that must not overtake this one.
        if result.reply is not None:
            await self.send_json(result.reply)
        for channel, frame in result.direct:
            if channel == self.channel_name:
                continue
            await self.channel_layer.send(channel, {"type": events.LAYER_EVENT, "frame": frame})

    async def _call_busy(self, busy: CallBusy, client_id: Any) -> None:
        frame = {
            "type": BUSY,
            "conversation": busy.conversation,
            "reason": busy.reason,
            "detail": str(busy.detail),
        }
        if isinstance(client_id, str) and len(client_id) <= 64:
            frame["client_id"] = client_id
        await self.send_json(frame)

    async def on_call_invite(self, frame: dict[str, Any]) -> None:
        self._calls_state()
        conf = settings.HELPDESK_CALLS
        now = time.monotonic()
        while self.call_invites and now - self.call_invites[0] > conf["INVITE_WINDOW_SECONDS"]:
            self.call_invites.popleft()
        if len(self.call_invites) >= conf["INVITE_LIMIT"]:
            raise RateLimited("Too many calls; wait a minute.")
        self.call_invites.append(now)
        try:
            result = await db_call(
                services.call_invite,
                actor=self.actor,
                conversation_id=frame.get("conversation"),
                media=frame.get("media"),
                channel=self.channel_name,
            )
        except CallBusy as busy:
            await self._call_busy(busy, frame.get("client_id"))
            return
        if result.reply is not None and result.reply["type"] == INVITED:
            call_id = result.call.pk
            self.call_bound.add(call_id)
            # The ended frames reach this socket through the conversation's groups.
            await self.watch(result.call.conversation)
            loop = asyncio.get_running_loop()
            self.call_timers[call_id] = loop.call_later(
                conf["RING_SECONDS"] + 0.5,
                lambda: asyncio.ensure_future(self._call_ring_out(call_id)),
            )
        reply = dict(result.reply or {})
        if isinstance(frame.get("client_id"), str) and len(frame["client_id"]) <= 64:
            reply["client_id"] = frame["client_id"]
        await self.send_json(reply)

    async def _call_ring_out(self, call_id: int) -> None:
        self.call_timers.pop(call_id, None)
        try:
            await db_call(services.call_expire, call_id=call_id)
        except Unavailable:
            logger.warning("call %s: ring timeout not stored, the database is unavailable", call_id)
        except Exception:
            logger.exception("call %s: ring timeout failed", call_id)

    async def on_call_accept(self, frame: dict[str, Any]) -> None:
        self._calls_state()
        try:
            result = await db_call(
                services.call_accept,
                actor=self.actor,
                call_id=frame.get("call"),
                channel=self.channel_name,
            )
        except CallBusy as busy:
            await self._call_busy(busy, frame.get("client_id"))
            return
        self.call_bound.add(result.call.pk)
        await self._call_reply(result)

    async def on_call_decline(self, frame: dict[str, Any]) -> None:
        self._calls_state()
        result = await db_call(
            services.call_decline,
            actor=self.actor,
            call_id=frame.get("call"),
            channel=self.channel_name,
        )
        await self._call_reply(result)

    async def on_call_hangup(self, frame: dict[str, Any]) -> None:
        self._calls_state()
        result = await db_call(
            services.call_hangup,
            actor=self.actor,
            call_id=frame.get("call"),
            channel=self.channel_name,
        )
        timer = self.call_timers.pop(result.call.pk, None)
        if timer is not None:
            timer.cancel()
        self.call_bound.discard(result.call.pk)
        await self._call_reply(result)

    async def _relay(self, kind: str, call_id: Any, fields: dict[str, Any]) -> None:
        peer = await db_call(
            relay.call_signal_peer,
            actor=self.actor,
            call_id=call_id,
            channel=self.channel_name,
            kind=kind,
            sdp=fields.get("sdp", ""),
        )
        out = {"type": kind, "call": call_id, **fields}
        await self.channel_layer.send(peer, {"type": events.LAYER_EVENT, "frame": out})

    async def on_call_offer(self, frame: dict[str, Any]) -> None:
        sdp = relay.check_sdp(frame.get("sdp"))
        await self._relay(OFFER, frame.get("call"), {"sdp": sdp})

    async def on_call_answer(self, frame: dict[str, Any]) -> None:
        sdp = relay.check_sdp(frame.get("sdp"))
        await self._relay(ANSWER, frame.get("call"), {"sdp": sdp})

    async def on_call_candidate(self, frame: dict[str, Any]) -> None:
        self._calls_state()
        candidate = relay.check_candidate(frame.get("candidate"))
        call_id = frame.get("call")
        if isinstance(call_id, int):
            self.call_candidates[call_id] += 1
            if self.call_candidates[call_id] > settings.HELPDESK_CALLS["MAX_CANDIDATES"]:
                raise RateLimited("Too many ICE candidates for this call.")
        if not candidate_allowed(candidate["candidate"]):
            return  # relay-only: an address of the sender's own never leaves the desk
        await self._relay(CANDIDATE, call_id, {"candidate": candidate})

    async def calls_disconnect(self) -> None:
        """The socket closed: the calls it carried end, its ring timers stop."""
        if not hasattr(self, "call_bound"):
            return
        for timer in self.call_timers.values():
            timer.cancel()
        self.call_timers.clear()
        if not self.call_bound:
            return
        self.call_bound.clear()
        try:
            await db_call(services.calls_drop_channel, channel=self.channel_name)
        except Exception:
            # The other side's hang-up or the stale-ring sweep ends them instead.
            logger.exception("calls of a closed socket not ended")
