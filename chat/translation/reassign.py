"""Translation when a conversation changes hands, or an agent changes language.

A shopper's messages are translated into the language of the agent they are for. When the
conversation goes to an agent with another language (a transfer, an assignment, the routing's
auto-assignment), or the agent picks another language, the shopper's latest messages are made
again for that language, in Celery (``tasks.retranslate_conversation_task``), each sent as a
``message.translated`` frame: the new agent reads the history in their language. The earlier
translation stays stored with the message (``MessageTranslation.others``), so a conversation
handed back costs no provider call.
"""

from __future__ import annotations

from django.db.models import Q

from ..models import Conversation, ConversationTranslation, Message
from .providers import TranslationError, provider
from .services import agent_language, message_translate

# The shopper's messages made again per hand-over, newest first (older ones keep theirs,
# shown behind "Show translation").
RETRANSLATE_LIMIT = 50
# Per agent who changes language: their most recently active open conversations.
AGENT_CONVERSATIONS_LIMIT = 20


def conversation_retranslate_ids(*, conversation_id: int) -> list[int]:
    """The shopper's public messages (latest ``RETRANSLATE_LIMIT``, oldest first) whose
    translation is not in the language of the conversation's agent now."""
    if provider() is None:
        return []
    conversation = (
        Conversation.objects.select_related("assignee__agent_profile")
        .filter(pk=conversation_id)
        .first()
    )
    if conversation is None:
        return []
    switch = ConversationTranslation.objects.filter(conversation=conversation).first()
    if switch is not None and not switch.enabled:
        return []
    language = agent_language(conversation.assignee)
    ids = (
        Message.objects.filter(
            conversation=conversation,
            conversation_created_at=conversation.created_at,
            sender_kind=Message.SenderKind.VISITOR,
            private=False,
        )
        .exclude(body="")
        .filter(Q(translation__isnull=True) | ~Q(translation__target_language=language))
        .order_by("-seq")
        .values_list("pk", flat=True)[:RETRANSLATE_LIMIT]
    )
    return list(reversed(ids))


def conversation_retranslate(*, conversation_id: int, final: bool = False) -> list[int]:
    """Make the shopper's messages again for the conversation's agent now (see the module).
    Returns the ids whose provider call failed (stored ``failed``; the task retries them)."""
    failed = []
    for message_id in conversation_retranslate_ids(conversation_id=conversation_id):
        try:
            message_translate(message_id=message_id, final=final, retarget=True)
        except TranslationError:
            failed.append(message_id)
    return failed


def agent_open_conversations(*, user_id: int) -> list[int]:
    """The open conversations assigned to an agent who just changed language (most recently
    active first, at most ``AGENT_CONVERSATIONS_LIMIT``)."""
    return list(
        Conversation.objects.filter(assignee_id=user_id)
        .exclude(status=Conversation.Status.RESOLVED)
        .order_by("-last_activity_at")
        .values_list("pk", flat=True)[:AGENT_CONVERSATIONS_LIMIT]
    )
