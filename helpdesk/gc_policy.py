"""The server process's garbage-collection policy: full collections that scan only what is new.

CPython 3.11 stops the world for a full (generation 2) collection whenever the objects that
survived the younger generations exceed a quarter of the long-lived ones, and a full
collection walks every tracked object. A process holding 10,000 idle visitor sockets holds
~1.6 M of them: each full collection then took 1.1-1.3 s, and every message in flight waited
(docs/performance.md, "The pause found"). Most of those objects live as long as their socket
and are never garbage; walking them again and again finds nothing.

So, in a process that serves (``helpdesk/asgi.py`` installs it):

- **At start-up** everything loaded so far (Django, the apps, the URL conf) is collected once
  and frozen (``gc.freeze()``: moved to the permanent generation, which no collection walks).
- **After a full collection** whose survivors outside the frozen set exceed
  ``FREEZE_ABOVE`` objects, those survivors are frozen too: they just survived a full
  collection, so they were alive, and the next full collection walks only what came after
  them, and a full collection comes after three collections of the middle generation
  instead of ten (``OLDEST_THRESHOLD``), so it walks ~20,000 objects (~15 ms on a quiet core
  of this box), however many sockets are open.
- **Frozen objects are still freed by reference counting**, just never by the collector. A
  closed socket is freed that way because its consumer leaves no reference cycle
  (``chat/outbox.py`` ``SendQueue.stop``; ``tests/test_gc_policy.py`` opens and closes
  sockets and asserts the freeze count returns to where it was). What still becomes cyclic
  garbage after being frozen (a request in flight at a freeze: Django REST framework's view,
  request and response refer to each other) is reclaimed by a **whole-heap collection once
  the frozen set has grown to ``GROWTH`` (4) times the live heap found by the last one**: the
  policy unfreezes everything and the next full collection walks it all (its pause is that
  of CPython's default policy at that heap: ~0.8 us per object, logged). A growing heap
  triggers it once per fourfold growth; a steady one (a steady number of sockets) only as
  fast as frozen cycles pile up (in ``bench/load.py``'s opens, ~5 % of what was frozen:
  requests in flight at a freeze); frozen garbage stays below three times the live heap and
  the collector's work proportional to what is allocated, as CPython's own rule keeps it.

The policy is opt-in (``HELPDESK_GC_POLICY=1``; ``install``): without it only the start-up
freeze is done, as before. The test process's own collector is left alone (``GC_POLICY =
False`` in ``tests/settings.py``); the servers a test starts run the policy
(``tests/server_settings.py``). docs/deployment.md says how to read its log.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import time
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)

# Survivors of a full collection (outside the frozen set) above which they are frozen: the
# most a full collection walks between freezes.
FREEZE_ABOVE = 10_000
# A full collection after 3 collections of the middle generation instead of CPython's 10:
# each of those moves up to ~7,000 survivors into the oldest generation, and at 100 msg/s
# among 10,000 idle sockets ten of them made full collections walk 80-90 k objects
# (~70 ms); three keep them near 20 k. They are cheap now that the rest is frozen: at that
# rate, one every ~6 s.
OLDEST_THRESHOLD = 3
# A whole-heap collection once the frozen set is this many times the last one's live heap:
# frozen garbage stays below three times the live heap (measured: a few per cent of what is
# frozen turns out garbage), and a process growing from start-up to 10,000 sockets pays one.
GROWTH = 4.0


@dataclass
class Stats:
    full_collections: int = 0
    freezes: int = 0
    whole_scans: int = 0
    longest_full_ms: float = 0.0
    last_whole_scan_ms: float = 0.0
    last_whole_scan_objects: int = 0


class GcPolicy:
    """Freeze the survivors of full collections; a whole-heap collection when the frozen set
    has doubled since the last one (module docstring)."""

    def __init__(self, *, freeze_above: int = FREEZE_ABOVE, growth: float = GROWTH) -> None:
        self.freeze_above = freeze_above
        self.growth = growth
        self.stats = Stats()
        # The live heap the last whole-heap collection found (frozen objects included), and
        # an upper bound of the frozen set since (what was frozen, less nothing: objects
        # freed by reference counting are counted once the bound is checked).
        self.live_after_whole_scan = 0
        self.frozen_bound = 0
        self._counted = 0  # the frozen set when last counted
        self._whole_scan_next = False
        self._started = 0.0
        self.installed = False
        # The server's event loop, when there is one at install (uvicorn loads the app inside
        # it): a whole-heap collection is run on it at once rather than at the next full
        # collection CPython starts, whenever that is.
        self.loop: asyncio.AbstractEventLoop | None = None

    def install(self) -> None:
        """Collect and freeze what start-up made, then follow every full collection."""
        young, middle, _oldest = gc.get_threshold()
        gc.set_threshold(young, middle, OLDEST_THRESHOLD)
        gc.collect()
        gc.freeze()
        self.live_after_whole_scan = self.frozen_bound = self._counted = gc.get_freeze_count()
        try:
            self.loop = asyncio.get_running_loop()
        except RuntimeError:
            self.loop = None
        if not self.installed:
            gc.callbacks.append(self._callback)
            self.installed = True

    def uninstall(self) -> None:
        """Stop following collections and give the frozen set back to the collector (tests)."""
        young, middle, _oldest = gc.get_threshold()
        gc.set_threshold(young, middle, 10)
        if self.installed:
            gc.callbacks.remove(self._callback)
            self.installed = False
        gc.unfreeze()

    def _callback(self, phase: str, info: dict[str, Any]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
            return
        pause_ms = (time.perf_counter() - self._started) * 1000
        stats = self.stats
        stats.full_collections += 1
        stats.longest_full_ms = max(stats.longest_full_ms, pause_ms)
        # Outside the frozen set only this collection's survivors are tracked now (the
        # younger generations were merged into the oldest); few of them are new since.
        survivors = len(gc.get_objects(generation=2))
        if self._whole_scan_next:
            # This collection walked the whole heap: it found what is alive.
            self._whole_scan_next = False
            stats.whole_scans += 1
            stats.last_whole_scan_ms = round(pause_ms, 1)
            stats.last_whole_scan_objects = survivors
            logger.warning(
                "whole-heap garbage collection: %.0f ms over %d live objects, %d freed",
                pause_ms,
                survivors,
                info.get("collected", 0),
            )
            gc.freeze()
            stats.freezes += 1
            self.live_after_whole_scan = self.frozen_bound = self._counted = survivors
            return
        if survivors <= self.freeze_above:
            return
        gc.freeze()
        stats.freezes += 1
        self.frozen_bound += survivors
        limit = self.growth * self.live_after_whole_scan
        if (
            self.frozen_bound > limit
            and self.frozen_bound - self._counted > 0.1 * self.live_after_whole_scan
        ):
            # Counting the frozen set walks it (~10 ms at a million objects): only when the
            # upper bound says it may have grown enough, and not again for every freeze.
            self.frozen_bound = self._counted = gc.get_freeze_count()
            if self.frozen_bound > limit:
                # The next full collection walks everything and frees what frozen garbage
                # there is (the callback above freezes the survivors again).
                gc.unfreeze()
                self._whole_scan_next = True
                if self.loop is not None and not self.loop.is_closed():
                    self.loop.call_soon_threadsafe(gc.collect)


policy = GcPolicy()


def install() -> None:
    """Every server process freezes what start-up loaded (``helpdesk/asgi.py``); the policy
    proper runs where it is asked for: ``HELPDESK_GC_POLICY=1`` (else ``GC_POLICY`` in the
    settings; off by default). It trades memory for short pauses: frozen cyclic garbage is
    kept until the frozen set has grown ``GROWTH``-fold, and at 2,000 churning sockets and
    50 msg/s (``bench/soak.py``) the servers' RSS grew +21 / +23 % in 4.5 minutes with it against
    +4 / +9 % without (docs/performance.md). A process holding thousands of idle sockets, where
    a full collection of the whole heap takes a second, wants it; a busy one with a few
    hundred does not."""
    from django.conf import settings

    value = os.environ.get("HELPDESK_GC_POLICY")
    enabled = value == "1" if value is not None else bool(getattr(settings, "GC_POLICY", False))
    if not enabled:
        gc.collect()
        gc.freeze()
        return
    policy.install()
