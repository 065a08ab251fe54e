"""Provider webhooks take events at the door and answer at once; a Celery task does the rest.

``event_accept`` stores the raw event under the provider's id (a repeat is found by the
unique key and stores nothing) and queues it after commit; ``event_process`` hands it to the
channel's processor (email: ``email_receive``), which goes through the one inbound path. A
failing event is retried with the outbound backoff; after the last try it stays ``failed``
with the reason (admin → inbound events). ``inbound_sweep`` re-queues events nobody took.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from chat.models import Channel
from helpdesk.task_batch import TaskBatch

from .inbound import external_key
from .models import InboundEvent
from .outbound import backoff, conf

logger = logging.getLogger(__name__)

# kind -> processor(channel, payload bytes); registered by each channel kind.
processors: dict[str, Callable[[Channel, bytes], object]] = {}


def event_accept(*, channel: Channel, external_id: str, payload: bytes) -> bool:
    """Store one event for processing; False for a repeat of a stored one. One statement
    (``INSERT … ON CONFLICT DO NOTHING RETURNING``): the webhook's whole database cost."""
    table = InboundEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (channel_id, external_id, payload, status, attempts, error, "
            "received_at) VALUES (%s, %s, %s, 'pending', 0, '', %s) "
            "ON CONFLICT (channel_id, external_id) DO NOTHING RETURNING id",
            [channel.pk, external_key(external_id), payload, timezone.now()],
        )
        row = cursor.fetchone()
    if row is None:
        return False
    event_id = int(row[0])
    transaction.on_commit(lambda: _batch(event_id), robust=True)
    return True


def _batch(event_id: int) -> None:
    inbound_batch.add(event_id)


def _enqueue(event_id: int, countdown: float = 0) -> None:
    """Queue one try now or after ``countdown`` seconds. A longer pause than the broker can
    hold a task for (``HELPDESK_TASK_COUNTDOWN_MAX``: past the visibility timeout Redis would
    hand the waiting task to a second worker) is left to the beat's ``inbound_sweep``."""
    if countdown > settings.HELPDESK_TASK_COUNTDOWN_MAX:
        return
    process_inbound.apply_async((event_id,), countdown=countdown)


def event_process(*, event_id: int) -> str:
    """Process one stored event (the task's body); returns its status."""
    # The try is counted and the event read in one statement (it was a transaction of four:
    # BEGIN, SELECT … FOR UPDATE, UPDATE, COMMIT). Two workers may still both take a pending
    # event, as before (the lock ended with that transaction): the dedupe under the contact's
    # lock makes the second one store nothing.
    table = InboundEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET attempts = attempts + 1 WHERE id = %s AND status = %s "
            "RETURNING channel_id, payload, attempts",
            [event_id, InboundEvent.Status.PENDING],
        )
        row = cursor.fetchone()
    if row is None:
        return "skipped"
    channel_id, payload, attempt = int(row[0]), bytes(row[1]), int(row[2])
    channel = _channel(channel_id)
    processor = processors.get(channel.kind)
    try:
        if processor is None:
            raise RuntimeError(f"No processor for {channel.kind} events.")
        processor(channel, payload)
    except Exception as exc:
        logger.exception("inbound event %s failed", event_id)
        last = attempt >= int(conf("SEND_ATTEMPTS"))
        InboundEvent.objects.filter(pk=event_id).update(
            status=InboundEvent.Status.FAILED if last else InboundEvent.Status.PENDING,
            error=f"{type(exc).__name__}: {exc}"[:500],
        )
        if not last:
            _enqueue(event_id, countdown=backoff(attempt))
        return "failed" if last else "pending"
    InboundEvent.objects.filter(pk=event_id).update(
        status=InboundEvent.Status.DONE, processed_at=timezone.now(), error="", payload=b""
    )
    return "done"


# The tasks live here, beside the service they run and the services that queue them, so that
# this module does not import ``inboxes.tasks`` (which imports it): dependencies run one way.
@shared_task(name="inboxes.process_inbound", ignore_result=True)
def process_inbound(event_id: int) -> str:
    """A provider's event taken by a webhook becomes a message."""
    return event_process(event_id=event_id)


@shared_task(name="inboxes.process_inbound_many", ignore_result=True)
def process_inbound_many(event_ids: list[int]) -> None:
    """``process_inbound`` for the events a web process took within 50 ms, in order."""
    for event_id in event_ids:
        event_process(event_id=event_id)


# Events taken by the webhooks of this process, sent as one task every 50 ms (publishing a
# task per event was a fifth of a webhook's CPU; helpdesk/task_batch.py).
inbound_batch = TaskBatch(process_inbound_many, window=0.05)


def _channel(channel_id: int) -> Channel:
    """The event's channel: an email channel from the per-process list every email routes by
    (``email_channels``, 10 s; the worker reads it for each mail anyway), else the row."""
    from .email.receive import email_channels

    for channel in email_channels():
        if channel.pk == channel_id:
            return channel
    return Channel.objects.get(pk=channel_id)


def inbound_sweep(*, grace_seconds: float = 120) -> int:
    """Queue again pending events older than the grace period (a lost task, a dead worker)."""
    cutoff = timezone.now() - dt.timedelta(seconds=grace_seconds)
    ids = list(
        InboundEvent.objects.filter(
            status=InboundEvent.Status.PENDING, received_at__lt=cutoff
        ).values_list("pk", flat=True)[:1000]
    )
    for event_id in ids:
        _enqueue(event_id)
    return len(ids)
