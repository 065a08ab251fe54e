"""Service-level targets (docs/metrics.md, "SLA"): a policy's targets per team, channel and
priority, and each judged clock (met or breached) as an outcome row."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class SlaPolicy(models.Model):
    """Targets for a person's first response, each next response and the resolution of a care
    cycle, for the conversations it matches (empty team / channel / priority: any). The most
    specific active policy applies (a team counts more than a channel, a channel more than a
    priority); ties go to the older policy."""

    name = models.CharField(_("name"), max_length=100)
    team = models.ForeignKey(
        "chat.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("team"),
        help_text=_("Empty: every team."),
    )
    channel = models.ForeignKey(
        "chat.Channel",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("channel"),
        help_text=_("Empty: every channel."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        null=True,
        blank=True,
        choices=[
            (0, _("No priority")),
            (1, _("Low")),
            (2, _("Medium")),
            (3, _("High")),
            (4, _("Urgent")),
        ],
        help_text=_("The conversation's priority. Empty: any priority."),
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response target (minutes)"), null=True, blank=True
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response target (minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution target (minutes)"), null=True, blank=True
    )
    business_hours = models.BooleanField(
        _("in business hours"),
        default=True,
        help_text=_("Count only the team's business hours; off: wall-clock time."),
    )
    pause_first_response = models.BooleanField(
        _("first response pauses too"),
        default=False,
        help_text=_(
            "While the conversation is pending or snoozed the first-response clock stops as "
            "well; off: only the next-response and resolution clocks stop."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class SlaOutcome(models.Model):
    """One judged SLA clock of a conversation: met (the reply or resolution came in time) or
    breached (it did not, or the target passed with nobody answering). Written by the SLA tick
    (``analytics.sla``); a clock is judged once (``key``)."""

    class Clock(models.IntegerChoices):
        FIRST_RESPONSE = 1, _("first response")
        NEXT_RESPONSE = 2, _("next response")
        RESOLUTION = 3, _("resolution")

    conversation_id = models.BigIntegerField()
    clock = models.PositiveSmallIntegerField(choices=Clock.choices)
    # Which clock of the conversation: 0 for the first response, the care cycle for the
    # resolution, the wait's start (epoch microseconds) for a next response.
    key = models.BigIntegerField()
    policy_id = models.BigIntegerField()
    team_id = models.BigIntegerField(null=True, blank=True)
    agent_id = models.BigIntegerField(null=True, blank=True)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    # When the reply or resolution came; null while a breached clock still runs.
    ended_at = models.DateTimeField(null=True, blank=True)
    breached = models.BooleanField()
    # What the reports date it by: the end when met, the due moment when breached.
    at = models.DateTimeField()
    target_seconds = models.IntegerField()
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("SLA outcome")
        verbose_name_plural = _("SLA outcomes")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation_id", "clock", "key"], name="slaoutcome_clock"
            )
        ]
        indexes = [models.Index(fields=["at"], name="slaoutcome_at")]

    def __str__(self) -> str:
        state = "breached" if self.breached else "met"
        return f"#{self.conversation_id} {self.get_clock_display()} {state}"


class SlaPause(models.Model):
    """A stretch in which a conversation waited on the shopper (pending or snoozed): its
    next-response and resolution clocks do not run (docs/metrics.md, "SLA", paused). Open
    (``ended_at`` null) until the conversation is open again, resolved or the shopper writes;
    a snooze ends at the latest when it is due to wake (``until``)."""

    conversation_id = models.BigIntegerField()
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("SLA pause")
        verbose_name_plural = _("SLA pauses")
        indexes = [models.Index(fields=["conversation_id", "started_at"], name="slapause_conv")]

    def __str__(self) -> str:
        return f"#{self.conversation_id} paused {self.started_at:%Y-%m-%d %H:%M}"

    def end(self) -> dt.datetime | None:
        """When the pause ends or ended (``None``: still paused)."""
        ends = [m for m in (self.ended_at, self.until) if m is not None]
        return min(ends) if ends else None
