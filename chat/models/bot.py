"""The bot: knowledge base, its per-conversation state and what it learns from shoppers."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


def entry_key_for(title: str) -> str:
    """A key for a new entry: its title as a slug, or a random one for a title with no Latin
    letters (a Chinese title); the admin may change it before the first save."""
    return slugify(title)[:50].strip("-") or f"entry-{uuid.uuid4().hex[:8]}"


class KnowledgeEntry(models.Model):
    """One answer the bot may give, with the ways shoppers ask for it."""

    class Language(models.TextChoices):
        EN = "en", _("English")
        ZH_HANS = "zh-hans", _("Simplified Chinese")

    # Stable through edits of the title, answer and phrasings: links, reports, the preview API
    # and the learning loop name an entry by it. The same topic in two languages shares a key.
    key = models.SlugField(
        _("key"),
        max_length=64,
        blank=True,
        help_text=_("Stable name of the topic, e.g. shipping_time (made from the title if empty)"),
    )
    title = models.CharField(_("title"), max_length=200)
    answer = models.TextField(_("answer"))
    language = models.CharField(
        _("language"), max_length=16, choices=Language.choices, default=Language.EN
    )
    tags = models.CharField(
        _("tags"), max_length=300, blank=True, help_text=_("Comma-separated, e.g. shipping,returns")
    )
    products = models.ManyToManyField(
        "orders.Product", blank=True, related_name="knowledge_entries", verbose_name=_("products")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("knowledge base entry")
        verbose_name_plural = _("knowledge base entries")
        ordering = ["language", "title"]
        constraints = [
            models.UniqueConstraint(fields=["language", "key"], name="kb_entry_language_key")
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.key:
            self.key = entry_key_for(self.title)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]


class KnowledgeQuestion(models.Model):
    """A phrasing of the question an entry answers; the matcher indexes these."""

    entry = models.ForeignKey(KnowledgeEntry, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField(_("question"), max_length=500)

    class Meta:
        verbose_name = _("question phrasing")
        verbose_name_plural = _("question phrasings")

    def __str__(self) -> str:
        return self.text


class KnowledgeVector(models.Model):
    """The embedding of one knowledge-base text (a title or a phrasing) by one model.

    Keyed by the model and a digest of the text, so an edited phrasing gets a new row, an
    unchanged one keeps its vector, and switching the embedder recomputes without losing the
    old model's rows until they are pruned. Computed in Celery when an entry is saved
    (chat/bot/vectors.py), never per question.
    """

    model = models.CharField(max_length=200)
    digest = models.CharField(max_length=64)
    dim = models.PositiveSmallIntegerField()
    # float32, little-endian, L2-normalised.
    vector = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("knowledge vector")
        verbose_name_plural = _("knowledge vectors")
        constraints = [
            models.UniqueConstraint(fields=["model", "digest"], name="kb_vector_model_digest")
        ]

    def __str__(self) -> str:
        return f"{self.model}:{self.digest[:12]}"


class BotState(models.Model):
    """Where the bot stands in a conversation's current care cycle.

    A new care cycle (the conversation reopened) resets it. ``handed_over_at`` set means the
    bot is silent until the next cycle.
    """

    class Reason(models.TextChoices):
        REQUESTED = "requested", _("The shopper asked for a person")
        FEEDBACK = "feedback", _("The shopper pressed “Talk to a person”")
        LOW_CONFIDENCE = "low_confidence", _("The bot was not sure twice in a row")
        NEGATIVE = "negative_sentiment", _("The shopper's messages turned negative")
        VIP = "vip", _("VIP customer")
        ORDER = "order", _("An order question the bot could not answer")
        ATTACHMENT = "attachment", _("The shopper sent a file")
        ERROR = "bot_error", _("The bot failed")

    conversation = models.OneToOneField(
        "chat.Conversation", on_delete=models.CASCADE, related_name="bot_state"
    )
    cycle_started_at = models.DateTimeField()
    low_confidence_streak = models.PositiveSmallIntegerField(default=0)
    answers = models.PositiveIntegerField(default=0)
    handed_over_at = models.DateTimeField(null=True, blank=True)
    handover_reason = models.CharField(max_length=32, choices=Reason.choices, blank=True)
    handover_detail = models.CharField(max_length=300, blank=True)
    last_sentiment = models.FloatField(null=True, blank=True)
    # The newest shopper message the bot has dealt with (a retried task does nothing twice).
    last_message_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("bot state")
        verbose_name_plural = _("bot states")

    def __str__(self) -> str:
        return f"bot@{self.conversation_id}"


class MessageSentiment(models.Model):
    """The sentiment score of one shopper message, -1 (angry) … +1 (happy)."""

    message = models.OneToOneField(
        "chat.Message",
        on_delete=models.CASCADE,
        related_name="sentiment",
        primary_key=True,
        # No database FK: the message table is partitioned (chat/partitions.py).
        db_constraint=False,
    )
    conversation = models.ForeignKey(
        "chat.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField()
    language = models.CharField(max_length=16)

    class Meta:
        indexes = [models.Index(fields=["conversation", "message"], name="sentiment_conv_msg")]

    def __str__(self) -> str:
        return f"{self.message_id}:{self.score:+.2f}"


class BotFeedback(models.Model):
    """A shopper's answer to “Did this help?” on one bot message (the last click counts)."""

    class Choice(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")
        HUMAN = "human", _("Talk to a person")

    message = models.OneToOneField(
        "chat.Message",
        on_delete=models.CASCADE,
        related_name="bot_feedback",
        # No database FK: the message table is partitioned (chat/partitions.py).
        db_constraint=False,
    )
    conversation = models.ForeignKey(
        "chat.Conversation", on_delete=models.CASCADE, related_name="bot_feedback"
    )
    entry = models.ForeignKey(
        KnowledgeEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    choice = models.CharField(max_length=8, choices=Choice.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("bot feedback")
        verbose_name_plural = _("bot feedback")

    def __str__(self) -> str:
        return f"{self.message_id}:{self.choice}"


class UnmatchedQuestion(models.Model):
    """A shopper question the bot could not answer confidently (for hot-question reports)."""

    conversation = models.ForeignKey(
        "chat.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    message = models.OneToOneField(
        "chat.Message",
        on_delete=models.CASCADE,
        related_name="+",
        # No database FK: the message table is partitioned (chat/partitions.py).
        db_constraint=False,
    )
    text = models.TextField()
    language = models.CharField(max_length=16)
    best_entry = models.ForeignKey(
        KnowledgeEntry, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    best_score = models.FloatField(default=0)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("unmatched question")
        verbose_name_plural = _("unmatched questions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class SuggestionPick(models.Model):
    """A shopper pressed one of the bot's "did you mean" buttons: the question, the entry it
    meant and the answer the bot gave (the learning loop proposes the question as a new
    phrasing of that entry)."""

    message = models.OneToOneField(
        "chat.Message",
        on_delete=models.CASCADE,
        related_name="suggestion_pick",
        # No database FK: the message table is partitioned (chat/partitions.py).
        db_constraint=False,
    )
    conversation = models.ForeignKey(
        "chat.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    entry = models.ForeignKey(
        KnowledgeEntry,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="suggestion_picks",
    )
    key = models.SlugField(max_length=64)
    question = models.TextField()
    language = models.CharField(max_length=16)
    answer_message_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("picked suggestion")
        verbose_name_plural = _("picked suggestions")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.question[:40]} → {self.key}"


class BotWhy(models.Model):
    """Why the bot said a message (staff only): the decision, the knowledge-base entry (or
    the "did you mean" entries) with their scores and the shopper's words that matched
    (``chat/bot/why.py``). Reaches agents' sockets and REST as the message's ``bot_why``;
    never a shopper, the integration API or a webhook."""

    message = models.OneToOneField(
        "chat.Message",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="bot_why",
        # No database FK: the message table is partitioned (chat/partitions.py).
        db_constraint=False,
    )
    data = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("why the bot answered")
        verbose_name_plural = _("why the bot answered")

    def __str__(self) -> str:
        return f"{self.data.get('decision', '')} #{self.message_id}"
