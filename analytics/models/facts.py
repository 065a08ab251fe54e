"""What happened: facts written by the listeners at event time, per-hour message counts,
the bot's questions, and the per-conversation track the listeners keep between events."""

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
    # When the current agent took the conversation (or the cycle restarted while they held
    # it): their share of the care runs from here (docs/metrics.md, "Handling time").
    agent_since = models.DateTimeField(null=True, blank=True)
    # The soonest due moment of the conversation's running SLA clocks not yet judged (None:
    # none runs, or no policy applies). Kept by the listeners on every event that moves a
    # clock (analytics.sla.due); the SLA tick reads the conversations whose moment has come
    # with one range query of ``track_sla_due`` instead of every open conversation's clocks.
    sla_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["sla_due_at"], name="track_sla_due", condition=Q(sla_due_at__isnull=False)
            ),
            # "Still waiting for a first reply" (docs/metrics.md) reads only these rows.
            models.Index(
                fields=["opened_at"],
                name="track_waiting_first",
                condition=Q(first_response_at__isnull=True, awaiting_since__isnull=False),
            ),
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
        HANDLED = 14, _("agent's share")

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
            # The heat map's hourly rows read only conversations opened and assignments: an
            # index-only scan of these instead of every fact (docs/performance.md).
            models.Index(
                fields=["at"],
                name="fact_heatmap_at",
                include=["kind", "team_id", "agent_id"],
                condition=Q(kind__in=[1, 4]),
            ),
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
