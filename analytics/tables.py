"""Report tables as columns + formatted cells: the page and the CSV export render the same
cells from the same selector rows, so the CSV always matches what the manager sees."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

WEEKDAYS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def _seconds_formats() -> tuple[str, str, str, str]:
    """The four duration formats in the active language (looked up once per table: a
    30-day agents table formats ~300 durations)."""
    return (
        gettext("%(s)ds"),
        gettext("%(m)dm %(s)02ds"),
        gettext("%(h)dh %(m)02dm"),
        gettext("%(d)dd %(h)02dh"),
    )


def fmt_seconds(value: float | None, formats: tuple[str, str, str, str] | None = None) -> str:
    """``42s``, ``3m 05s``, ``2h 07m``, ``3d 04h`` (in Chinese ``3分05秒`` …); an em dash when
    nothing was measured. ``formats``: ``_seconds_formats()`` when the caller holds them."""
    if value is None:
        return "—"
    secs, mins, hours, days = formats or _seconds_formats()
    s = round(float(value))
    if s < 60:
        return secs % {"s": s}
    if s < 3600:
        return mins % {"m": s // 60, "s": s % 60}
    if s < 86400:
        return hours % {"h": s // 3600, "m": s % 3600 // 60}
    return days % {"d": s // 86400, "h": s % 86400 // 3600}


def fmt(value: Any, unit: str, formats: tuple[str, str, str, str] | None = None) -> str:
    if value is None:
        return "—"
    if unit == "seconds":
        return fmt_seconds(value, formats)
    if unit == "share":
        return f"{float(value) * 100:.1f}%"
    if unit == "score":
        return f"{float(value):.2f}"
    if unit == "money":
        return f"{Decimal(value):.2f}"
    if unit == "change":
        return f"{float(value) * 100:+.0f}%"
    if unit == "list":
        return "; ".join(str(v) for v in value)
    return str(value)


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    unit: str = "text"


@dataclass
class Table:
    name: str
    columns: list[Column]
    rows: list[list[str]]

    def csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([str(c.label) for c in self.columns])
        writer.writerows(self.rows)
        return out.getvalue()


def build(name: str, columns: list[Column], rows: Iterable[dict[str, Any]]) -> Table:
    formats = _seconds_formats()
    units = [(c.key, c.unit) for c in columns]
    return Table(
        name, columns, [[fmt(r.get(key), unit, formats) for key, unit in units] for r in rows]
    )


def overview_table(data: dict[str, Any], compare: bool) -> Table:
    rows = [
        {
            "metric": str(r.label),
            "value": fmt(r.value, r.unit),
            "previous": fmt(r.previous, r.unit),
            "change": r.change,
        }
        for r in data["rows"]
    ]
    columns = [Column("metric", _("Metric")), Column("value", _("This period"))]
    if compare:
        columns += [
            Column("previous", _("Previous period")),
            Column("change", _("Change"), "change"),
        ]
    return build("overview", columns, rows)


def calls_table(data: dict[str, Any], compare: bool) -> Table:
    """The overview's calls figures (``selectors.calls_summary``), shaped as the overview."""
    table = overview_table(data, compare)
    table.name = "calls"
    return table


AGENT_COLUMNS = [
    Column("agent", _("Agent")),
    Column("handled", _("Conversations handled"), "count"),
    Column("transfers_in", _("Transferred in"), "count"),
    Column("concurrent_peak", _("Concurrent peak"), "count"),
    Column("messages", _("Messages"), "count"),
    Column("first_response_median", _("First response median"), "seconds"),
    Column("first_response_p90", _("First response p90"), "seconds"),
    Column("unanswered", _("Resolved without a reply"), "count"),
    Column("still_waiting", _("Still waiting for a first reply"), "count"),
    Column("reply_wait_median", _("Reply wait median"), "seconds"),
    Column("reply_wait_p90", _("Reply wait p90"), "seconds"),
    Column("handling_time", _("Handling time"), "seconds"),
    Column("resolved", _("Resolved"), "count"),
    Column("resolution_median", _("Resolution median"), "seconds"),
    Column("csat_average", _("CSAT"), "score"),
    Column("csat_count", _("CSAT responses"), "count"),
    Column("conversion_24h", _("Conversion 24 h"), "share"),
    Column("conversion_24h_value", _("Order value 24 h"), "money"),
    Column("conversion_7d", _("Conversion 7 d"), "share"),
    Column("conversion_7d_value", _("Order value 7 d"), "money"),
]


