"""The overview report: one row per metric, with the previous period beside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from ..models import Fact
from .common import Stat, change, durations, ratio, rollup_sums
from .filters import ReportFilter
from .waiting import still_waiting

DURATION_KINDS = [Fact.Kind.FIRST_RESPONSE, Fact.Kind.REPLY_WAIT, Fact.Kind.RESOLVED]


@dataclass
class MetricRow:
    key: str
    label: Any
    unit: str  # "count", "share", "seconds", "score"
    value: float | None
    previous: float | None

    @property
    def change(self) -> float | None:
        return change(self.value, self.previous)


def _period(f: ReportFilter) -> dict[str, Any]:
    sums = rollup_sums(f)[0]
    stats = durations(f, [int(k) for k in DURATION_KINDS], {0: sums})
    bh = f.business_hours
    # With an agent filter a conversation counts where it was assigned to the agent, and the
    # shares are of those assignments (the assignment records the hand-over and the arrival
    # outside hours: docs/metrics.md).
    if f.agent_id:
        conversations = sums["assignments"]
        handovers, outside = sums["assigned_handover"], sums["assigned_outside"]
    else:
        conversations = sums["conversations"]
        handovers, outside = sums["handovers"], sums["outside_hours"]
    values: dict[str, Any] = {
        "conversations": conversations,
        "shopper_messages": sums["msg_visitor"],
        "bot_resolved_share": ratio(sums["bot_resolved"], sums["resolved"]),
        "handover_share": ratio(handovers, conversations),
        "within_3m_share": ratio(
            sums["fr_bh_within_3m" if bh else "fr_within_3m"], sums["fr_count"]
        ),
        "unanswered": sums["unanswered"],
        "still_waiting": still_waiting(f),
        "outside_hours_share": ratio(outside, conversations),
        "csat_average": ratio(sums["csat_sum"], sums["csat_count"]),
        "csat_count": sums["csat_count"],
        "csat_distribution": [sums[f"csat_{i}"] for i in range(1, 6)],
        "resolved": sums["resolved"],
    }
    for name, kind in (
        ("first_response", Fact.Kind.FIRST_RESPONSE),
        ("reply_wait", Fact.Kind.REPLY_WAIT),
        ("resolution", Fact.Kind.RESOLVED),
    ):
        stat = stats.get((int(kind), 0), Stat())
        values[f"{name}_median"] = stat.median
        values[f"{name}_p90"] = stat.p90
        values[f"{name}_mean"] = stat.mean
        values[f"{name}_count"] = stat.count
    return values


ROWS: list[tuple[str, Any, str]] = [
    ("conversations", _("Conversations"), "count"),
    ("shopper_messages", _("Shopper messages"), "count"),
    ("bot_resolved_share", _("Resolved by the bot alone"), "share"),
    ("handover_share", _("Handed over by the bot"), "share"),
    ("first_response_median", _("First response, median"), "seconds"),
    ("first_response_p90", _("First response, p90"), "seconds"),
    ("first_response_mean", _("First response, mean"), "seconds"),
    ("within_3m_share", _("First response within 3 minutes"), "share"),
    ("unanswered", _("Resolved without a reply"), "count"),
    ("still_waiting", _("Still waiting for a first reply"), "count"),
    ("reply_wait_median", _("Reply wait, median"), "seconds"),
    ("reply_wait_p90", _("Reply wait, p90"), "seconds"),
    ("reply_wait_mean", _("Reply wait, mean"), "seconds"),
    ("resolution_median", _("Resolution time, median"), "seconds"),
    ("resolution_p90", _("Resolution time, p90"), "seconds"),
    ("resolution_mean", _("Resolution time, mean"), "seconds"),
    ("resolved", _("Care cycles resolved"), "count"),
    ("csat_average", _("CSAT average (1–5)"), "score"),
    ("csat_count", _("CSAT responses"), "count"),
    ("outside_hours_share", _("Arrived outside business hours"), "share"),
]


def overview(f: ReportFilter) -> dict[str, Any]:
    """Every overview number for the filter and, if asked, the previous period."""
    current = _period(f)
    previous = _period(f.previous()) if f.compare else {}
    rows = [
        MetricRow(key, label, unit, current[key], previous.get(key)) for key, label, unit in ROWS
    ]
    return {
        "rows": rows,
        "csat_distribution": current["csat_distribution"],
        "previous_csat_distribution": previous.get("csat_distribution"),
        "values": current,
    }
