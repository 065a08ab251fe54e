"""The one way out: an agent's or the bot's public message on a channel with a sender.

The listener runs inside the message's transaction and adds an ``OutboundDelivery``
(pending: "not delivered yet"); after commit a Celery task hands the message to the channel's
sender. A failed try is retried with growing pauses; after the last one, or when the provider
refuses the message for good, the delivery is ``failed`` with the reason. Every change is
published to the agents watching the conversation as ``message.delivery``. Provider statuses
(delivered, read) move the delivery on and become the conversation's receipts.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from chat import events
from chat.access import Actor
from chat.models import Conversation, Message
from chat.translation.services import text_for_channel
from helpdesk import dispatch

from .models import ExternalMessage, OutboundDelivery
from .outbound_read import message_for_send
from .registry import SendContext, SendError, kind_of

logger = logging.getLogger(__name__)

MESSAGE_DELIVERY = "message.delivery"
Status = OutboundDelivery.Status
_ORDER: dict[str, int] = {"pending": 0, "sent": 1, "delivered": 2, "read": 3}
SENDERS = {Message.SenderKind.AGENT, Message.SenderKind.BOT}


def conf(key: str) -> Any:
    defaults = {
        "SEND_ATTEMPTS": 6,  # tries before a delivery fails
        "BACKOFF_SECONDS": 10.0,  # first pause; each next one is three times longer
        "BACKOFF_MAX_SECONDS": 1800.0,
        "CLAIM_SECONDS": 120.0,  # longest a worker may spend on one send
    }
    return {**defaults, **getattr(settings, "HELPDESK_CHANNELS", {})}[key]


def backoff(attempt: int) -> float:
    """Seconds to wait after the ``attempt``-th failed try (10 s, 30 s, 90 s … ≤ 30 min)."""
    return float(
        min(conf("BACKOFF_MAX_SECONDS"), conf("BACKOFF_SECONDS") * (3 ** max(attempt - 1, 0)))
    )


def delivery_payload(delivery: OutboundDelivery | None) -> dict[str, Any] | None:
    if delivery is None:
        return None
    return {
        "status": delivery.status,
        "error": delivery.error,
        "attempts": delivery.attempts,
        "next_attempt_at": events.isoformat(delivery.next_attempt_at)
        if delivery.status == Status.PENDING
        else None,
    }


def message_delivery_payload(message: Message) -> dict[str, Any]:
    """``chat.events.message_payload_register``: ``delivery`` for messages that leave through a
    provider; free unless the message is an agent's or the bot's public one on such a channel
    (the list and history select it with the message)."""
    if message.private or message.sender_kind not in SENDERS or not message.conversation_id:
        return {"delivery": None}
    spec = kind_of(events.channel_kind(message.conversation))
    if spec is None or spec.sender is None:
        return {"delivery": None}
    try:
        delivery = message.delivery  # type: ignore[attr-defined]
    except OutboundDelivery.DoesNotExist:
        delivery = None
    return {"delivery": delivery_payload(delivery)}


def _publish(delivery: OutboundDelivery, message: Message) -> None:
    events.publish(
        [events.group_conversation(message.conversation_id)],
        {
            "type": MESSAGE_DELIVERY,
            "conversation": message.conversation_id,
            "message": message.pk,
            "seq": message.seq,
            "delivery": delivery_payload(delivery),
        },
    )


def on_message_created(event: dispatch.DomainEvent) -> None:
    """Inside the message's transaction: an outgoing message on a channel with a sender gets
    its pending delivery, and the send is queued after commit."""
    data = event.data
    if data.get("private") or data.get("sender_kind") not in SENDERS:
        return
    conversation: Conversation | None = data.get("conversation")
    if conversation is None:
        return
    channel = conversation.channel
    spec = kind_of(channel.kind)
    if spec is None or spec.sender is None or not channel.active:
        return
    message_id = data["message_id"]
    OutboundDelivery.objects.create(message_id=message_id, channel=channel)
    transaction.on_commit(lambda: _enqueue(message_id), robust=True)


def _enqueue(message_id: int, countdown: float = 0) -> None:
    """Queue one try now or after ``countdown`` seconds. A longer pause than the broker can
    hold a task for (``HELPDESK_TASK_COUNTDOWN_MAX``: past the visibility timeout Redis would
    hand the waiting task to a second worker) is left to the beat's ``outbound_sweep``, which
    queues the delivery when its ``next_attempt_at`` comes."""
    if countdown > settings.HELPDESK_TASK_COUNTDOWN_MAX:
        return
    deliver.apply_async((message_id,), countdown=countdown)


def _claim(message_id: int) -> bool:
    """Take the delivery for one try without holding a transaction during the send. One
    fixed statement (compiling the ORM's version was a tenth of a send's CPU)."""
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    table = OutboundDelivery._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET claimed_until = %s WHERE message_id = %s AND status = %s "
            "AND (claimed_until IS NULL OR claimed_until < %s) "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= %s)",
            [
                adapt(now + dt.timedelta(seconds=conf("CLAIM_SECONDS"))),
                message_id,
                Status.PENDING.value,
                adapt(now),
                adapt(now),
            ],
        )
        return cursor.rowcount > 0


def delivery_attempt(*, message_id: int) -> str:
    """One try of one delivery (the Celery task's body). Returns the resulting status, or
    ``skipped`` when another worker holds it or it is not due / not pending."""
    if not _claim(message_id):
        return "skipped"
    # One query for everything a sender and the payload need, the delivery included (its
    # payload part and a template read it from the message), written out once
    # (``inboxes/outbound_read.py``: compiling it was a quarter of a send).
    message = message_for_send(message_id)
    delivery: OutboundDelivery | None = getattr(message, "delivery", None)
    if message is None or delivery is None:
        return "skipped"
    conversation = message.conversation
    channel = conversation.channel
    spec = kind_of(channel.kind)
    attempt = delivery.attempts + 1
    try:
        if spec is None or spec.sender is None:
            raise SendError("This channel cannot send.", retry=False)
        if not channel.active:
            raise SendError("The channel is switched off.", retry=False)
        # In the shopper's language when translation is on (docs/translation.md); the
        # stored message keeps its original body.
        message.body = text_for_channel(message, channel.kind)
        external_id = spec.sender(
            SendContext(
                message=message, conversation=conversation, channel=channel, attempt=attempt
            )
        )
    except SendError as exc:
        return _failed_try(message, attempt=attempt, reason=exc.reason, retry=exc.retry)
    except Exception as exc:  # a sender's bug must not lose the message: retry, then fail
        logger.exception("sender of channel %s failed on message %s", channel.pk, message_id)
        return _failed_try(
            message, attempt=attempt, reason=f"{type(exc).__name__}: {exc}", retry=True
        )
    # Two statements: the claimed (pending) delivery becomes sent, and the provider's id is
    # remembered (a repeat of it after a crash inserts nothing).
    now = timezone.now()
    done = {
        "attempts": attempt,
        "claimed_until": None,
        "next_attempt_at": None,
        "error": "",
        "updated_at": now,
    }
    with transaction.atomic():
        moved = OutboundDelivery.objects.filter(
            message_id=message_id, status=Status.PENDING
        ).update(status=Status.SENT, **done)
        if moved:
            for name, value in done.items():
                setattr(delivery, name, value)
            delivery.status = Status.SENT
        else:  # moved on meanwhile (a provider status): keep its status
            OutboundDelivery.objects.filter(message_id=message_id).update(**done)
            delivery = OutboundDelivery.objects.get(message_id=message_id)
        if external_id:
            ExternalMessage.objects.bulk_create(
                [
                    ExternalMessage(
                        channel=channel,
                        external_id=_key(external_id),
                        direction=ExternalMessage.Direction.OUT,
                        message=message,
                        conversation=conversation,
                    )
                ],
                ignore_conflicts=True,
            )
        _publish(delivery, message)
    return str(delivery.status)


# The task lives here, beside the service it runs and the services that queue it, so that
# this module does not import ``inboxes.tasks`` (which imports it): dependencies run one way.
@shared_task(name="inboxes.deliver", ignore_result=True)
def deliver(message_id: int) -> str:
    """One try of sending an outgoing message through its channel (retries are queued by the
    service itself, with their pause, so a worker never sleeps on a failing provider)."""
    return delivery_attempt(message_id=message_id)


def _key(external_id: str) -> str:
    from .inbound import external_key

    return external_key(external_id)


def _failed_try(message: Message, *, attempt: int, reason: str, retry: bool) -> str:
    last = attempt >= int(conf("SEND_ATTEMPTS"))
    with transaction.atomic():
        locked = OutboundDelivery.objects.select_for_update().get(message_id=message.pk)
        locked.attempts = attempt
        locked.claimed_until = None
        locked.error = reason[:500]
        if retry and not last:
            pause = backoff(attempt)
            locked.next_attempt_at = timezone.now() + dt.timedelta(seconds=pause)
            locked.save()
            transaction.on_commit(lambda: _enqueue(message.pk, countdown=pause), robust=True)
        else:
            locked.status = Status.FAILED
            locked.next_attempt_at = None
            locked.save()
        _publish(locked, message)
    logger.warning("message %s not sent (try %s): %s", message.pk, attempt, reason)
    return str(locked.status)


def outbound_sweep(*, grace_seconds: float = 60) -> int:
    """Queue again every pending delivery that is due but nobody is working on (a worker
    died mid-send, the broker lost the task); returns how many were queued."""
    now = timezone.now()
    due = (
        OutboundDelivery.objects.filter(status=Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .filter(updated_at__lt=now - dt.timedelta(seconds=grace_seconds))
        .values_list("message_id", flat=True)[:1000]
    )
    ids = list(due)
    for message_id in ids:
        _enqueue(message_id)
    return len(ids)


def delivery_retry(*, actor: Actor, message_id: Any) -> OutboundDelivery:
    """An agent sends a failed message again: the delivery starts over as pending."""
    from chat.access import access_conversation
    from helpdesk.errors import BadRequest, NotFound

    try:
        pk = int(message_id)
    except (TypeError, ValueError):
        raise NotFound("Message not found.") from None
    with transaction.atomic():
        delivery = OutboundDelivery.objects.select_for_update().filter(message_id=pk).first()
        if delivery is None:
            raise NotFound("Message not found.")
        message = Message.objects.get(pk=pk)
        message.conversation = access_conversation(
            actor=actor, conversation_id=message.conversation_id
        )
        if delivery.status != Status.FAILED:
            raise BadRequest("Only a failed message can be sent again.")
        delivery.status = Status.PENDING
        delivery.attempts = 0
        delivery.error = ""
        delivery.next_attempt_at = None
        delivery.claimed_until = None
        delivery.save()
        _publish(delivery, message)
        transaction.on_commit(lambda: _enqueue(pk), robust=True)
    return delivery


def delivery_status_set(*, channel: Any, external_id: str, status: str, error: str = "") -> bool:
    """A provider's status for a message we sent (``delivered``, ``read``, ``failed``): the
    delivery moves forward only, and delivered / read become the conversation's receipts
    (the shopper's side). False when the id is unknown or nothing moved."""
    from chat.services.receipts import delivered_mark, read_mark

    refs = ExternalMessage.objects.filter(
        external_id=_key(external_id), direction=ExternalMessage.Direction.OUT
    )
    if channel is not None:  # None: any channel (an ESP's tracking event names no channel)
        refs = refs.filter(channel=channel)
    ref = refs.select_related("message__conversation__visitor").first()
    if ref is None or ref.message is None:
        return False
    message = ref.message
    with transaction.atomic():
        delivery = (
            OutboundDelivery.objects.select_for_update().filter(message_id=message.pk).first()
        )
        if delivery is None:
            return False
        if status == Status.FAILED:
            if delivery.status in (Status.DELIVERED, Status.READ):
                return False
            delivery.status = Status.FAILED
            delivery.error = (error or "The provider could not deliver the message.")[:500]
        elif status in (Status.DELIVERED, Status.READ):
            if _ORDER.get(delivery.status, -1) >= _ORDER[status]:
                return False
            delivery.status = status
            delivery.error = ""
        else:
            return False
        delivery.save()
        _publish(delivery, message)
    if status in (Status.DELIVERED, Status.READ):
        visitor_actor = Actor(visitor=message.conversation.visitor)
        if status == Status.READ:
            read_mark(actor=visitor_actor, conversation_id=message.conversation_id, seq=message.seq)
        else:
            delivered_mark(
                actor=visitor_actor, conversation_id=message.conversation_id, seq=message.seq
            )
    return True
