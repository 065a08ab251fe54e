"""Conversations, their messages and each agent's read cursor."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..search.fields import SearchTextField
from .inbox import default_web_channel_id
from .people import Team, Visitor


class Conversation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PENDING = "pending", _("Pending")
        SNOOZED = "snoozed", _("Snoozed")
        RESOLVED = "resolved", _("Resolved")

    class Priority(models.IntegerChoices):
        """How urgent agents judge it (code in ``chat/priority.py``); ordered, so the list
        sorts by it. The protocol names them ``none`` … ``urgent``."""

        NONE = 0, _("No priority")
        LOW = 1, _("Low")
        MEDIUM = 2, _("Medium")
        HIGH = 3, _("High")
        URGENT = 4, _("Urgent")

    visitor = models.ForeignKey(Visitor, on_delete=models.CASCADE, related_name="conversations")
    # The channel the conversation came in through; every reply leaves through it.
    channel = models.ForeignKey(
        "chat.Channel",
        on_delete=models.PROTECT,
        default=default_web_channel_id,
        related_name="conversations",
        verbose_name=_("channel"),
    )
    customer = models.ForeignKey(
        "orders.Customer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
        verbose_name=_("assignee"),
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    # The last allocated seq; the next message takes last_seq + 1 under the row lock.
    last_seq = models.PositiveIntegerField(default=0)
    last_message_preview = models.CharField(max_length=200, blank=True)
    last_message_sender = models.CharField(max_length=16, blank=True)
    last_activity_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Receipts: what the shopper's devices received / read, and what agents received / read.
    visitor_delivered_seq = models.PositiveIntegerField(default=0)
    visitor_read_seq = models.PositiveIntegerField(default=0)
    agent_delivered_seq = models.PositiveIntegerField(default=0)
    agent_read_seq = models.PositiveIntegerField(default=0)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # Set when something needs an agent's eye (e.g. a delayed shipment told to the shopper);
    # cleared by an agent or when the conversation is resolved. See chat/order_notices.py.
    flag_reason = models.CharField(_("flag"), max_length=200, blank=True)
    flagged_at = models.DateTimeField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.NONE
    )
    # Set by an automation rule's "mute" (chat/automation/rules.py): until then a shopper's
    # message leaves the resolved conversation resolved; reopening it ends the mute.
    muted_until = models.DateTimeField(_("muted until"), null=True, blank=True)
    # Which state of the conversation a published payload tells (``version`` in
    # docs/protocol.md): raised under the row lock by the message path's UPDATE and, once per
    # transaction, by every other publish (chat/statements.py ``conversation_version_bump``),
    # so it rises in commit order and a client keeps the newest of two payloads whatever
    # order they arrive in. Only those UPDATEs write it: a full ``save()`` would write back
    # the value it loaded.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [
            models.Index(fields=["status", "-last_activity_at"], name="conv_status_activity"),
            models.Index(fields=["assignee", "status"], name="conv_assignee_status"),
            models.Index(fields=["visitor", "-created_at"], name="conv_visitor_created"),
            models.Index(fields=["channel", "-last_activity_at"], name="conv_channel_activity"),
            models.Index(
                fields=["status", "-priority", "-last_activity_at"], name="conv_status_priority"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk}"


class ConversationStartField(models.DateTimeField):
    """A copy of the message's conversation's ``created_at``: the key the message table is
    partitioned by on PostgreSQL (chat/partitions.py). Filled from the conversation when a
    message is saved without it, so every way of inserting a message sets it."""

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        if value is None and add:
            value = model_instance.conversation.created_at  # type: ignore[attr-defined]
            setattr(model_instance, self.attname, value)
        return value


class Message(models.Model):
    class SenderKind(models.TextChoices):
        VISITOR = "visitor", _("Shopper")
        AGENT = "agent", _("Agent")
        BOT = "bot", _("Bot")
        SYSTEM = "system", _("System")

    class Kind(models.TextChoices):
        TEXT = "text", _("Text")
        IMAGE = "image", _("Image")
        FILE = "file", _("File")
        AUDIO = "audio", _("Audio")
        VIDEO = "video", _("Video")
        CARD = "card", _("Card")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    seq = models.PositiveIntegerField()
    client_id = models.CharField(max_length=64)
    sender_kind = models.CharField(max_length=16, choices=SenderKind.choices)
    sender_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sender_name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.TEXT)
    private = models.BooleanField(default=False)
    body = models.TextField(blank=True)
    # The body with its Chinese cut into words for the search index, or NULL (chat/search/).
    search_text = SearchTextField()
    card = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The partition key (chat/partitions.py); on PostgreSQL both unique constraints below
    # include it, which leaves them the same constraints: it is a function of the conversation.
    conversation_created_at = ConversationStartField(editable=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["conversation", "seq"], name="message_conv_seq"),
            models.UniqueConstraint(
                fields=["conversation", "client_id"], name="message_conv_client_id"
            ),
        ]
        indexes = [
            models.Index(
                fields=["conversation", "seq"],
                condition=Q(private=False),
                name="message_public_seq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation_id}#{self.seq}"


class AgentReadCursor(models.Model):
    """How far one agent has read one conversation; drives unread counts in the list."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="read_cursors"
    )
    read_seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "conversation"], name="read_cursor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.conversation_id}:{self.read_seq}"
