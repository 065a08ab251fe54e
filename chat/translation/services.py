"""Translating one message and storing the result (``message_translate``), and the text a
provider channel delivers (``text_for_channel``). The per-conversation switch and the agent's
language: ``switches.py``.

``message_translate`` runs in Celery after the message committed (chat/translation/tasks.py),
so the message path never waits for a provider. A translation is made once: a stored
``done`` (or ``skipped``) row is never recomputed. A provider that fails leaves the message
``failed`` ("not translated"), told to the clients at once, and the task retries a bounded
number of times; the original was delivered all along.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import translation as django_translation
from django.utils.translation import gettext as _

from .. import events
from ..models import (
    Conversation,
    ConversationTranslation,
    KnowledgeEntry,
    Message,
    MessageTranslation,
)
from ..models.translation import TRANSLATION_LANGUAGES
from .detect import detect_language, script_language
from .glossary import glossary_pattern, glossary_terms, segments
from .providers import TranslationError, provider, translation_enabled

logger = logging.getLogger(__name__)

# The frame that brings a message's translation (docs/protocol.md).
MESSAGE_TRANSLATED = "message.translated"

LANGUAGE_CODES = {code for code, _label in TRANSLATION_LANGUAGES}
Status = MessageTranslation.Status


def language_code(value: str | None) -> str | None:
    """A browser's or profile's language tag (``de-DE``, ``zh-Hans``, ``zh-hans``) as one of
    the desk's codes, or None."""
    if not value:
        return None
    base = value.strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGE_CODES else None


def desk_language() -> str:
    return language_code(settings.HELPDESK_TRANSLATION["DESK_LANGUAGE"]) or "en"


def agent_language(user: Any) -> str:
    """The language shoppers' messages are shown to ``user`` in (their profile's, else the
    desk's)."""
    profile = getattr(user, "agent_profile", None) if user is not None else None
    return language_code(getattr(profile, "language", "")) or desk_language()


def translation_payload(translation: MessageTranslation | None) -> dict[str, Any] | None:
    """The message object's ``translation`` (docs/protocol.md): ``status`` ``done`` with the
    ``body`` in ``language``; ``failed`` (not translated; a retry may still bring it); or
    ``skipped`` (no translation needed)."""
    if translation is None:
        return None
    return {
        "status": translation.status,
        "language": translation.target_language,
        "source_language": translation.source_language,
        "body": translation.body if translation.status == Status.DONE else None,
    }


def message_translation_payload(message: Message) -> dict[str, Any]:
    """``chat.events.message_payload_register``: ``translation`` from the row the reader
    selected with the message (history and resume select it); never a query. A message just
    sent has none yet: its translation follows as ``message.translated``."""
    cached = message._state.fields_cache.get("translation")
    return {"translation": translation_payload(cached)}


def _publish(message: Message, translation: MessageTranslation) -> None:
    frame = {
        "type": MESSAGE_TRANSLATED,
        "conversation": message.conversation_id,
        "message": message.pk,
        "seq": message.seq,
        "translation": translation_payload(translation),
    }
    groups = [events.group_conversation(message.conversation_id)]
    if message.sender_kind != Message.SenderKind.VISITOR:
        # The shopper needs only what is written to them.
        groups.append(events.group_conversation_shopper(message.conversation_id))
        if message.sender_kind == Message.SenderKind.BOT:
            # The bot's first answer may beat the shopper's socket into the conversation's
            # group (chat/bot/handover.py bot_say): the visitor's group always has it.
            groups.append(events.group_visitor(message.conversation.visitor_id))
    events.publish(groups, frame)


def shopper_language(conversation: Conversation, switch: ConversationTranslation) -> str | None:
    """The shopper's language: as last detected; else detected now from their latest messages
    (the bot's answer may be translated before the question's task recorded it); else their
    browser's, when it is one of the desk's."""
    known = language_code(switch.shopper_language)
    if known:
        return known
    bodies = (
        Message.objects.filter(
            conversation=conversation,
            conversation_created_at=conversation.created_at,
            sender_kind=Message.SenderKind.VISITOR,
            private=False,
        )
        .order_by("-seq")
        .values_list("body", flat=True)[:3]
    )
    for body in bodies:
        detected = detect_language(body)
        if detected:
            switch.shopper_language = detected
            switch.save(update_fields=["shopper_language", "updated_at"])
            return detected
    return language_code(conversation.visitor.language)


