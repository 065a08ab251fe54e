"""Routing: presence, the queue, business hours, canned replies, satisfaction, proactive chat.

Everything here hangs off the core models through one-to-one or foreign keys, so the core
tables stay as the foundation made them.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .core import Conversation, Team


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


def _check_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Unknown time zone %(tz)s."), params={"tz": value}) from None


class Schedule(models.Model):
    """Business hours of a team; the one without a team applies to teams without their own.
    A desk with no schedule at all is always open."""

    team = models.OneToOneField(
        Team,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="schedule",
        verbose_name=_("team"),
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[_check_timezone]
    )

    class Meta:
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        constraints = [
            models.UniqueConstraint(
                fields=["timezone"], condition=Q(team__isnull=True), name="one_global_schedule"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team or _('All teams')} ({self.timezone})"


class ScheduleInterval(models.Model):
    """Open from ``opens`` to ``closes`` (local time) on ``weekday`` (0 = Monday).
    ``closes`` of 00:00 means midnight at the end of the day."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="intervals")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening interval")
        verbose_name_plural = _("opening intervals")
        ordering = ["weekday", "opens"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        midnight = self.closes == dt.time(0, 0)
        if (
            self.opens is not None
            and self.closes is not None
            and not midnight
            and self.closes <= self.opens
        ):
            raise ValidationError({"closes": _("Must be after the opening time.")})


class Holiday(models.Model):
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "date"], name="holiday_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class CannedReply(models.Model):
    """A saved answer. ``owner`` null means shared (managed in the admin)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="canned_replies",
        verbose_name=_("owner"),
        help_text=_("Empty for a reply shared by every agent."),
    )
    shortcut = models.SlugField(_("shortcut"), max_length=40, allow_unicode=True)
    title = models.CharField(_("title"), max_length=120, blank=True)
    body = models.TextField(_("text"), max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["shortcut"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "shortcut"],
                condition=Q(owner__isnull=False),
                name="canned_personal_shortcut",
            ),
            models.UniqueConstraint(
                fields=["shortcut"], condition=Q(owner__isnull=True), name="canned_shared_shortcut"
            ),
        ]

    def __str__(self) -> str:
        return f"/{self.shortcut}"


class SatisfactionRating(models.Model):
    """The shopper's 1-5 stars for one care cycle (one resolution) of a conversation."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="ratings")
    # The resolution this rating is for: a reopened and resolved-again conversation is a
    # new care cycle with its own rating.
    resolved_at = models.DateTimeField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "resolved_at"], name="csat_once_per_resolution"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="csat_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.conversation_id}: {self.rating}"


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
