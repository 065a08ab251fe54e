"""Analytics: facts recorded as things happen, and the rollups Celery builds from them.

``Fact`` rows are written by the listeners in ``analytics.listeners`` inside the transaction of
the chat change that causes them; messages are counted per conversation and hour in
``MessageCount`` (``facts``). ``DailyRollup``, ``HourlyRollup``, ``DurationHistogram``,
``AgentDurations`` and ``QuestionDaily`` are derived (``rollups``): any period can be deleted
and rebuilt from the facts and counts (``analytics.services``). ``TopicVector`` (``topics``)
feeds the hot-question clusters; ``SlaPolicy``, ``SlaOutcome`` and ``SlaPause`` (``sla``) the
service-level targets.
"""

from .facts import (
    ASSIGNED_AFTER_HANDOVER,
    ASSIGNED_FIRST_TIME,
    ASSIGNED_OUTSIDE_HOURS,
    UNANSWERED,
    ConversationTrack,
    Fact,
    MessageCount,
    QuestionFact,
)
from .rollups import (
    ALL,
    AgentDurations,
    DailyRollup,
    DurationHistogram,
    HourlyRollup,
    PendingDay,
    QuestionDaily,
    ReportPage,
    RollupColumns,
    Watermark,
)
from .sla import SlaOutcome, SlaPause, SlaPolicy
from .topics import TopicVector

__all__ = [
    "ALL",
    "ASSIGNED_AFTER_HANDOVER",
    "ASSIGNED_FIRST_TIME",
    "ASSIGNED_OUTSIDE_HOURS",
    "UNANSWERED",
    "AgentDurations",
    "ConversationTrack",
    "DailyRollup",
    "DurationHistogram",
    "Fact",
    "HourlyRollup",
    "MessageCount",
    "PendingDay",
    "QuestionDaily",
    "QuestionFact",
    "ReportPage",
    "RollupColumns",
    "SlaOutcome",
    "SlaPause",
    "SlaPolicy",
    "TopicVector",
    "Watermark",
]
