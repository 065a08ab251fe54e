"""Translation when a conversation changes hands, or an agent changes language.

A shopper's messages are translated into the language of the agent they are for. When the
conversation goes to an agent with another language (a transfer, an assignment, the routing's
auto-assignment), or the agent picks another language, the shopper's messages of the whole
conversation are made again for that language, in Celery (``tasks.retranslate_conversation_task``),
each sent as a ``message.translated`` frame: the new agent reads the history in their
language. The work goes newest first, ``RETRANSLATE_BATCH`` messages per task, each task
queueing the next one for the older messages: a long conversation is a chain of short tasks,
each a bounded number of provider calls (one per message, each bounded by the message's
size and the provider's timeout), and the newest lines, the ones the agent reads first, come
first. The earlier translation stays stored with the message (``MessageTranslation.others``),
so a conversation handed back costs no provider call.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from ..models import Conversation, ConversationTranslation, Message
from .providers import TranslationError, provider
from .services import agent_language, message_translate

# The shopper's messages made again per task of a hand-over's chain, newest first.
RETRANSLATE_BATCH = 50
# Per agent who changes language: their most recently active open conversations.
AGENT_CONVERSATIONS_LIMIT = 20


def conversation_retranslate_ids(
    *, conversation_id: int, before_seq: int | None = None
) -> list[tuple[int, int]]:
    """``(id, seq)`` of the next batch (at most ``RETRANSLATE_BATCH``, newest first, older
    than ``before_seq`` when given) of the shopper's public messages whose translation is not
    in the language of the conversation's agent now."""
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
    messages = Message.objects.filter(
        conversation=conversation,
        conversation_created_at=conversation.created_at,
        sender_kind=Message.SenderKind.VISITOR,
        private=False,
    )
    if before_seq is not None:
        messages = messages.filter(seq__lt=before_seq)
    return list(
        messages.exclude(body="")
        .filter(Q(translation__isnull=True) | ~Q(translation__target_language=language))
        .order_by("-seq")
        .values_list("pk", "seq")[:RETRANSLATE_BATCH]
    )


@dataclass
class Retranslated:
    # Messages whose provider call failed (stored ``failed``; the task retries each).
    failed: list[int]
    # Where the next batch starts (its messages are older than this seq), or None: done.
    before_seq: int | None


def conversation_retranslate(
    *, conversation_id: int, before_seq: int | None = None, final: bool = False
) -> Retranslated:
    """Make one batch of the shopper's messages again for the conversation's agent now (see
    the module), newest first from ``before_seq``."""
    batch = conversation_retranslate_ids(conversation_id=conversation_id, before_seq=before_seq)
    failed = []
    for message_id, _seq in batch:
        try:
            message_translate(message_id=message_id, final=final, retarget=True)
        except TranslationError:
            failed.append(message_id)
    more = len(batch) == RETRANSLATE_BATCH
    return Retranslated(failed=failed, before_seq=batch[-1][1] if more else None)


def agent_open_conversations(*, user_id: int) -> list[int]:
    """The open conversations assigned to an agent who just changed language (most recently
    active first, at most ``AGENT_CONVERSATIONS_LIMIT``)."""
    return list(
        Conversation.objects.filter(assignee_id=user_id)
        .exclude(status=Conversation.Status.RESOLVED)
        .order_by("-last_activity_at")
        .values_list("pk", flat=True)[:AGENT_CONVERSATIONS_LIMIT]
    )
