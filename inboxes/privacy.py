"""The channels' part in a customer's export and erasure (registered into ``orders.privacy``):
the emails kept beside messages (headers, whole text, HTML, the original file) and the
channel addresses of the customer's visitors."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from chat.attachments import storage as media_storage
from chat.events import isoformat
from chat.models import Conversation, Visitor

from .models import EmailDetail


def _conversation_ids(customer: Any) -> list[int]:
    return list(
        Conversation.objects.filter(Q(customer=customer) | Q(visitor__customer=customer))
        .values_list("pk", flat=True)
        .distinct()
    )


def export_channels(customer: Any) -> dict[str, Any]:
    ids = _conversation_ids(customer)
    emails = EmailDetail.objects.filter(message__conversation_id__in=ids).order_by("created_at")
    contacts = (
        Visitor.objects.filter(customer=customer).exclude(address="").select_related("channel")
    )
    return {
        "channel_contacts": [
            {"channel": v.channel.name, "kind": v.channel.kind, "address": v.address}
            for v in contacts
        ],
        "emails": [
            {
                "message_id": e.mail_id,
                "direction": e.direction,
                "subject": e.subject,
                "from": e.from_address,
                "to": e.to,
                "cc": e.cc,
                "text": e.text,
                "at": isoformat(e.created_at),
            }
            for e in emails
        ],
    }


def erase_channels(customer: Any) -> None:
    ids = _conversation_ids(customer)
    details = EmailDetail.objects.filter(message__conversation_id__in=ids)
    media_storage.delete_quietly(*[name for name in details.values_list("raw", flat=True) if name])
    details.delete()
