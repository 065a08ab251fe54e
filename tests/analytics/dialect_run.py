"""Run in the embedded environment (SQLite) after migrate: build the scenario, dump it, then
rebuild everything and dump again. Prints the two dumps as JSON. Used by test_dialects.py."""

from __future__ import annotations

import json
import os
import sys

import django

sys.path.insert(0, os.getcwd())
django.setup()

from django.db import connection  # noqa: E402

from analytics import services  # noqa: E402
from tests.analytics import scenario  # noqa: E402


def main() -> None:
    assert connection.vendor == "sqlite", connection.vendor
    scenario.build()
    ticked = scenario.dump()
    services.rollup_rebuild()
    print(json.dumps({"ticked": ticked, "rebuilt": scenario.dump()}))


if __name__ == "__main__":
    main()
