"""The report pages on the embedded default (SQLite): demo data rolls up, every page and CSV
export renders with numbers. Runs in a subprocess: this test process stays on PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.procs import ROOT, embedded_env

pytestmark = pytest.mark.embedded


def test_reports_work_on_sqlite(tmp_path) -> None:
    env = {**embedded_env(tmp_path), "PYTHONPATH": str(ROOT)}
    for command in (["manage.py", "migrate", "--noinput"], ["manage.py", "demo_data"]):
        subprocess.run(
            [sys.executable, *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    done = subprocess.run(
        [sys.executable, "tests/analytics/embedded_check.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout.strip().splitlines()[-1])
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
