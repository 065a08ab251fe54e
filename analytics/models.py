"""Analytics: facts recorded as things happen, and the rollups Celery builds from them.

``Fact`` rows are written by the listeners in ``analytics.listeners`` inside the transaction of
the chat change that causes them; messages are counted per conversation and hour in
``MessageCount``. ``DailyRollup``, ``HourlyRollup``, ``DurationHistogram`` and
``QuestionDaily`` are derived: any period can be deleted and rebuilt from the facts and
counts (``analytics.services``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ConversationTrack(models.Model):
    """Where a conversation stands for the metrics; the listeners' memory between events."""

    conversation_id = models.BigIntegerField(primary_key=True)
    opened_at = models.DateTimeField()
    cycle = models.PositiveSmallIntegerField(default=1)
    cycle_started_at = models.DateTimeField()
    customer_id = models.BigIntegerField(null=True, blank=True)
    bot_answered = models.BooleanField(default=False)  # in this cycle
    # The bot's answer (a knowledge-base entry or an order answer) is the cycle's last public
    # word: no shopper message, no person's reply after it.
    bot_last_word = models.BooleanField(default=False)
    human_replied = models.BooleanField(default=False)  # in this cycle
    handover_at = models.DateTimeField(null=True, blank=True)  # in this cycle
    first_response_at = models.DateTimeField(null=True, blank=True)  # conversation-level
    awaiting_since = models.DateTimeField(null=True, blank=True)
    agent_id = models.BigIntegerField(null=True, blank=True)
    # When the shopper started waiting for the current agent (docs/metrics.md, Agents); with
    # no agent: when the last one let go (unassignment), else None.
    agent_started_at = models.DateTimeField(null=True, blank=True)
    agent_replied = models.BooleanField(default=False)

    class Meta:
        indexes = [
            # "Still waiting for a first reply" (docs/metrics.md) reads only these rows.
            models.Index(
                fields=["opened_at"],
                name="track_waiting_first",
                condition=Q(first_response_at__isnull=True, awaiting_since__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"track#{self.conversation_id}"


class Fact(models.Model):
    """One thing that happened, with its measured duration where it has one."""

    class Kind(models.IntegerChoices):
        OPENED = 1, _("conversation opened")
        REOPENED = 2, _("conversation reopened")
        HANDOVER = 3, _("bot hand-over")
        ASSIGNED = 4, _("assigned")
        LOAD = 5, _("agent load")
        FIRST_RESPONSE = 6, _("first response")
        AGENT_FIRST_RESPONSE = 7, _("agent first response")
        REPLY_WAIT = 8, _("reply wait")
        RESOLVED = 9, _("resolved")
        CSAT = 10, _("CSAT")
        MESSAGE = 11, _("message")  # no longer written: see MessageCount (migration 0002)
        CONVERSION_24H = 12, _("order within 24 h")
        CONVERSION_7D = 13, _("order within 7 days")

    class Sender(models.IntegerChoices):
        VISITOR = 1, _("shopper")
        AGENT = 2, _("agent")
        BOT = 3, _("bot")
        SYSTEM = 4, _("system")

    kind = models.PositiveSmallIntegerField(choices=Kind.choices)
    # When it happened; the rollup buckets by this (conversions: the conversation's start).
    at = models.DateTimeField()
    # When the row was written; the rollup watermark trails it by a safety lag.
    recorded_at = models.DateTimeField(auto_now_add=True)
    conversation_id = models.BigIntegerField(null=True, blank=True)
    team_id = models.BigIntegerField(null=True, blank=True)
    agent_id = models.BigIntegerField(null=True, blank=True)
    cycle = models.PositiveSmallIntegerField(default=1)
    seconds = models.FloatField(null=True, blank=True)
    bh_seconds = models.FloatField(null=True, blank=True)
    # CSAT score, agent load after the change, order id, the ASSIGNED bits (``ASSIGNED_*``),
    # RESOLVED: 1 when nobody answered (and the sender kind of a MESSAGE fact: no longer
    # written, messages are counted in ``MessageCount``).
    value = models.BigIntegerField(null=True, blank=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # OPENED: outside business hours; ASSIGNED: a transfer; RESOLVED: bot only;
    # CONVERSION_*: the conversation's first credited order in that window.
    flag = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("fact")
        verbose_name_plural = _("facts")
        indexes = [
            models.Index(fields=["at"], name="fact_at"),
            # Percentiles over a date range read only these rows (index-only scan).
            models.Index(
                fields=["kind", "at"],
                name="fact_duration_at",
                include=["team_id", "agent_id", "seconds", "bh_seconds"],
                condition=Q(kind__in=[6, 7, 8, 9]),
            ),
            # The agents page's exact percentiles: read per (kind, agent) in index order, so
            # the grouped percentile_cont needs no sort of every duration in the range.
            models.Index(
                fields=["kind", "agent_id", "at"],
                name="fact_duration_agent_at",
                include=["team_id", "seconds", "bh_seconds"],
                condition=Q(kind__in=[6, 7, 8, 9]),
            ),
            models.Index(
                fields=["agent_id", "at"],
                name="fact_load_agent_at",
                include=["value"],
                condition=Q(kind=5),
            ),
            models.Index(fields=["conversation_id", "kind"], name="fact_conv_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}@{self.at:%Y-%m-%d %H:%M}"


# Bits of an ASSIGNED fact's ``value``: what the agent filter's shares count.
ASSIGNED_AFTER_HANDOVER = 1  # the bot had handed this care cycle over
ASSIGNED_OUTSIDE_HOURS = 2  # the conversation arrived outside its team's business hours
ASSIGNED_FIRST_TIME = 4  # the agent's first assignment to this conversation
UNANSWERED = 1  # RESOLVED value: no person replied and the bot did not resolve it


class MessageCount(models.Model):
    """How many messages of one conversation fell in one UTC hour, per team, agent (the
    sender, for an agent's message; the assignee at the time, for a shopper's or the bot's
    message; 0: none), sender kind and note flag.

    The message listener upserts it (``count = count + 1``) inside the chat transaction, one
    statement per message, instead of one ``Fact`` per message. A counter row changes after
    the rollup may have read it, so ``seq`` (the primary key) is taken afresh from the
    table's sequence on every upsert: the incremental rollup reads rows past its ``seq``
    watermark, exactly as it reads facts past their id watermark (docs/metrics.md)."""

    seq = models.BigAutoField(primary_key=True)
    hour = models.DateTimeField()
    conversation_id = models.BigIntegerField(default=0)  # 0: none (converted old facts)
    team_id = models.BigIntegerField(default=0)  # 0: none
    agent_id = models.BigIntegerField(default=0)  # sender or assignee; 0: none
    sender = models.PositiveSmallIntegerField(choices=Fact.Sender.choices)
    private = models.BooleanField(default=False)
    count = models.IntegerField(default=0)
    # When the row was last written; the rollup watermark trails it by a safety lag.
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("message count")
        verbose_name_plural = _("message counts")
        constraints = [
            # The upsert's conflict target; it leads with the hour, so rolling up given hours
            # reads it too.
            models.UniqueConstraint(
                fields=["hour", "conversation_id", "team_id", "agent_id", "sender", "private"],
                name="msgcount_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}h c{self.conversation_id} s{self.sender}: {self.count}"


class QuestionFact(models.Model):
    """A shopper question the bot saw: answered from a knowledge-base entry or not matched."""

    at = models.DateTimeField()
    recorded_at = models.DateTimeField(auto_now_add=True)
    conversation_id = models.BigIntegerField(null=True, blank=True)
    # The shopper's message; unique so importing a question twice changes nothing.
    message_id = models.BigIntegerField(null=True, blank=True, unique=True)
    team_id = models.BigIntegerField(null=True, blank=True)
    kb_entry_id = models.BigIntegerField(null=True, blank=True)
    text = models.CharField(max_length=300, blank=True)
    language = models.CharField(max_length=16, blank=True)
    # Unmatched questions: the sorted key words; questions sharing it form one cluster seed.
    topic_key = models.CharField(max_length=120, blank=True)
    products = models.CharField(max_length=300, blank=True)  # comma-separated product ids

    class Meta:
        verbose_name = _("question fact")
        verbose_name_plural = _("question facts")
        indexes = [
            models.Index(fields=["at"], name="qfact_at"),
            models.Index(fields=["topic_key", "at"], name="qfact_topic_at"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


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


class TopicVector(models.Model):
    """The sentence vector of an unmatched-question topic key, from the bot's embedder
    (chat.bot.matching.embedder): hot-question clusters join keys whose vectors are close, so
    周末可以发货吗 and 星期六发货吗 are one cluster. Computed in Celery when the rollup imports a
    topic key it has no vector for; never per report."""

    topic_key = models.CharField(max_length=120, unique=True)
    # The embedder's name: a vector from another model is not compared.
    model = models.CharField(max_length=200)
    vector = models.BinaryField()  # float32 little-endian, L2-normalised
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("topic vector")
        verbose_name_plural = _("topic vectors")

    def __str__(self) -> str:
        return self.topic_key
