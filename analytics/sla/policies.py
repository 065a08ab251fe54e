"""SLA policies: the one that applies to a conversation, and its targets."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from helpdesk import shared_version

from ..models import SlaOutcome, SlaPolicy

CACHE_SECONDS = 30.0
# Saving a policy bumps this number in the shared cache (Redis in production), so every
# process drops its copy within VERSION_CHECK_SECONDS instead of CACHE_SECONDS.
VERSION_KEY = "sla-policies-version"
VERSION_CHECK_SECONDS = 1.0
logger = logging.getLogger(__name__)
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
    pause_first_response: bool = False

    def pauses(self, clock: int) -> bool:
        """Whether ``clock`` stops while the conversation is pending or snoozed: next
        response and resolution always, the first response when the policy says so."""
        return int(clock) != int(Clock.FIRST_RESPONSE) or self.pause_first_response

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


# (loaded at, policies, the shared version they were loaded under, version checked at)
_cache: tuple[float, list[Policy], int, float] | None = None
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
        out.append(
            Policy(
                p.pk,
                p.team_id,
                p.channel_id,
                p.priority,
                targets,
                p.business_hours,
                p.pause_first_response,
            )
        )
    return sorted(out, key=lambda p: p.specificity)


def policies() -> list[Policy]:
    """The active policies, most specific first (cached briefly; saving one in any process
    makes every process load them again within a second)."""
    global _cache
    now = time.monotonic()
    with _lock:
        held = _cache
    if held is not None and now - held[0] < CACHE_SECONDS:
        if now - held[3] < VERSION_CHECK_SECONDS:
            return held[1]
        version = _shared_version()
        if version == held[2]:
            with _lock:
                _cache = (held[0], held[1], held[2], now)
            return held[1]
    else:
        version = _shared_version()
    loaded = _load()
    with _lock:
        _cache = (now, loaded, version, now)
    return loaded


def _shared_version() -> int:
    return shared_version.read(VERSION_KEY, "SLA policies")


def cache_clear(**_kwargs: Any) -> None:
    """Forget this process's copy."""
    global _cache
    with _lock:
        _cache = None


def policies_changed(**_kwargs: Any) -> None:
    """A policy was saved or deleted (signal receiver): this process forgets its copy, and the
    shared version moves so the others do too."""
    cache_clear()
    shared_version.bump(VERSION_KEY, "SLA policies")


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
