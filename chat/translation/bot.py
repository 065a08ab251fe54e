"""The bot and a shopper who writes neither English nor Chinese.

The knowledge base is matched in its own languages (English and Chinese indexes,
chat/bot/matching/). A German or Japanese question is first translated into the knowledge
base's language (the desk's: English, or Chinese for a Chinese desk) and matched as that;
the answer is the entry's, translated back into the shopper's language like any bot message
(``services.message_translate``). Runs in the bot's Celery task, never on the message path.

The question is translated once: when the agents read it in the knowledge base's language
(the usual case, an unassigned conversation read in the desk's language), the translation
the bot matches is the message's stored one (``services.message_translate``, which lets one
worker at a time make it: the translation task that runs alongside takes the bot's row, or
the bot the task's).
"""

from __future__ import annotations

import logging

from ..models import Conversation, ConversationTranslation, Message, MessageTranslation
from .detect import detect_language, script_language
from .glossary import glossary_pattern, glossary_terms, segments
from .providers import TranslationError, provider
from .services import agent_language, desk_language, message_translate

logger = logging.getLogger(__name__)

# The knowledge base's languages: the translation code and the bot's index code of each.
KB_LANGUAGES = {"en": "en", "zh": "zh-hans"}
Status = MessageTranslation.Status


def kb_question(message: Message, text: str, language: str) -> tuple[str, str]:
    """``(text, language)`` for the bot to match: the question as it stands when it is in one
    of the knowledge base's languages, when no provider is set, when the conversation has
    translation off, or when the provider fails (matched as written, as before); otherwise
    its translation into the desk's knowledge-base language."""
    translator = provider()
    if translator is None or not text.strip() or script_language(text) == "zh":
        return text, language
    source = detect_language(text)
    if source is None or source in KB_LANGUAGES:
        return text, language
    switch = ConversationTranslation.objects.filter(conversation_id=message.conversation_id).first()
    if switch is not None and not switch.enabled:
        return text, language
    target = desk_language() if desk_language() in KB_LANGUAGES else "en"
    conversation = (
        Conversation.objects.select_related("assignee__agent_profile")
        .filter(pk=message.conversation_id)
        .first()
    )
    if conversation is not None and agent_language(conversation.assignee) == target:
        row = message_translate(message_id=message.pk, final=True)
        status = row.status if row is not None else None
        if row is not None and status == Status.DONE and row.target_language == target:
            return row.body, KB_LANGUAGES[target]
        if status == Status.FAILED:
            return text, language  # logged by the service; the translation task retries
    parts = segments(text, glossary_pattern(glossary_terms()))
    try:
        translated = translator.translate(parts, source=source, target=target)
    except TranslationError as exc:
        logger.warning("the bot's question %s not translated: %s", message.pk, exc)
        return text, language
    return translated, KB_LANGUAGES[target]
