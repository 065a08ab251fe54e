"""Business hours (chat/routing/business_hours.py): a schedule per team or for all teams,
its weekly opening intervals and its holidays.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .people import Team


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
