"""Celery tasks of the channels: take ids, call a service (STYLE.md). The tasks a service
queues itself live beside it: ``deliver`` in ``inboxes.outbound``, ``process_inbound`` and
its batch in ``inboxes.queue``; importing both here registers them with the worker."""

from __future__ import annotations

import logging

from celery import shared_task

from . import outbound, queue

logger = logging.getLogger(__name__)


@shared_task(name="inboxes.inbound_sweep", ignore_result=True)
def inbound_sweep() -> int:
    return queue.inbound_sweep()


@shared_task(name="inboxes.outbound_sweep", ignore_result=True)
def outbound_sweep(grace_seconds: float = 60) -> int:
    """Beat: queue again the pending deliveries nobody works on."""
    return outbound.outbound_sweep(grace_seconds=grace_seconds)


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
def transcript(conversation_id: int, to: str = "", key: str = "") -> None:
    """Mail a transcript; ``key`` names the request, so a second run mails nothing."""
    from .email.transcript import transcript_send

    transcript_send(conversation_id=conversation_id, to=to, key=key)
