"""Routing (chat/routing/, docs/routing.md): who answers which conversation. Agents'
presence and sockets, each team's routing settings, each conversation's place in the queue,
the messages shoppers leave while nobody can answer, and the proactive greeting.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .conversations import Conversation
from .people import Team


class AgentPresence(models.Model):
    """An agent's chosen status and the derived facts the router needs.

    ``status`` is what the agent picked (online / away / offline). Whether the agent is
    reachable comes from ``AgentConnection`` rows (one per live workspace socket).
    """

    class Status(models.TextChoices):
        ONLINE = "online", _("Online")
        AWAY = "away", _("Away")
        OFFLINE = "offline", _("Offline")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="presence",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ONLINE
    )
    # When the agent stopped being reachable (last socket gone, or switched to offline);
    # after the grace period their open chats go back to the queue.
    offline_since = models.DateTimeField(null=True, blank=True)
    # Ties between equally loaded agents go to the one idle longest.
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agent presence")
        verbose_name_plural = _("agent presences")
        indexes = [
            models.Index(
                fields=["offline_since"],
                condition=Q(offline_since__isnull=False),
                name="presence_offline_since",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.status}"


class AgentConnection(models.Model):
    """One live workspace socket. A row whose heartbeat is older than the timeout counts as
    dead (its process crashed), so presence is right across processes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    connected_at = models.DateTimeField(auto_now_add=True)
    last_beat_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "last_beat_at"], name="agentconn_user_beat")]

    def __str__(self) -> str:
        return self.channel_name


class TeamRouting(models.Model):
    """Routing settings of one team."""

    team = models.OneToOneField(
        Team, on_delete=models.CASCADE, primary_key=True, related_name="routing"
    )
    reply_target_seconds = models.PositiveIntegerField(
        _("reply target (seconds)"),
        default=180,
        help_text=_("A shopper waiting longer than this turns the conversation red."),
    )
    is_default = models.BooleanField(
        _("default team"), default=False, help_text=_("Conversations without a team go here.")
    )

    class Meta:
        verbose_name = _("team routing")
        verbose_name_plural = _("team routing")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_team"
            )
        ]

    def __str__(self) -> str:
        return str(self.team)


class ConversationRouting(models.Model):
    """Where a conversation stands in the queue and how long its shopper has waited."""

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, primary_key=True, related_name="routing"
    )
    # Set while the conversation waits for a person; null otherwise.
    queued_at = models.DateTimeField(null=True, blank=True)
    queue_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queue_priority = models.IntegerField(default=0)
    queue_reason = models.CharField(max_length=64, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    # The first unanswered shopper message (or the hand-over to a person); a human reply
    # clears it. Drives the slow-reply guard.
    waiting_since = models.DateTimeField(null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["queue_team", "-queue_priority", "queued_at"],
                condition=Q(queued_at__isnull=False),
                name="routing_queue_order",
            ),
            models.Index(
                fields=["waiting_since"],
                condition=Q(waiting_since__isnull=False, overdue_notified_at__isnull=True),
                name="routing_waiting",
            ),
            # Automation's idle scan: shoppers waiting past a rule's minutes, alerted or not.
            models.Index(
                fields=["waiting_since"],
                condition=Q(waiting_since__isnull=False),
                name="routing_waiting_any",
            ),
        ]

    def __str__(self) -> str:
        return f"routing #{self.conversation_id}"


class LeftMessage(models.Model):
    """A shopper's contact details left while nobody could answer."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="left_messages"
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("left message")
        verbose_name_plural = _("left messages")

    def __str__(self) -> str:
        return f"#{self.conversation_id} {self.email or self.phone}"


class ProactiveChatSettings(models.Model):
    """The storefront's proactive greeting (one row)."""

    enabled = models.BooleanField(_("enabled"), default=False)
    delay_seconds = models.PositiveIntegerField(
        _("seconds on a product page"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3600)],
    )
    greeting_en = models.CharField(
        _("greeting (English)"), max_length=300, default="Hi! Any questions about this product?"
    )
    greeting_zh = models.CharField(
        _("greeting (Chinese)"), max_length=300, default="您好！对这件商品有什么疑问吗？"
    )

    class Meta:
        verbose_name = _("proactive chat")
        verbose_name_plural = _("proactive chat")

    def __str__(self) -> str:
        return str(_("Proactive chat"))
