"""Delivered receipts of every socket of a process, written together.

A socket that is sent a message from the other side records a delivered receipt. Written per
socket, a receipt cost its own trip to a database thread and its own transaction for nearly
every message (a workspace hears of one message of a conversation at a time). One writer per
event loop gathers the receipts of all its sockets for ``DELAY`` seconds, keeps the newest
seq per side and conversation (cursors only move forward, so the older ones change nothing),
and writes them in one transaction (``delivered_mark_sides``); receipts that arrive while a
write is in flight go in the next one.
"""

from __future__ import annotations

import asyncio
import logging

from helpdesk.db_health import Unavailable
from helpdesk.db_threads import db_call

from ..services.receipts import delivered_mark_sides

logger = logging.getLogger(__name__)

# How long receipts gather before they are written (the sender's "delivered" tick is this
# much later; the message itself is not delayed).
DELAY = 0.05


class ReceiptWriter:
    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.due: dict[str, dict[int, int]] = {}
        self.task: asyncio.Future[None] | None = None

    def add(self, reader: str, conversation_id: int, seq: int) -> None:
        """``reader`` (``agent`` or ``visitor``) received ``conversation_id`` up to ``seq``."""
        loop = asyncio.get_running_loop()
        if loop is not self.loop:
            # A new loop (tests run one per test): what was due on the old one is gone with it.
            self.loop, self.due, self.task = loop, {}, None
        side = self.due.setdefault(reader, {})
        if seq > side.get(conversation_id, 0):
            side[conversation_id] = seq
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._write())

    async def _write(self) -> None:
        await asyncio.sleep(DELAY)
        while self.due:
            due, self.due = self.due, {}
            try:
                await db_call(delivered_mark_sides, cursors=due)
            except Unavailable:
                logger.warning("delivered receipts dropped: the database is unavailable")
            except Exception:
                logger.exception("delivered receipts failed")


writer = ReceiptWriter()
