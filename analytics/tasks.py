"""Celery tasks of analytics: they take plain values and call a service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from django.utils.dateparse import parse_datetime

from . import services


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


@shared_task(name="analytics.topic_vectors")
def topic_vectors(texts: dict[str, str]) -> int:
    """Sentence vectors for new hot-question topic keys (key → one of its questions), with
    the bot's embedder (docs/metrics.md)."""
    from .services.imports import topic_vectors_fill

    return topic_vectors_fill(texts)
