"""What channels remember beside chat's rows: provider ids of messages (dedupe and threading),
the delivery of each outgoing message, the email a message came in or went out as, and each
conversation's channel state (last inbound time for messaging windows, email subject)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExternalMessage(models.Model):
    """A provider's id for a message on a channel, in or out.

    Inbound: a provider retrying a delivery names the same id, which is found here and stores
    nothing new; events that open no conversation (auto-replies, bounces, lists) are recorded
    too, with ``note``, so a repeat is as quiet as the first. Outbound: the id the provider
    gave our message, which its statuses and the customer's reply (``In-Reply-To``) name.
    """

    class Direction(models.TextChoices):
        IN = "in", _("Received")
        OUT = "out", _("Sent")

    channel = models.ForeignKey("chat.Channel", on_delete=models.CASCADE, related_name="+")
    # The provider's id (an email's Message-ID without brackets); hashed past 200 characters.
    external_id = models.CharField(max_length=255)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    # No database constraint: the message table is partitioned (chat/partitions.py).
    message = models.ForeignKey(
        "chat.Message",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    conversation = models.ForeignKey(
        "chat.Conversation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # Why an inbound event stored no message (auto-reply, bounce, mailing list, ...).
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("provider message id")
        verbose_name_plural = _("provider message ids")
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="external_msg_unique")
        ]
        indexes = [models.Index(fields=["message"], name="external_msg_message")]

    def __str__(self) -> str:
        return f"{self.direction}:{self.external_id}"


class OutboundDelivery(models.Model):
    """The way out of one agent or bot message on a channel that is not the web widget.

    ``pending`` ("not delivered yet") until the provider took it (``sent``); the provider's
    statuses move it on to ``delivered`` and ``read``; ``failed`` with the reason after the
    last try or a refusal. A message is never silently lost: a delivery stays pending and is
    retried until it is sent or failed (``outbound_sweep`` re-queues any a worker dropped).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Not delivered yet")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        READ = "read", _("Read")
        FAILED = "failed", _("Failed")

    message = models.OneToOneField(
        "chat.Message",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="delivery",
        db_constraint=False,  # the message table is partitioned (chat/partitions.py)
    )
    channel = models.ForeignKey("chat.Channel", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker holds the delivery until then while it talks to the provider (no transaction
    # is open during a slow send); a crashed worker's claim simply runs out.
    claimed_until = models.DateTimeField(null=True, blank=True)
    # An approved template this message goes out as (WhatsApp outside the 24 h window):
    # ``{"name", "language", "params"}``; None for a free-form message.
    template = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("outbound delivery")
        verbose_name_plural = _("outbound deliveries")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="delivery_pending_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_id}:{self.status}"


class EmailDetail(models.Model):
    """The email a message came in as or went out as: its headers, the whole text (the
    message body has only the new part), the HTML sanitised for display, and the original
    MIME kept in storage (``raw``)."""

    message = models.OneToOneField(
        "chat.Message",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="email",
        db_constraint=False,  # the message table is partitioned (chat/partitions.py)
    )
    direction = models.CharField(max_length=3, choices=ExternalMessage.Direction.choices)
    # The email's Message-ID (without brackets).
    mail_id = models.CharField(max_length=998, blank=True)
    in_reply_to = models.CharField(max_length=998, blank=True)
    references = models.TextField(blank=True)
    subject = models.CharField(max_length=998, blank=True)
    from_address = models.CharField(max_length=998, blank=True)
    to = models.TextField(blank=True)
    cc = models.TextField(blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    raw = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("email")
        verbose_name_plural = _("emails")

    def __str__(self) -> str:
        return self.subject or self.mail_id


class TranscriptMail(models.Model):
    """One request to mail a conversation's transcript, so that its mail goes out once though
    its task may run twice (a worker killed after the send, before its pending row's delete:
    docs/deployment.md, "Workers die"). As with a delivery (``OutboundDelivery``), the try is
    claimed in a transaction before the send and marked sent after it, and every try sends
    the Message-ID chosen at the first (``EmailDetail.mail_id`` for a reply): a try that finds
    it sent does nothing, and a send whose worker died before the mark is sent again with the
    same Message-ID, which the shopper's mail client shows once."""

    # The request's own key, made by whoever asked (the resolve's listener, the agent's view).
    key = models.CharField(max_length=64, unique=True)
    conversation = models.ForeignKey(
        "chat.Conversation", on_delete=models.CASCADE, related_name="+"
    )
    mail_id = models.CharField(max_length=998)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.key}:{'sent' if self.sent_at else 'not sent'}"


class ConversationChannelState(models.Model):
    """A conversation's state on its channel: when the shopper last wrote through it (the
    messaging windows count from there) and, for email, the thread's subject."""

    conversation = models.OneToOneField(
        "chat.Conversation",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="channel_state",
    )
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=998, blank=True)

    def __str__(self) -> str:
        return f"#{self.conversation_id}"


class InboundEvent(models.Model):
    """A provider's event taken at the door: stored (deduplicated on the provider's id)
    before the webhook is answered, turned into a message by a Celery task. The webhook stays
    fast under a burst and nothing acknowledged is ever lost: a failed event is retried, and
    the last failure is kept with its reason."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    channel = models.ForeignKey("chat.Channel", on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=255)
    payload = models.BinaryField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inbound event")
        verbose_name_plural = _("inbound events")
        constraints = [
            models.UniqueConstraint(fields=["channel", "external_id"], name="inbound_event_unique")
        ]
        indexes = [
            models.Index(
                fields=["received_at"], condition=Q(status="pending"), name="inbound_event_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.external_id}:{self.status}"
