"""The rollup statements are written once for two SQL dialects: the same hand-built traffic
gives the same facts, counters, rollup rows and report tables on PostgreSQL (here) and on
SQLite (the embedded default, in a subprocess), by incremental ticks and by a full rebuild."""

from __future__ import annotations

import json

import pytest

from analytics import services
from tests.procs import sqlite_script

from . import scenario


@pytest.mark.embedded
@pytest.mark.django_db
def test_postgresql_and_sqlite_give_identical_reports(tmp_path) -> None:
    sqlite = sqlite_script(tmp_path, "tests/analytics/dialect_run.py")

    scenario.build()
    ticked = json.loads(json.dumps(scenario.dump()))
    services.rollup_rebuild()
    rebuilt = json.loads(json.dumps(scenario.dump()))

    # The scenario reaches every kind of row.
    assert {row[0] for row in ticked["facts"]} >= {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 13}
    for name in ("HourlyRollup", "DailyRollup", "DurationHistogram", "QuestionDaily"):
        assert len(ticked[name]) > 4, name
    assert ticked == rebuilt  # incremental = full rebuild (PostgreSQL)
    assert sqlite["ticked"] == sqlite["rebuilt"]  # the same on SQLite
    for key in ticked:
        assert sqlite["ticked"][key] == ticked[key], key