def agents_table(rows: list[dict[str, Any]]) -> Table:
    """The agents table; money columns name the shop's currency (``REPORTS["CURRENCY"]``)."""
    from .shop import currency

    code = currency()
    columns = [
        Column(c.key, format_lazy("{} ({})", c.label, code), c.unit) if c.unit == "money" else c
        for c in AGENT_COLUMNS
    ]
    return build("agents", columns, rows)


def heatmap_table(data: dict[str, Any], *, zone: str = "UTC") -> Table:
    """Weekday × hour counts; the header names the time zone of the weekdays and hours."""
    columns = [Column("weekday", format_lazy("{} ({})", _("Weekday"), zone))] + [
        Column(str(h), f"{h:02d}", "count") for h in range(24)
    ]
    rows = [
        {"weekday": str(WEEKDAYS[d]), **{str(h): data["grid"][d][h] for h in range(24)}}
        for d in range(7)
    ]
    return build("volume", columns, rows)


def daily_table(rows: list[dict[str, Any]], *, zone: str = "UTC") -> Table:
    """Per-day counts; the header names the time zone the days are in."""
    columns = [
        Column("day", format_lazy("{} ({})", _("Day"), zone)),
        Column("conversations", _("Conversations"), "count"),
        Column("shopper_messages", _("Shopper messages"), "count"),
    ]
    return build("daily", columns, rows)


def matched_table(rows: list[dict[str, Any]], compare: bool) -> Table:
    columns = [Column("title", _("Knowledge-base entry")), Column("count", _("Asked"), "count")]
    if compare:
        columns += [
            Column("previous", _("Previous period"), "count"),
            Column("change", _("Trend"), "change"),
        ]
    return build("matched", columns, rows)


def clusters_table(rows: list[dict[str, Any]], compare: bool) -> Table:
    columns = [Column("title", _("Question")), Column("count", _("Asked"), "count")]
    if compare:
        columns += [
            Column("previous", _("Previous period"), "count"),
            Column("change", _("Trend"), "change"),
        ]
    columns += [
        Column("examples", _("Examples"), "list"),
        Column("products", _("Products mentioned"), "list"),
        Column("seed", _("Key words")),
    ]
    return build("clusters", columns, rows)


def sla_table(rows: list[dict[str, Any]], compare: bool) -> Table:
    """Per SLA clock: judged, met, breached, breach rate (docs/metrics.md, SLA)."""
    columns = [
        Column("clock", _("SLA target")),
        Column("judged", _("Judged"), "count"),
        Column("met", _("Met"), "count"),
        Column("breached", _("Breached"), "count"),
        Column("breach_rate", _("Breach rate"), "share"),
    ]
    if compare:
        columns.append(Column("previous_breach_rate", _("Breach rate, previous period"), "share"))
    return build("sla", columns, rows)


def sla_breaches_table(rows: list[dict[str, Any]], *, zone: str = "UTC") -> Table:
    """The breached clocks; the times are in the report's zone (named in the headers)."""
    columns = [
        Column("conversation", _("Conversation")),
        Column("clock", _("SLA target")),
        Column("target_seconds", _("Target"), "seconds"),
        Column("team", _("Team")),
        Column("agent", _("Agent")),
        Column("started", format_lazy("{} ({})", _("Started"), zone)),
        Column("due", format_lazy("{} ({})", _("Due"), zone)),
        Column("ended", format_lazy("{} ({})", _("Answered or resolved"), zone)),
    ]
    return build("sla_breaches", columns, rows)


def labels_table(rows: list[dict[str, Any]], compare: bool) -> Table:
    """Conversations per label in the period (docs/metrics.md, Labels)."""
    columns = [Column("label", _("Label")), Column("count", _("Conversations"), "count")]
    if compare:
        columns += [
            Column("previous", _("Previous period"), "count"),
            Column("change", _("Change"), "change"),
        ]
    return build("labels", columns, rows)


def labels_daily_table(
    days: list[dict[str, Any]], labels: list[dict[str, Any]], *, zone: str = "UTC"
) -> Table:
    """Conversations per day (of ``zone``) and label: one column per label shown."""
    columns = [Column("day", format_lazy("{} ({})", _("Day"), zone))] + [
        Column(f"label_{r['label_id']}", r["label"], "count") for r in labels
    ]
    return build("labels_daily", columns, days)
