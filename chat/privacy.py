"""Chat's part in a customer's export and erasure (``chat.listeners.connect`` registers both
into ``orders.privacy``).

Erasure keeps conversations and messages as rows — seq, timestamps, sender kinds and
statuses feed the response-time reports — but replaces every message's text, drops cards and
attachments' content, and clears the visitors' names, emails, pages and browsers.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from .events import isoformat, message_payload
from .models import (
    Attachment,
    Conversation,
    LeftMessage,
    Message,
    MessageTranslation,
    SatisfactionRating,
    UnmatchedQuestion,
    Visitor,
)

ERASED_TEXT = "[erased]"


def _conversations(customer: Any) -> Any:
    return Conversation.objects.filter(
        Q(customer=customer) | Q(visitor__customer=customer)
    ).distinct()


def export_chat(customer: Any) -> dict[str, Any]:
    """Conversations with their messages, notes included (the customer's data includes what
    agents wrote about them)."""
    out = []
    for conversation in _conversations(customer).order_by("created_at", "pk"):
        messages = Message.objects.filter(conversation=conversation).order_by("seq")
        out.append(
            {
                "id": conversation.pk,
                "status": conversation.status,
                "created_at": isoformat(conversation.created_at),
                "resolved_at": isoformat(conversation.resolved_at),
                "messages": [
                    {**message_payload(m), "attachment": None}
                    for m in messages.select_related("conversation", "translation")
                ],
            }
        )
    visitors = Visitor.objects.filter(customer=customer)
    return {
        "conversations": out,
        "devices": [
            {
                "language": v.language,
                "user_agent": v.user_agent,
                "first_seen_at": isoformat(v.created_at),
                "last_seen_at": isoformat(v.last_seen_at),
            }
            for v in visitors
        ],
    }


def erase_chat(customer: Any) -> None:
    conversations = _conversations(customer)
    ids = list(conversations.values_list("pk", flat=True))
    messages = Message.objects.filter(conversation_id__in=ids)
    messages.update(body=ERASED_TEXT, card=None, search_text=None)
    messages.filter(sender_kind=Message.SenderKind.VISITOR).update(sender_name="")
    erase_attachments(ids)
    erase_side_records(ids)
    Conversation.objects.filter(pk__in=ids).update(
        last_message_preview=ERASED_TEXT, flag_reason="", flagged_at=None
    )
    Visitor.objects.filter(Q(customer=customer) | Q(conversations__pk__in=ids)).update(
        name="",
        email="",
        address="",
        current_url="",
        current_title="",
        user_agent="",
        language="",
    )


def erase_side_records(conversation_ids: list[int]) -> None:
    """Text and contact details the shopper left outside messages: a leave-a-message form's
    email, phone and text; CSAT comments; the bot's copy of questions it could not answer.
    The rows stay (counts and ratings are anonymous facts); what identifies the person goes.
    Messages' translations are the messages' text again: they are deleted."""
    LeftMessage.objects.filter(conversation_id__in=conversation_ids).update(
        email="", phone="", body=ERASED_TEXT
    )
    SatisfactionRating.objects.filter(conversation_id__in=conversation_ids).update(comment="")
    UnmatchedQuestion.objects.filter(conversation_id__in=conversation_ids).update(text=ERASED_TEXT)
    # A translation is the message's text in another language: it goes with the text.
    MessageTranslation.objects.filter(conversation_id__in=conversation_ids).delete()


def erase_attachments(conversation_ids: list[int]) -> None:
    """Delete stored files of the conversations' messages, and their rows."""
    for attachment in Attachment.objects.filter(message__conversation_id__in=conversation_ids):
        for field in ("file", "thumbnail"):
            stored = getattr(attachment, field, None)
            if stored:
                stored.delete(save=False)
        attachment.delete()
