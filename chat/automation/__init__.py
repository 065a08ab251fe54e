"""Automation rules: when (an event), if (conditions), then (actions), run after commit in
Celery, loop-proof, each run recorded. docs/automation.md."""
