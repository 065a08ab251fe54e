"""Routing's periodic work (CELERY_BEAT_SCHEDULE): each task calls one service."""

from __future__ import annotations

from celery import shared_task

from . import presence, services, slow_reply


@shared_task(name="chat.routing.presence_sweep", ignore_result=True)
def presence_sweep() -> int:
    """Drop dead sockets; hand back conversations of agents offline past the grace period."""
    return len(presence.presence_sweep())


@shared_task(name="chat.routing.queue_sweep", ignore_result=True)
def queue_sweep() -> int:
    """Serve every queue (a lost doorbell never strands a shopper)."""
    return len(services.assign_all())


@shared_task(name="chat.routing.slow_reply_scan", ignore_result=True)
def slow_reply_scan() -> int:
    """Flag and announce conversations waiting past their team's reply target."""
    return len(slow_reply.slow_reply_scan())