def kb_entry_for_shopper(entry: KnowledgeEntry, question: Message | None) -> KnowledgeEntry:
    """The bot answers from the entry in the shopper's language where the knowledge base has
    one (same ``key``); otherwise from ``entry``, whose answer is then translated like any bot
    message. Unchanged while translation is off."""
    if question is None or not translation_enabled() or not question.body.strip():
        return entry
    # The knowledge base is English and Chinese: the script tells them apart, without the
    # detector's models (a suggestion pick runs this in a web process).
    script = script_language(question.body)
    kb_language = (
        KnowledgeEntry.Language.ZH_HANS
        if script == "zh"
        else KnowledgeEntry.Language.EN
        if script is None
        else None
    )
    if kb_language is None or kb_language == entry.language:
        return entry
    siblings = KnowledgeEntry.objects.filter(key=entry.key, language=kb_language, active=True)
    return siblings.first() or entry


def _languages(
    message: Message,
    conversation: Conversation,
    switch: ConversationTranslation,
    *,
    learn: bool = True,
) -> tuple[str | None, str | None]:
    """(source, target) for ``message``; either None when it cannot be told. A shopper's
    message read with ``learn`` sets the conversation's shopper language."""
    if message.sender_kind == Message.SenderKind.SYSTEM:
        # Written by the desk in the shopper's locale of its own two (English or Chinese).
        written = "zh" if script_language(message.body) == "zh" else "en"
        return written, shopper_language(conversation, switch)
    detected = detect_language(message.body)
    visitor_language = language_code(conversation.visitor.language)
    if message.sender_kind == Message.SenderKind.VISITOR:
        if learn and detected and detected != switch.shopper_language:
            switch.shopper_language = detected
            switch.save(update_fields=["shopper_language", "updated_at"])
        source = detected or language_code(switch.shopper_language) or visitor_language
        return source, agent_language(conversation.assignee)
    target = shopper_language(conversation, switch)
    if message.sender_kind == Message.SenderKind.AGENT:
        return detected or agent_language(message.sender_user), target
    return detected or desk_language(), target


class _StoredMeanwhile(Exception):
    """Another worker stored this message's translation first (the translation task and a
    channel's delivery may both make it): theirs stands."""


def _store(
    message: Message, existing: MessageTranslation | None, **values: Any
) -> MessageTranslation:
    row = existing or MessageTranslation(message=message, conversation_id=message.conversation_id)
    for name, value in values.items():
        setattr(row, name, value)
    if existing is not None:
        row.save()
        return row
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError as exc:
        raise _StoredMeanwhile from exc
    return row


def message_translate(
    *, message_id: int, final: bool = True, retarget: bool = False
) -> MessageTranslation | None:
    """Translate one message once and tell the clients (``message.translated``).

    Returns the stored row, or None for a message that is never translated (a note, an
    empty body, a conversation with translation off, no provider). Raises
    ``TranslationError`` after storing ``failed`` when the provider failed and ``final`` is
    False (the task retries); with ``final`` the failure stays stored and nothing is raised.
    A row another worker stored meanwhile is returned as it is.

    ``retarget``: a shopper's message already translated for an agent with another language
    (the conversation changed hands) is made again for the agent it is for now; the earlier
    translation is kept in ``others`` and taken back from there, without a provider call,
    when the conversation comes back.
    """
    with _one_worker(message_id):
        try:
            return _message_translate(message_id=message_id, final=final, retarget=retarget)
        except _StoredMeanwhile:
            return MessageTranslation.objects.filter(message_id=message_id).first()


@contextmanager
def _one_worker(message_id: int) -> Iterator[None]:
    """One worker at a time makes a message's translation: the bot's task (a question it
    matches in the knowledge base's language, chat/translation/bot.py) and the translation
    task both want the shopper's message translated, usually at the same moment. The second
    waits for the first's row (at most the provider's timeout) and takes it: one provider
    call. A claim in the shared cache (Redis), not a database lock, so no connection or
    transaction is held across the provider call (PgBouncer's transaction mode allows no
    session locks). A cache that fails costs only the saving: each worker goes on alone."""
    key = f"translation:making:{message_id}"
    wait = float(settings.HELPDESK_TRANSLATION["TIMEOUT"]) + 1.0
    try:
        claimed = bool(cache.add(key, 1, timeout=int(wait) + 1))
        deadline = time.monotonic() + wait
        while not claimed and time.monotonic() < deadline:
            time.sleep(0.05)
            claimed = bool(cache.add(key, 1, timeout=int(wait) + 1))
    except Exception:  # the cache is only a saving here
        logger.warning("translation claim for message %s skipped: cache unavailable", message_id)
        claimed = False
    try:
        yield
    finally:
        if claimed:
            try:
                cache.delete(key)
            except Exception:  # it expires on its own
                logger.warning("translation claim for message %s left to expire", message_id)


