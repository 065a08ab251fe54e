"""The definitions of the report numbers, as a page of the desk: docs/metrics.md rendered with
an anchor on every section and every defined number, so each number on a report page links to
its definition.

Only the sections a manager reads are shown; how the numbers are computed (the sections in
``INTERNAL``) stays in the repository, and references to the repository's files are left out:
the page is for people who use the desk, not for its developers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape as html_escape
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from markdown_it import MarkdownIt
from markdown_it.token import Token

SOURCE = Path(settings.BASE_DIR) / "docs" / "metrics.md"
# The same sections in Chinese, for the zh desk; each heading and defined number carries its
# English anchor explicitly (``## 时区 {#time-zone}``, ``| 会话数 {#overview-conversations} |``).
SOURCES = {"zh": Path(settings.BASE_DIR) / "docs" / "metrics.zh.md"}
_EXPLICIT = re.compile(r"\s*\{#([\w-]+)\}\s*$")

# Sections written for developers: how facts and rollups are made, the embedded default, how
# the CSV export is built.
INTERNAL = {"how-the-numbers-are-made", "on-the-embedded-default-sqlite", "csv-export"}

# A path into the repository ("docs/bot.md", "`analytics/privacy.py`", "CONTRACT.md"), with
# the punctuation it leaves behind: "(x, docs/bot.md)" → "(x)", "(docs/bot.md)" → "".
_PATH = re.compile(r"[ ]?`?(?:[\w.-]+/[\w./:-]*[\w]|\b[\w-]+\.(?:md|py)\b)`?")
_DANGLING = [
    (re.compile(r"[,;]\s*([,;:])"), r"\1"),
    (re.compile(r"[,;:]\s*\)"), ")"),
    (re.compile(r"\(\s*[,;:]\s*"), "("),
    (re.compile(r"\s*\(\s*\)"), ""),
]


def anchor(section: str, item: str = "") -> str:
    """The id of a section, or of the defined number ``item`` in it (its table row)."""
    return f"{slugify(section)}-{slugify(item)}" if item else slugify(section)


@dataclass(frozen=True)
class Definitions:
    html: SafeString
    sections: list[tuple[str, str]]  # (anchor, heading) in page order
    anchors: frozenset[str]


def _without_paths(text: str) -> str:
    text = _PATH.sub("", text)
    for pattern, replacement in _DANGLING:
        text = pattern.sub(replacement, text)
    return text


def _sections(source: str) -> list[tuple[str, str]]:
    """(heading, body) of each second-level section, the document's title and preface dropped."""
    parts = re.split(r"^## +(.+?)\s*$", source, flags=re.MULTILINE)
    return [(parts[i].strip(), parts[i + 1]) for i in range(1, len(parts) - 1, 2)]


def _inline_text(token: Token) -> str:
    return "".join(child.content for child in token.children or [] if child.type != "softbreak")


def _explicit(token: Token) -> str | None:
    """A cell's own anchor (``… {#id}``), taken out of its text; None when it has none."""
    found = _EXPLICIT.search(_inline_text(token))
    if found is None:
        return None
    token.content = _EXPLICIT.sub("", token.content)
    for child in reversed(token.children or []):
        if child.type == "text":
            child.content = _EXPLICIT.sub("", child.content)
            break
    return found.group(1)


def _add_anchors(tokens: list[Token], section: str, anchors: set[str]) -> None:
    """An id on every row of the section's tables: the row's first cell names the number
    (or, in a translation, carries the English anchor)."""
    in_body = False
    for i, token in enumerate(tokens):
        if token.type == "tbody_open":
            in_body = True
        elif token.type == "tbody_close":
            in_body = False
        elif in_body and token.type == "tr_open":
            first = tokens[i + 2] if i + 2 < len(tokens) else None
            if first is not None and first.type == "inline":
                ident = _explicit(first) or anchor(section, _inline_text(first))
                token.attrSet("id", ident)
                anchors.add(ident)


def _render(source: str) -> Definitions:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    html: list[str] = []
    sections: list[tuple[str, str]] = []
    anchors: set[str] = set()
    for heading, body in _sections(source):
        explicit = _EXPLICIT.search(heading)
        heading = _EXPLICIT.sub("", heading)
        ident = explicit.group(1) if explicit else anchor(heading)
        if ident in INTERNAL:
            continue
        sections.append((ident, heading))
        anchors.add(ident)
        tokens = md.parse(_without_paths(body))
        _add_anchors(tokens, heading, anchors)
        html.append(f'<section><h2 id="{ident}">{md.renderInline(heading)}</h2>')
        html.append(md.renderer.render(tokens, md.options, {}))
        html.append("</section>")
    # Rendered from the project's own file with raw HTML off: nothing in it is markup.
    return Definitions(mark_safe("".join(html)), sections, frozenset(anchors))  # noqa: S308


