"""Automatic translation (chat/translation/): a message's stored translation, a conversation's
switch and shopper language, and the shop's glossary of words never translated."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .conversations import Conversation
from .languages import TRANSLATION_LANGUAGES

__all__ = ["TRANSLATION_LANGUAGES", "ConversationTranslation", "GlossaryTerm", "MessageTranslation"]


class MessageTranslation(models.Model):
    """One message's translation, made once in Celery and stored: never recomputed.

    A shopper's message is translated into the language of the agent it is for; an agent's or
    the bot's public message into the shopper's language. Private notes never get one.
    """

    class Status(models.TextChoices):
        # Not translated yet: the provider failed and a retry is scheduled, or all retries
        # failed ("not translated" in both clients).
        FAILED = "failed", _("Not translated")
        DONE = "done", _("Translated")
        # Nothing to do: the message is already in the target language, or its language
        # could not be told.
        SKIPPED = "skipped", _("Not needed")

    message = models.OneToOneField(
        "chat.Message",
        on_delete=models.CASCADE,
        related_name="translation",
        primary_key=True,
        # No database FK: the message table is partitioned (chat/partitions.py).
        db_constraint=False,
    )
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices)
    source_language = models.CharField(max_length=16, blank=True)
    target_language = models.CharField(max_length=16, blank=True)
    body = models.TextField(blank=True)
    provider = models.CharField(max_length=32, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    # A shopper's message made earlier for an agent with another language (the conversation
    # changed hands): {language: body}. Kept, so handing it back calls no provider.
    others = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("message translation")
        verbose_name_plural = _("message translations")

    def __str__(self) -> str:
        return f"{self.message_id}:{self.source_language}->{self.target_language}"


class ConversationTranslation(models.Model):
    """Per conversation: whether messages are translated, and the shopper's language as last
    detected (what agents' replies are translated into)."""

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="translation_settings"
    )
    enabled = models.BooleanField(_("translate"), default=True)
    shopper_language = models.CharField(_("shopper's language"), max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("conversation translation")
        verbose_name_plural = _("conversation translations")

    def __str__(self) -> str:
        return f"{self.conversation_id}:{self.enabled}:{self.shopper_language}"


class GlossaryTerm(models.Model):
    """A word the translation must leave as it is: a product name, a brand."""

    term = models.CharField(_("term"), max_length=100, unique=True)
    case_sensitive = models.BooleanField(_("case sensitive"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary")
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term
