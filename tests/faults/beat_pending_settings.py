"""Production settings with the pending tasks' and the deliveries' sweeps every 2 seconds (a
3-second grace) instead of every minute, for the Redis-loss scenario (tests/faults/test_pending_recovery.py)."""

from helpdesk.settings import *  # noqa: F403

CELERY_BEAT_SCHEDULE = {
    "faults-pending-sweep": {
        "task": "helpdesk.pending_sweep",
        "schedule": 2.0,
        "kwargs": {"grace_seconds": 3},
    },
    "faults-outbound-sweep": {
        "task": "inboxes.outbound_sweep",
        "schedule": 2.0,
        "kwargs": {"grace_seconds": 3},
    },
}
