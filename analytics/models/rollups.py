"""What the rollup derives from the facts (any period can be deleted and rebuilt), and the
watermarks of the incremental tick."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

ALL = -1  # team_id / agent_id of rollup rows summed over every team / agent


class RollupColumns(models.Model):
    """Sums and counts of the facts of one period for one slice: a team and an agent
    (0 = none), or ``ALL`` (-1) for every team / every agent. Each period has the rows
    (team, agent), (team, ALL), (ALL, agent) and (ALL, ALL), so a report reads one slice."""

    team_id = models.BigIntegerField(default=0)
    agent_id = models.BigIntegerField(default=0)
    conversations = models.IntegerField(default=0)
    outside_hours = models.IntegerField(default=0)
    reopened = models.IntegerField(default=0)
    handovers = models.IntegerField(default=0)
    assignments = models.IntegerField(default=0)
    transfers = models.IntegerField(default=0)
    resolved = models.IntegerField(default=0)
    bot_resolved = models.IntegerField(default=0)
    unanswered = models.IntegerField(default=0)
    # Assignments whose cycle the bot had handed over / whose conversation arrived outside
    # hours, and first assignments of an agent to a conversation (the agent filter's shares).
    assigned_handover = models.IntegerField(default=0)
    assigned_outside = models.IntegerField(default=0)
    agent_conversations = models.IntegerField(default=0)
    msg_visitor = models.IntegerField(default=0)
    msg_agent = models.IntegerField(default=0)
    msg_bot = models.IntegerField(default=0)
    msg_notes = models.IntegerField(default=0)
    fr_count = models.IntegerField(default=0)
    fr_sum = models.FloatField(default=0)
    fr_bh_sum = models.FloatField(default=0)
    fr_within_3m = models.IntegerField(default=0)
    fr_bh_within_3m = models.IntegerField(default=0)
    afr_count = models.IntegerField(default=0)
    afr_sum = models.FloatField(default=0)
    afr_bh_sum = models.FloatField(default=0)
    rw_count = models.IntegerField(default=0)
    rw_sum = models.FloatField(default=0)
    rw_bh_sum = models.FloatField(default=0)
    res_count = models.IntegerField(default=0)
    res_sum = models.FloatField(default=0)
    res_bh_sum = models.FloatField(default=0)
    csat_count = models.IntegerField(default=0)
    csat_sum = models.IntegerField(default=0)
    csat_1 = models.IntegerField(default=0)
    csat_2 = models.IntegerField(default=0)
    csat_3 = models.IntegerField(default=0)
    csat_4 = models.IntegerField(default=0)
    csat_5 = models.IntegerField(default=0)
    conv24 = models.IntegerField(default=0)
    conv24_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    conv7 = models.IntegerField(default=0)
    conv7_amount = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    peak_load = models.IntegerField(default=0)
    # Each agent's share of the care: the spans they held conversations (HANDLED facts).
    handled_count = models.IntegerField(default=0)
    handled_sum = models.FloatField(default=0)
    handled_bh_sum = models.FloatField(default=0)

    class Meta:
        abstract = True


class HourlyRollup(models.Model):
    """What the volume heat map reads per UTC hour and slice (team, agent, ``ALL``, 0 = none
    as in ``RollupColumns``): conversations opened and assignments. Every other number is
    read per day (``DailyRollup``, built from the facts directly): keeping all of them per
    hour as well was most of the full rebuild's time."""

    hour = models.DateTimeField()
    team_id = models.BigIntegerField(default=0)
    agent_id = models.BigIntegerField(default=0)
    conversations = models.IntegerField(default=0)
    assignments = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("hourly rollup")
        verbose_name_plural = _("hourly rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["hour", "team_id", "agent_id"], name="rollup_hour_team_agent"
            )
        ]
        permissions = [
            ("view_reports", _("Can view reports")),
            ("rebuild_reports", _("Can rebuild report periods")),
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}h t{self.team_id} a{self.agent_id}"


