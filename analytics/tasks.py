"""Celery tasks of analytics: they take plain values and call a service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from django.utils.dateparse import parse_datetime

from . import services

# The hot-question topics' vectors: their task lives beside what it runs (analytics/vectors.py),
# so the rollup that asks for it need not import this module.
from .vectors import topic_vectors as topic_vectors


@shared_task(name="analytics.rollup_tick")
def rollup_tick() -> dict[str, Any]:
    """The beat's incremental rollup (every minute), then the SLA tick (docs/metrics.md, SLA:
    nothing to do without an active policy)."""
    from .sla import sla_tick

    result = services.rollup_tick()
    sla = sla_tick()
    return {
        "hours": result.hours,
        "days": result.days,
        "imported": result.imported,
        "sla": sla,
    }


@shared_task(name="analytics.histograms_refresh")
def histograms_refresh() -> int:
    """Recompute the duration histograms of the days new facts fell in (every 5 minutes)."""
    return services.histograms_refresh()


@shared_task(name="analytics.rollup_rebuild")
def rollup_rebuild(start: str | None = None, end: str | None = None) -> dict[str, Any]:
    """Recompute ``[start, end)`` (ISO datetimes), or everything when both are empty."""

    def parse(value: str | None) -> dt.datetime | None:
        return parse_datetime(value) if value else None

    result = services.rollup_rebuild(start=parse(start), end=parse(end))
    return {"hours": result.hours, "days": result.days}
