"""Each conversation's next SLA due moment, kept in ``ConversationTrack.sla_due_at``
(docs/metrics.md, "SLA"): the soonest due moment of its running clocks not yet judged.

The SLA tick reads the conversations whose moment has come with one range query of the
partial index ``track_sla_due``, so the periodic check costs what is due, not what is open.
The moment is refreshed by every event that moves a clock (analytics' listeners: opened,
reopened, assigned, queued, priority changed, hand-over, pending / snoozed / open, a
shopper's message that starts a wait or ends a pause, a person's reply that ends one; the
resolution clears it) and by the tick for the clocks it judged. Without an active policy a
refresh costs no query. A change of the policies or of the business hours (a schedule, its
intervals, its holidays; any process) asks for every open conversation to be refreshed,
``BATCH`` per tick (``catch_up``), as does a first tick.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from ..hours import hours_forget
from ..models import ConversationTrack, SlaOutcome, Watermark
from .clocks import Pause, clocks_of, conversation_fields, pauses_of
from .policies import cache_clear, policies

# Watermark ``sla_due``: 0 = every open conversation is to be refreshed (a policy changed,
# or never done), n > 0 = refreshed up to conversation id n, DONE = all refreshed.
MARK = "sla_due"
DONE = -1
BATCH = 5000


def next_due(
    conv: dict[str, Any],
    track: ConversationTrack,
    pauses: list[Pause] | None,
    judged: set[tuple[int, int, int]],
) -> dt.datetime | None:
    """The soonest due moment of the conversation's running clocks not judged yet."""
    dues = [
        clock.due_at
        for clock in clocks_of(conv, track, pauses)
        if (clock.conversation_id, int(clock.clock), clock.key) not in judged
    ]
    return min(dues, default=None)


def due_refresh(conversation_ids: Iterable[int]) -> int:
    """Recompute the due moment of these conversations (a resolved one has none); returns
    how many changed. No active policy: nothing, without a query."""
    from chat.models import Conversation

    ids = sorted({int(i) for i in conversation_ids if i})
    if not ids or not policies():
        return 0
    convs = {
        row["id"]: row
        for row in Conversation.objects.filter(pk__in=ids)
        .exclude(status=Conversation.Status.RESOLVED)
        .values(*conversation_fields())
    }
    tracks = list(ConversationTrack.objects.filter(conversation_id__in=ids))
    pauses = pauses_of(convs)
    outcomes = SlaOutcome.objects.filter(conversation_id__in=list(convs))
    judged = {
        (cid, int(clock), key)
        for cid, clock, key in outcomes.values_list("conversation_id", "clock", "key")
    }
    changed = 0
    for track in tracks:
        conv = convs.get(track.conversation_id)
        due = None if conv is None else next_due(conv, track, pauses.get(conv["id"]), judged)
        if due != track.sla_due_at:
            ConversationTrack.objects.filter(pk=track.pk).update(sla_due_at=due)
            changed += 1
    return changed


def due_stale(**_kwargs: Any) -> None:
    """The policies or the business hours changed: every open conversation's due moment is
    refreshed, from the next tick on (signal receiver of ``SlaPolicy``, ``Schedule``,
    ``ScheduleInterval`` and ``Holiday``)."""
    updated = Watermark.objects.filter(name=MARK).update(last_id=0)
    if not updated:
        Watermark.objects.get_or_create(name=MARK, defaults={"last_id": 0})


def catch_up(batch: int = BATCH) -> int:
    """Refresh the next ``batch`` open conversations after a policy change (or the first
    time); returns how many were read. Without an active policy every due moment is
    cleared at once."""
    from chat.models import Conversation

    mark, _ = Watermark.objects.select_for_update().get_or_create(name=MARK)
    if mark.last_id == DONE:
        return 0
    # The tick's process may hold the business hours from before the change for a minute
    # (routing's cache is per process), or policies it loaded between the saving process's
    # version bump and its commit: the refresh reads both again (the watermark's row lock
    # above waited for that commit).
    hours_forget()
    cache_clear()
    if not policies():
        ConversationTrack.objects.filter(sla_due_at__isnull=False).update(sla_due_at=None)
        ids: list[int] = []
    else:
        ids = list(
            Conversation.objects.exclude(status=Conversation.Status.RESOLVED)
            .filter(pk__gt=max(mark.last_id, 0))
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        due_refresh(ids)
    mark.last_id = ids[-1] if len(ids) == batch else DONE
    mark.save(update_fields=["last_id", "updated_at"])
    return len(ids)


def due_now(now: dt.datetime, batch: int = BATCH) -> list[int]:
    """The conversations whose due moment has come (soonest first): one range query of the
    partial index ``track_sla_due``."""
    return list(
        ConversationTrack.objects.filter(sla_due_at__lte=now)
        .order_by("sla_due_at")
        .values_list("conversation_id", flat=True)[:batch]
    )
