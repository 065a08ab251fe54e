"""What the bot learns from shoppers and agents: proposals to the knowledge base, reviewed in
the admin before anything goes live (code in ``chat/bot/learning.py``, docs/bot.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .bot import KnowledgeEntry


class KnowledgeProposal(models.Model):
    """A change to the knowledge base the desk's traffic suggests: a new phrasing for an entry
    (a shopper's words that meant it) or a new entry (a question the bot could not answer and
    the agent's reply that resolved it). Pending until someone accepts or rejects it."""

    class Kind(models.TextChoices):
        PHRASING = "phrasing", _("New phrasing for an entry")
        ENTRY = "entry", _("New entry")

    class Source(models.TextChoices):
        UNANSWERED = "unanswered", _("The bot could not answer; an agent did")
        NOT_HELPFUL = "not_helpful", _("The shopper said the answer did not help; an agent did")
        PICKED = "picked", _("The shopper picked a “did you mean” suggestion")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    language = models.CharField(
        _("language"), max_length=16, choices=KnowledgeEntry.Language.choices
    )
    question = models.TextField(_("shopper's question"))
    # A phrasing's entry; for a new entry, the one the bot wrongly answered with (if any).
    entry = models.ForeignKey(
        KnowledgeEntry,
        verbose_name=_("entry"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="proposals",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    conversation = models.ForeignKey(
        "chat.Conversation",
        verbose_name=_("conversation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The shopper's message the proposal comes from: one proposal per message and source.
    question_message_id = models.BigIntegerField()
    reply_message_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The entry that went live on acceptance (the phrasing's entry, or the new one).
    result_entry = models.ForeignKey(
        KnowledgeEntry,
        verbose_name=_("resulting entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("knowledge-base proposal")
        verbose_name_plural = _("knowledge-base proposals")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "question_message_id"], name="proposal_once_per_question"
            )
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="proposal_status_idx")]

    def __str__(self) -> str:
        return self.question[:60]
