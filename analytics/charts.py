"""Report charts as data: the page embeds each chart's numbers with ``json_script`` and
static/reports/charts.js draws them with Apache ECharts (static/vendor/, served by the desk:
the CSP allows no inline script and no other origin). The tables under the charts carry the
same numbers for reading without JavaScript, for printing and as CSV."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .tables import WEEKDAYS

Chart = dict[str, Any]


def _series(name: str, values: Sequence[float | None]) -> dict[str, Any]:
    return {"name": str(name), "values": [None if v is None else float(v) for v in values]}


def bar_chart(
    name: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    title: str,
    series: str,
    previous: Sequence[float | None] | None = None,
    previous_series: str = "",
    horizontal: bool = False,
    unit: str = "count",
) -> Chart:
    """Bars, one per label, in one series, and optionally the previous period's beside them.

    ``horizontal`` puts the labels on the vertical axis: for long labels (questions, names)
    that must be read whole, not cut to fit under a bar.
    """
    data = [_series(series, values)]
    if previous is not None:
        data.insert(0, _series(previous_series, previous))
    return {
        "name": name,
        "element_id": f"chart-data-{name}",
        "kind": "bar",
        "title": str(title),
        "labels": [str(label) for label in labels],
        "series": data,
        "horizontal": horizontal,
        "unit": unit,
    }


def heatmap(name: str, grid: list[list[int]], *, title: str, series: str) -> Chart:
    """Weekday rows (Monday first) × 24 hour columns; the colour scale is the count."""
    return {
        "name": name,
        "element_id": f"chart-data-{name}",
        "kind": "heatmap",
        "title": str(title),
        "labels": [f"{h:02d}" for h in range(24)],
        "rows": [str(day) for day in WEEKDAYS],
        "cells": [[h, d, count] for d, row in enumerate(grid) for h, count in enumerate(row)],
        "peak": max((max(row) for row in grid), default=0),
        "series": [{"name": str(series)}],
        "unit": "count",
    }
