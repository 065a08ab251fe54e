"""SLA policies: the one that applies to a conversation, and its targets."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from ..models import SlaOutcome, SlaPolicy

CACHE_SECONDS = 30.0
# Less than this share of a target left: the clock is at risk (the desk marks it).
AT_RISK_LEFT = 0.25

Clock = SlaOutcome.Clock


@dataclass(frozen=True)
class Policy:
    id: int
    team_id: int | None
    channel_id: int | None
    priority: int | None
    targets: dict[int, int]  # clock → seconds
    business_hours: bool

    @property
    def specificity(self) -> tuple[int, int]:
        weight = (
            (4 if self.team_id else 0)
            + (2 if self.channel_id else 0)
            + (1 if self.priority is not None else 0)
        )
        return (-weight, self.id)

    def matches(self, team_id: int | None, channel_id: int | None, priority: int) -> bool:
        return (
            (self.team_id is None or self.team_id == team_id)
            and (self.channel_id is None or self.channel_id == channel_id)
            and (self.priority is None or self.priority == priority)
        )


_cache: tuple[float, list[Policy]] | None = None
_lock = threading.Lock()


def _load() -> list[Policy]:
    out = []
    for p in SlaPolicy.objects.filter(active=True):
        targets = {
            int(clock): minutes * 60
            for clock, minutes in (
                (Clock.FIRST_RESPONSE, p.first_response_minutes),
                (Clock.NEXT_RESPONSE, p.next_response_minutes),
                (Clock.RESOLUTION, p.resolution_minutes),
            )
            if minutes is not None
        }
        out.append(Policy(p.pk, p.team_id, p.channel_id, p.priority, targets, p.business_hours))
    return sorted(out, key=lambda p: p.specificity)


def policies() -> list[Policy]:
    """The active policies, most specific first (cached briefly; saving one clears it)."""
    global _cache
    now = time.monotonic()
    with _lock:
        if _cache is not None and now - _cache[0] < CACHE_SECONDS:
            return _cache[1]
    loaded = _load()
    with _lock:
        _cache = (now, loaded)
    return loaded


def cache_clear(**_kwargs: Any) -> None:
    global _cache
    with _lock:
        _cache = None


def priority_of(conversation: Any) -> int:
    """The conversation's priority (``Conversation.Priority``: 0 none … 4 urgent)."""
    value = (
        conversation.get("priority")
        if isinstance(conversation, dict)
        else getattr(conversation, "priority", 0)
    )
    return int(value or 0)


def policy_for(team_id: int | None, channel_id: int | None, priority: int = 0) -> Policy | None:
    """The most specific active policy matching the conversation (``None``: no SLA)."""
    for policy in policies():
        if policy.matches(team_id, channel_id, priority):
            return policy
    return None
