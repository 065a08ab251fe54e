"""The report pages on the embedded default (SQLite): demo data rolls up, every page and CSV
export renders with numbers. Runs in a subprocess: this test process stays on PostgreSQL."""

from __future__ import annotations

import pytest

from tests.procs import sqlite_script

pytestmark = pytest.mark.embedded


def test_reports_work_on_sqlite(tmp_path) -> None:
    summary = sqlite_script(tmp_path, "tests/analytics/embedded_check.py", demo=True, timeout=300)
    for page in (
        "overview.overview",
        "overview.daily",
        "questions.clusters",
        "questions.matched",
        "volume.volume",
        "agents.agents",
    ):
        for label in ("default", "14d", "bh"):
            assert summary[f"{page}.{label}"] > 0, (page, label, summary)
    assert summary["ranged_rebuild_hours"] > 0
    # The page view after one more opened conversation: the same days, with numbers.
    assert summary["daily_after_rebuild"] >= summary["overview.daily.default"]