@lru_cache(maxsize=8)
def _cached(path: Path, mtime_ns: int) -> Definitions:
    return _render(path.read_text(encoding="utf-8"))


MISSING = Definitions(mark_safe(""), [], frozenset())


def source_for(language: str | None) -> Path | None:
    """The translated source for ``language`` (``zh-hans`` → docs/metrics.zh.md), if any."""
    if not language:
        return None
    return SOURCES.get(language.split("-")[0].lower())


def definitions(language: str | None = None) -> Definitions:
    """The rendered definitions (re-read when the file changes), in ``language`` when it has
    a translation, else in English. A deployment without the docs gets none: the report pages
    then show their numbers without links. The anchors are the English ones in every
    language."""
    translated = source_for(language)
    for path in (translated, SOURCE) if translated else (SOURCE,):
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            continue
        return _cached(path, mtime)
    return MISSING


# Where each report number is defined: table name → column key or overview metric key →
# (section, the first cell of its row in docs/metrics.md).
_OVERVIEW = {
    "conversations": "Conversations",
    "shopper_messages": "Shopper messages",
    "bot_resolved_share": "Resolved by the bot alone",
    "handover_share": "Handed over by the bot",
    "first_response_median": "First response (median, p90, mean)",
    "first_response_p90": "First response (median, p90, mean)",
    "first_response_mean": "First response (median, p90, mean)",
    "within_3m_share": "First response within 3 minutes",
    "unanswered": "Resolved without a reply",
    "still_waiting": "Still waiting for a first reply",
    "reply_wait_median": "Reply wait (median, p90, mean)",
    "reply_wait_p90": "Reply wait (median, p90, mean)",
    "reply_wait_mean": "Reply wait (median, p90, mean)",
    "resolution_median": "Resolution time (median, p90, mean)",
    "resolution_p90": "Resolution time (median, p90, mean)",
    "resolution_mean": "Resolution time (median, p90, mean)",
    "resolved": "Care cycles resolved",
    "csat_average": "CSAT average (1–5), responses, distribution",
    "csat_count": "CSAT average (1–5), responses, distribution",
    "outside_hours_share": "Arrived outside business hours",
}
_AGENTS = {
    "handled": "Conversations handled",
    "transfers_in": "Transferred in",
    "concurrent_peak": "Concurrent peak",
    "messages": "Messages",
    "first_response_median": "First response (agent level; median, p90)",
    "first_response_p90": "First response (agent level; median, p90)",
    "unanswered": "Resolved without a reply",
    "still_waiting": "Still waiting for a first reply",
    "reply_wait_median": "Reply wait (median, p90)",
    "reply_wait_p90": "Reply wait (median, p90)",
    "handling_time": "Handling time",
    "resolved": "Resolved, Resolution median",
    "resolution_median": "Resolved, Resolution median",
    "csat_average": "CSAT, CSAT responses",
    "csat_count": "CSAT, CSAT responses",
    "conversion_24h": "Conversion 24 h / 7 d",
    "conversion_7d": "Conversion 24 h / 7 d",
    "conversion_24h_value": "Order value 24 h / 7 d",
    "conversion_7d_value": "Order value 24 h / 7 d",
}
_QUESTIONS = {
    "title": "",
    "count": "",
    "previous": "Trend",
    "change": "Trend",
    "examples": "Examples",
    "products": "Products mentioned",
}
_CALLS = {
    "calls": "Calls",
    "video_calls": "Video calls",
    "answered": "Calls answered",
    "missed": "Missed calls",
    "missed_share": "Missed share",
    "total_seconds": "Call time, total",
    "average_seconds": "Call duration, average",
}
_SLA = {
    "judged": "Judged",
    "met": "Met",
    "breached": "Breached",
    "breach_rate": "Breach rate",
    "previous_breach_rate": "Breach rate",
}
_SLA_BREACHES = {
    key: "Breached conversations" for key in ("clock", "target_seconds", "started", "due", "ended")
}
_LABELS = {
    "count": "Conversations per label",
    "previous": "Conversations per label",
    "change": "Conversations per label",
}
PLACES: dict[str, tuple[str, dict[str, str]]] = {
    "labels": ("Labels", _LABELS),
    # "*": every column but the day (one per label).
    "labels_daily": ("Labels", {"*": "Per day"}),
    "sla": ("SLA", _SLA),
    "sla_breaches": ("SLA", _SLA_BREACHES),
    "overview": ("Overview", _OVERVIEW),
    "calls": ("Calls", _CALLS),
    "daily": ("Overview", {k: _OVERVIEW[k] for k in ("conversations", "shopper_messages")}),
    "agents": ("Agents", _AGENTS),
    "volume": ("Volume heat map", {}),
    "clusters": ("Hot questions", {**_QUESTIONS, "title": "Questions the bot could not answer"}),
    "matched": ("Hot questions", {**_QUESTIONS, "title": "Answered from the knowledge base"}),
}


