"""Celery tasks of the channels: take ids, call a service (STYLE.md)."""

from __future__ import annotations

import logging

from celery import shared_task

from helpdesk.task_batch import TaskBatch

from . import outbound

logger = logging.getLogger(__name__)


@shared_task(name="inboxes.deliver", ignore_result=True)
def deliver(message_id: int) -> str:
    """One try of sending an outgoing message through its channel (retries are queued by the
    service itself, with their pause, so a worker never sleeps on a failing provider)."""
    return outbound.delivery_attempt(message_id=message_id)


@shared_task(name="inboxes.process_inbound", ignore_result=True)
def process_inbound(event_id: int) -> str:
    """A provider's event taken by a webhook becomes a message (``inboxes.queue``)."""
    from .queue import event_process

    return event_process(event_id=event_id)


@shared_task(name="inboxes.process_inbound_many", ignore_result=True)
def process_inbound_many(event_ids: list[int]) -> None:
    """``process_inbound`` for the events a web process took within 50 ms, in order."""
    from .queue import event_process

    for event_id in event_ids:
        event_process(event_id=event_id)


# Events taken by the webhooks of this process, sent as one task every 50 ms (publishing a
# task per event was a fifth of a webhook's CPU; helpdesk/task_batch.py).
inbound_batch = TaskBatch(process_inbound_many, window=0.05)


@shared_task(name="inboxes.inbound_sweep", ignore_result=True)
def inbound_sweep() -> int:
    from .queue import inbound_sweep as sweep

    return sweep()


@shared_task(name="inboxes.outbound_sweep", ignore_result=True)
def outbound_sweep() -> int:
    """Beat: queue again the pending deliveries nobody works on."""
    return outbound.outbound_sweep()


@shared_task(name="inboxes.imap_poll", ignore_result=True)
def imap_poll() -> int:
    """Beat: fetch new mail of every active email channel that reads an IMAP mailbox."""
    from .email.imap import imap_poll_all

    return imap_poll_all()


@shared_task(name="inboxes.api_event", ignore_result=True, bind=True, max_retries=5)
def api_event(self, channel_id: int, event: dict) -> None:  # type: ignore[no-untyped-def]
    """Post one event (typing, status) to an API channel's webhook; a few retries with
    growing pauses, then it is dropped: these are hints, the messages themselves go through
    ``deliver`` and are never dropped."""
    from .api.webhooks import WebhookError, webhook_post_event

    try:
        webhook_post_event(channel_id=channel_id, event=event)
    except WebhookError as exc:
        if exc.retry and self.request.retries < self.max_retries:
            raise self.retry(countdown=outbound.backoff(self.request.retries + 1)) from exc
        logger.warning("API channel %s: event %s dropped: %s", channel_id, event.get("type"), exc)


@shared_task(name="inboxes.transcript", ignore_result=True)
def transcript(conversation_id: int, to: str = "") -> None:
    from .email.transcript import transcript_send

    transcript_send(conversation_id=conversation_id, to=to)