def _protected(message: Message) -> list[tuple[str, bool]]:
    """The glossary, and in a system line the names it carries ("Ana has joined")."""
    terms = glossary_terms()
    if message.sender_kind == Message.SenderKind.SYSTEM:
        card = message.card if isinstance(message.card, dict) else {}
        for name in (message.sender_name, card.get("name"), card.get("answered_by")):
            if isinstance(name, str) and name.strip():
                terms.append((name.strip(), True))
    return terms


def _message_translate(
    *, message_id: int, final: bool, retarget: bool
) -> MessageTranslation | None:
    translator = provider()
    message = (
        Message.objects.select_related(
            "conversation__visitor",
            "conversation__assignee__agent_profile",
            "sender_user__agent_profile",
            "translation",
        )
        .filter(pk=message_id)
        .first()
    )
    if translator is None or message is None or message.private or not message.body.strip():
        return None
    existing: MessageTranslation | None = message._state.fields_cache.get("translation")
    retarget = retarget and message.sender_kind == Message.SenderKind.VISITOR
    if existing is not None and existing.status != Status.FAILED and not retarget:
        return existing
    conversation = message.conversation
    switch, _created = ConversationTranslation.objects.get_or_create(conversation=conversation)
    if not switch.enabled:
        return None
    source, target = _languages(message, conversation, switch, learn=not retarget)
    kept: dict[str, Any] = {}
    if retarget and existing is not None and existing.status != Status.FAILED:
        if existing.target_language == (target or ""):
            return existing
        others = dict(existing.others or {})
        if existing.status == Status.DONE and existing.body:
            others[existing.target_language] = existing.body
        if target is not None and target in others:
            row = _store(
                message,
                existing,
                status=Status.DONE,
                target_language=target,
                body=others.pop(target),
                others=others,
                error="",
            )
            _publish(message, row)
            return row
        kept = {"others": others}
    if source is None or target is None or source == target:
        row = _store(
            message,
            existing,
            status=Status.SKIPPED,
            source_language=source or "",
            target_language=target or "",
            **kept,
        )
        if existing is not None:
            _publish(message, row)  # it had been told "not translated"
        return row
    parts = segments(message.body, glossary_pattern(_protected(message)))
    attempts = (existing.attempts if existing else 0) + 1
    try:
        if all(part.protected or not part.text.strip() for part in parts):
            body = message.body  # nothing but glossary words
        else:
            body = translator.translate(parts, source=source, target=target)
    except TranslationError as exc:
        logger.warning("translating message %s failed (attempt %s): %s", message_id, attempts, exc)
        row = _store(
            message,
            existing,
            status=Status.FAILED,
            source_language=source,
            target_language=target,
            provider=translator.name,
            attempts=attempts,
            error=str(exc)[:300],
            **kept,
        )
        if existing is None or kept:
            _publish(message, row)
        if not final:
            raise
        return row
    row = _store(
        message,
        existing,
        status=Status.DONE,
        source_language=source,
        target_language=target,
        body=body,
        provider=translator.name,
        attempts=attempts,
        error="",
        **kept,
    )
    _publish(message, row)
    return row


# Channels whose deliveries carry text a person reads as it is (the API channel hands the
# shop's app the message object, translation included, instead).
TEXT_CHANNELS = {"email", "whatsapp", "wechat"}


def text_for_channel(message: Message, channel_kind: str) -> str:
    """What a provider channel (email, WhatsApp, WeChat) delivers of an agent's or the bot's
    public message: with translation on, the translation into the shopper's language, marked,
    with the original under it; otherwise, or when the provider fails, the original.

    Runs in the delivery's Celery task. The translation task usually stored the translation
    already; if not, it is made here (once: the delivery does not wait for retries)."""
    if (
        channel_kind not in TEXT_CHANNELS
        or not translation_enabled()
        or message.private
        or message.sender_kind not in (Message.SenderKind.AGENT, Message.SenderKind.BOT)
        or not message.body.strip()
    ):
        return message.body
    try:
        row = message_translate(message_id=message.pk, final=True)
    except TranslationError:  # a provider setting that cannot work: deliver the original
        logger.warning("translation for the delivery of message %s failed", message.pk)
        return message.body
    if row is None or row.status != Status.DONE or not row.body:
        return message.body
    shown = "zh-hans" if row.target_language == "zh" else "en"
    with django_translation.override(shown):
        marker = _("Translated automatically. The original:")
    return f"{row.body}\n\n{marker}\n{message.body}"