# Tables whose every column or row is a number: one not mapped above links to its section.
_ALL_NUMBERS = {"overview", "calls", "volume"}


def _metric_rows(table: str) -> list[tuple[str, Any, str]]:
    """(key, label, unit) of the tables whose rows are metrics (their first cell the label)."""
    if table == "overview":
        from .selectors.overview import ROWS

        return ROWS
    if table == "calls":
        from .selectors.calls import ROWS as CALL_ROWS

        return CALL_ROWS
    return []


def definition_anchor(table: str, key: str) -> str | None:
    """The anchor defining ``key`` of ``table``: its own row if the definitions have one, else
    its section (a number added before its definition still leads somewhere true); ``None``
    for what is not a number (the agent's name, the day)."""
    if table not in PLACES:
        return None
    section, items = PLACES[table]
    known = definitions().anchors
    item = items.get(key) or (items.get("*") if key != "day" else None)
    if item is None and table not in _ALL_NUMBERS:
        return None
    if item and anchor(section, item) in known:
        return anchor(section, item)
    return anchor(section) if anchor(section) in known else None


def definition_url(table: str, key: str, *, page: str | None = None) -> str | None:
    """The link to the definition of ``key`` of ``table``; ``page`` is the definitions page's
    path when the caller has it (one ``reverse`` per table instead of one per column)."""
    found = definition_anchor(table, key)
    if not found:
        return None
    return f"{page or reverse('analytics:definitions')}#{found}"


NUMERIC_UNITS = {"count", "share", "score", "money", "change", "seconds"}


def linked(table: Any) -> dict[str, Any]:
    """``table`` (analytics.tables.Table) ready for the page: a definition link for each column
    header and, in the overview and calls tables, for each metric's row; numbers marked to
    align right."""
    page = reverse("analytics:definitions")
    headers = [
        (c.label, definition_url(table.name, c.key, page=page), c.unit in NUMERIC_UNITS)
        for c in table.columns
    ]
    numeric = [unit for _label, _href, unit in headers]
    metrics = _metric_rows(table.name)
    if metrics:
        by_label = {str(label): key for key, label, _unit in metrics}
        row_links = [
            definition_url(table.name, by_label.get(row[0], ""), page=page) for row in table.rows
        ]
        headers = [(label, None, True) for label, _href, _unit in headers]
        headers[0] = (headers[0][0], None, False)
        numeric = [False] + [True] * (len(headers) - 1)
    else:
        row_links = [None] * len(table.rows)
    rows = [
        (href, row[0], list(zip(row[1:], numeric[1:], strict=True)))
        for href, row in zip(row_links, table.rows, strict=True)
    ]
    return {
        "name": table.name,
        "headers": headers,
        "rows": rows,
        "body": table_body(rows, len(table.columns)),
        "width": len(table.columns),
    }


Row = tuple[str | None, Any, list[tuple[Any, bool]]]


def table_body(rows: list[Row], width: int) -> SafeString:
    """The table's ``<tbody>`` rows, the HTML the template's loop over them gave (every value
    escaped as the template escapes it), made in one pass: the agents table of 30 days has
    ~1,000 cells, and the template's loop cost ~15 µs a cell (docs/performance.md)."""
    from django.utils.translation import gettext

    if not rows:
        nothing = conditional_escape(gettext("Nothing in this period."))
        return mark_safe(f'<tr><td colspan="{int(width)}">{nothing}</td></tr>')  # noqa: S308
    title = conditional_escape(gettext("Definition"))
    out = []
    for href, first, cells in rows:
        head: str = conditional_escape(first)
        if href:
            link = conditional_escape(href)
            head = f'<a class="definition" href="{link}" title="{title}">{head}</a>'
        out.append(f'<tr><th scope="row">{head}</th>')
        for cell, numeric in cells:
            out.append('<td class="num">' if numeric else "<td>")
            # A plain str (every formatted cell) escaped as ``escape`` does, without its
            # lazy-argument check (~1,000 cells a page); anything else as the template would.
            text = html_escape(cell) if type(cell) is str else conditional_escape(cell)
            out.append(f"{text}</td>")
        out.append("</tr>")
    # Every piece above is a literal or escaped.
    return mark_safe("".join(out))  # noqa: S308
