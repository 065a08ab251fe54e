"""Proactive order messages: orders dispatches ``order.cancelled`` / ``shipment.delayed`` /
``shipment.exception``; this listener tells the shopper in their open (or most recent)
conversation, in their language, and flags the conversation for agents. Resolving the
conversation clears the flag. ``connect()`` subscribes both, from ``chat.listeners``.

The listener runs inside the shop's upsert transaction; the message itself goes out after
commit through a Celery task (ids only), so a 5,000-order bulk call never waits on chat.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from helpdesk import dispatch
from helpdesk.dispatch import Event
from helpdesk.errors import Forbidden
from helpdesk.pending import pending_delay
from orders import selectors as order_selectors

from . import events
from .access import Actor, access_conversation
from .models import Conversation, Message
from .services.conversations import conversation_reopen
from .services.messages import message_create

logger = logging.getLogger(__name__)

NOTICE_KINDS = (Event.ORDER_CANCELLED, Event.SHIPMENT_DELAYED, Event.SHIPMENT_EXCEPTION)
FLAG_LABELS = {
    Event.ORDER_CANCELLED: gettext_lazy("Order cancelled"),
    Event.SHIPMENT_DELAYED: gettext_lazy("Shipment delayed"),
    Event.SHIPMENT_EXCEPTION: gettext_lazy("Delivery problem"),
}


def shopper_language(code: str) -> str:
    """The supported language closest to the shopper's (``zh-CN`` → ``zh-hans``), else en."""
    code = (code or "").strip().lower()
    if code.startswith("zh"):
        return "zh-hans"
    try:
        return translation.get_supported_language_variant(code) if code else "en"
    except LookupError:
        return "en"


def notice_text(kind: str, card: dict[str, Any]) -> str:
    """The shopper-facing explanation, in the active language."""
    number = card.get("title") or ""
    shipment = card.get("shipment") or {}
    carrier = shipment.get("carrier") or _("the carrier")
    if kind == Event.ORDER_CANCELLED:
        return _(
            "Your order %(number)s has been cancelled. If you did not expect this or have "
            "questions, reply here and we will help."
        ) % {"number": number}
    if kind == Event.SHIPMENT_DELAYED:
        if shipment.get("estimated_delivery"):
            return _(
                "Your order %(number)s is delayed with %(carrier)s. The new expected delivery "
                "date is %(eta)s. We are sorry for the wait."
            ) % {"number": number, "carrier": carrier, "eta": shipment["estimated_delivery"]}
        return _(
            "Your order %(number)s is delayed with %(carrier)s. We are sorry for the wait and "
            "will keep you posted here."
        ) % {"number": number, "carrier": carrier}
    return _(
        "There is a problem delivering your order %(number)s (%(carrier)s). Our team has been "
        "told and will follow up here."
    ) % {"number": number, "carrier": carrier}


def _target_conversation(customer_id: int) -> Conversation | None:
    """The customer's open conversation with the latest activity, else their latest one."""
    return (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("visitor")
        .filter(customer_id=customer_id)
        .annotate(
            closed=Case(
                When(status=Conversation.Status.RESOLVED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("closed", "-last_activity_at", "-pk")
        .first()
    )


def order_notice_post(
    *, kind: str, customer_id: int, order_id: int, shipment_id: int | None = None
) -> Message | None:
    """Post the proactive message for one order event and flag the conversation. Nothing for
    a customer who opted out, was erased, or never chatted. Idempotent per event."""
    if kind not in NOTICE_KINDS or not order_selectors.customer_notices_allowed(customer_id):
        return None
    with transaction.atomic():
        conversation = _target_conversation(customer_id)
        if conversation is None:
            return None
        client_id = f"notice-{kind}-{order_id}-{shipment_id or 0}"[:64]
        existing = Message.objects.filter(conversation=conversation, client_id=client_id).first()
        if existing is not None:
            return existing
        card = order_selectors.order_card(order_id=order_id)
        card.pop("customer_id", None)
        language = conversation.visitor.language or order_selectors.customer_language(customer_id)
        with translation.override(shopper_language(language)):
            body = notice_text(kind, card)
        if conversation.status == Conversation.Status.RESOLVED:
            conversation_reopen(conversation=conversation, by=None)
        message = message_create(
            conversation=conversation,
            sender_kind=Message.SenderKind.SYSTEM,
            body=body,
            client_id=client_id,
            kind=Message.Kind.CARD,
            card=card,
            extra={"notice": kind},
        )
        conversation.flag_reason = kind
        conversation.flagged_at = timezone.now()
        conversation.save(update_fields=["flag_reason", "flagged_at"])
        events.publish_conversation(conversation)
    return message


@shared_task(name="chat.order_notice")
def order_notice_task(
    kind: str, customer_id: int, order_id: int, shipment_id: int | None = None
) -> int | None:
    message = order_notice_post(
        kind=kind, customer_id=customer_id, order_id=order_id, shipment_id=shipment_id
    )
    return message.pk if message else None


def on_order_event(event: dispatch.DomainEvent) -> None:
    """After the shop's change commits, queue the notice (``order_notice_task``), written
    down with the change: a notice the broker lost is queued again by the sweep
    (helpdesk/pending.py), and a broker hiccup never turns the shop's call into a 500."""
    data = event.data
    pending_delay(
        order_notice_task,
        kind=event.name,
        customer_id=data["customer_id"],
        order_id=data["order_id"],
        shipment_id=data.get("shipment_id"),
    )


def on_resolved(event: dispatch.DomainEvent) -> None:
    """A resolved conversation's order flag has been dealt with."""
    if event.conversation_id is None:
        return
    Conversation.objects.filter(pk=event.conversation_id).exclude(flag_reason="").update(
        flag_reason="", flagged_at=None
    )


def flag_payload(conversation: Conversation, staff: bool) -> dict[str, Any]:
    """``flag`` in the staff view of a conversation (no query: the fields are on the row)."""
    if not staff:
        return {}
    if not conversation.flag_reason or conversation.status == Conversation.Status.RESOLVED:
        return {"flag": None}
    reason = conversation.flag_reason
    return {
        "flag": {
            "reason": reason,
            "label": str(FLAG_LABELS.get(reason, reason)),
            "at": events.isoformat(conversation.flagged_at),
        }
    }


def conversation_flag_clear(*, actor: Actor, conversation_id: int) -> Conversation:
    """An agent has dealt with the flag."""
    if actor.user is None:
        raise Forbidden("Agents only.")
    with transaction.atomic():
        conversation = access_conversation(
            actor=actor, conversation_id=conversation_id, for_update=True
        )
        if conversation.flag_reason:
            conversation.flag_reason = ""
            conversation.flagged_at = None
            conversation.save(update_fields=["flag_reason", "flagged_at"])
            events.publish_conversation(conversation, shopper=False)
    return conversation


def connect() -> None:
    for name in NOTICE_KINDS:
        dispatch.subscribe(name, on_order_event)
    dispatch.subscribe(Event.CONVERSATION_RESOLVED, on_resolved)
    events.conversation_payload_register(flag_payload)
