"""Production settings with one fast periodic job, for the two-beats scenario
(tests/faults/test_worker_kill.py): the report tick every 2 seconds instead of every minute, so
a doubled schedule shows within seconds."""

from helpdesk.settings import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {"faults-tick": {"task": "analytics.rollup_tick", "schedule": 2.0}}