class DailyRollup(RollupColumns):
    """The facts and message counts of one UTC day summed per slice (what the report pages
    read)."""

    # The time zone whose day this is (docs/metrics.md: the shop's, and any extra report zone).
    zone = models.CharField(max_length=64, default="UTC")
    day = models.DateField()

    class Meta:
        verbose_name = _("daily rollup")
        verbose_name_plural = _("daily rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "day", "team_id", "agent_id"], name="rollup_zone_day_team_agent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} t{self.team_id} a{self.agent_id}"


class DurationHistogram(models.Model):
    """How many durations of one kind fell in each logarithmic bucket on one UTC day, per
    slice (team, ALL), (ALL, agent), (ALL, ALL). Bucket ``b`` ≥ 1 holds seconds in
    ``[1.05^(b-1), 1.05^b)``, bucket 0 less than one second: percentiles of large ranges are
    read from here within ±2.5 %."""

    zone = models.CharField(max_length=64, default="UTC")
    day = models.DateField()
    team_id = models.BigIntegerField()
    agent_id = models.BigIntegerField()
    kind = models.PositiveSmallIntegerField()
    business_hours = models.BooleanField()
    bucket = models.SmallIntegerField()
    count = models.IntegerField()

    class Meta:
        verbose_name = _("duration histogram")
        verbose_name_plural = _("duration histograms")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "day", "team_id", "agent_id", "kind", "business_hours", "bucket"],
                name="histogram_zone_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.kind}/{self.bucket}: {self.count}"


class AgentDurations(models.Model):
    """Every duration of one kind (agent-level first response, reply wait, resolution) that
    one agent's work measured on one day of a report zone, per team: the agents table's
    exact medians and p90 over a range are taken over these few rows (one per agent, kind
    and day) instead of every duration fact of the range (docs/metrics.md, 3.).

    ``seconds`` and ``bh_seconds`` (business hours) hold the day's values packed as
    big-endian IEEE doubles (PostgreSQL's ``float8send``), 8 bytes each, in no particular
    order: the page sorts the range's values anyway, and ordering them here cost the full
    rebuild ~0.25 s more (docs/performance.md). Compare two rows by their sorted values."""

    zone = models.CharField(max_length=64, default="UTC")
    day = models.DateField()
    kind = models.PositiveSmallIntegerField()
    agent_id = models.BigIntegerField()
    team_id = models.BigIntegerField(default=0)  # 0: no team
    seconds = models.BinaryField()
    bh_seconds = models.BinaryField()

    class Meta:
        verbose_name = _("agent durations of a day")
        verbose_name_plural = _("agent durations of a day")
        constraints = [
            # Also the page's read (a zone's days, then kind and agent) and the tick's delete.
            models.UniqueConstraint(
                fields=["zone", "day", "kind", "agent_id", "team_id"],
                name="agentdurations_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.day} {self.kind} a{self.agent_id} t{self.team_id}"


class QuestionDaily(models.Model):
    """How often each knowledge-base entry / unmatched topic was asked on one day."""

    zone = models.CharField(max_length=64, default="UTC")
    day = models.DateField()
    team_id = models.BigIntegerField(default=0)  # ALL (-1): every team
    kb_entry_id = models.BigIntegerField(default=0)  # 0: unmatched, see topic_key
    topic_key = models.CharField(max_length=120, blank=True)
    count = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("daily question count")
        verbose_name_plural = _("daily question counts")
        constraints = [
            models.UniqueConstraint(
                fields=["zone", "day", "team_id", "kb_entry_id", "topic_key"],
                name="qdaily_zone_unique",
            )
        ]
        indexes = [models.Index(fields=["zone", "day"], name="qdaily_zone_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.kb_entry_id or self.topic_key}: {self.count}"


class Watermark(models.Model):
    """How far the incremental rollup has read a fact table (by id)."""

    name = models.CharField(max_length=40, primary_key=True)
    last_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name}={self.last_id}"


class ReportPage(HourlyRollup):
    """The reports' entry in the admin index (a proxy: no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = _("report")
        verbose_name_plural = _("report pages")


class PendingDay(models.Model):
    """A day of a report zone whose duration histograms must be recomputed (new facts fell
    in it)."""

    zone = models.CharField(max_length=64, default="UTC")
    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["zone", "day"], name="pendingday_unique")]

    def __str__(self) -> str:
        return f"{self.zone} {self.day}"
