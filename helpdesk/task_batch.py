"""One Celery task per batch of ids instead of one per id, for per-message work.

Publishing a Celery task costs ~0.6 ms of CPU (kombu builds and sends the message); on the
message path that was 12 % of a Daphne process's time at 60 messages a second, for one bot
task per shopper message (docs/performance.md). A ``TaskBatch`` collects the ids handed to it
after commit and one background thread per process sends them every ``window`` seconds as
one task. Eager Celery (tests, the embedded default) runs each id at once, unbatched.

What a batch risks: a process killed within ``window`` of a commit loses that batch, as does
a broker that is down when it is sent (the shopper's message is stored; for the bot, the
beat's ``chat.bot.reply_sweep`` answers it a minute later). A normal exit flushes.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from typing import Any

logger = logging.getLogger(__name__)


class TaskBatch:
    def __init__(self, task: Any, *, window: float = 0.02, max_items: int = 500) -> None:
        self.task = task
        self.window = window
        self.max_items = max_items
        self.items: list[Any] = []
        self.cond = threading.Condition()
        self.thread: threading.Thread | None = None
        self.pid = 0
        atexit.register(self.flush)

    def add(self, item: Any) -> None:
        """Queue ``item`` for the task (call it after commit)."""
        if self.task.app.conf.task_always_eager:
            self.task.delay([item])
            return
        with self.cond:
            self.items.append(item)
            self._ensure_thread()
            # The sender waits for a first item, then for the window to pass or the batch to
            # fill; waking it for any other item only sends it back to sleep (a thread switch
            # per shopper message: 2-3 % of a server process at 100 messages a second).
            if len(self.items) == 1 or len(self.items) >= self.max_items:
                self.cond.notify()

    def _ensure_thread(self) -> None:
        # After a fork the parent's thread is gone from the child: start one per process.
        if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
            self.pid = os.getpid()
            self.thread = threading.Thread(target=self._run, name="task-batch", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        while True:
            with self.cond:
                while not self.items:
                    self.cond.wait()
                # Let the batch fill for one window from its first item, unless it is full.
                # Every ``add`` notifies: one wait would end at the next add, and under steady
                # traffic nearly every item went as a task of its own (1.8 ids per bot task at
                # 50 messages a second), so wait out the rest of the window after each wake.
                due = time.monotonic() + self.window
                while len(self.items) < self.max_items:
                    left = due - time.monotonic()
                    if left <= 0:
                        break
                    self.cond.wait(left)
            self.flush()

    def flush(self) -> None:
        with self.cond:
            items, self.items = self.items, []
        for start in range(0, len(items), self.max_items):
            chunk = items[start : start + self.max_items]
            try:
                self.task.delay(chunk)
            except Exception:
                # The broker is down: the messages are stored; the beat's sweep finds them.
                logger.exception("could not queue %s for %d items", self.task.name, len(chunk))
