"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, print-friendly."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .tables import WEEKDAYS

PALETTE = "#417690"  # the admin's blue


def _svg(name: str, width: int, height: int, body: list[str], title: str) -> SafeString:
    return mark_safe(  # noqa: S308 - every label below is escaped
        f'<svg class="report-chart" data-chart="{escape(name)}" role="img" '
        f'aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def bar_chart(
    name: str,
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    previous: Sequence[float] | None = None,
    width: int = 760,
    height: int = 220,
) -> SafeString:
    """Vertical bars, one per label; optional lighter bars for the previous period."""
    left, bottom, top = 40, 30, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    top_value = max([*values, *(previous or []), 1])
    n = max(len(values), 1)
    slot = plot_w / n
    body = [
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" '
        'stroke="#999" stroke-width="1"/>',
        f'<text x="{left - 4}" y="{top + 8}" font-size="10" text-anchor="end">'
        f"{escape(_short(top_value))}</text>",
        f'<text x="{left - 4}" y="{top + plot_h}" font-size="10" text-anchor="end">0</text>',
    ]
    every = max(1, n // 12)
    for i, value in enumerate(values):
        x = left + i * slot
        if previous is not None and i < len(previous):
            ph = plot_h * previous[i] / top_value
            body.append(
                f'<rect class="bar-previous" x="{x + slot * 0.1:.1f}" y="{top + plot_h - ph:.1f}" '
                f'width="{slot * 0.8:.1f}" height="{ph:.1f}" fill="#c9dbe5"/>'
            )
        h = plot_h * value / top_value
        body.append(
            f'<rect class="bar" x="{x + slot * 0.25:.1f}" y="{top + plot_h - h:.1f}" '
            f'width="{slot * 0.5:.1f}" height="{h:.1f}" fill="{PALETTE}">'
            f"<title>{escape(labels[i])}: {escape(_short(value))}</title></rect>"
        )
        if i % every == 0:
            body.append(
                f'<text x="{x + slot / 2:.1f}" y="{height - 12}" font-size="10" '
                f'text-anchor="middle">{escape(labels[i])}</text>'
            )
    return _svg(name, width, height, body, title)


def heatmap(name: str, grid: list[list[int]], *, title: str) -> SafeString:
    """Weekday rows × 24 hour columns, darker = more conversations."""
    cell, left, top = 28, 44, 18
    width, height = left + 24 * cell + 4, top + 7 * cell + 4
    peak = max(max(row) for row in grid) or 1
    body = []
    for h in range(0, 24, 2):
        body.append(
            f'<text x="{left + h * cell + cell / 2}" y="{top - 5}" font-size="10" '
            f'text-anchor="middle">{h:02d}</text>'
        )
    for d, row in enumerate(grid):
        y = top + d * cell
        body.append(
            f'<text x="{left - 6}" y="{y + cell * 0.65}" font-size="11" text-anchor="end">'
            f"{escape(str(WEEKDAYS[d]))}</text>"
        )
        for h, count in enumerate(row):
            alpha = 0.06 + 0.94 * count / peak if count else 0.03
            body.append(
                f'<rect class="cell" x="{left + h * cell}" y="{y}" width="{cell - 2}" '
                f'height="{cell - 2}" fill="{PALETTE}" fill-opacity="{alpha:.2f}">'
                f"<title>{escape(str(WEEKDAYS[d]))} {h:02d}:00 — {count}</title></rect>"
            )
    return _svg(name, width, height, body, title)


def _short(value: float) -> str:
    value = float(value)
    if value >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    if value == int(value):
        return str(int(value))
    return f"{value:.2f}"
