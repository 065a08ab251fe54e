"""Celery: the broker, late acknowledgement, and the beat schedule (docs/deployment.md).

Star-imported by ``helpdesk.settings``; read the environment the same way it does.
"""

from __future__ import annotations

import os
from typing import Any

from helpdesk.conf.env import env_bool

REDIS_URL = os.environ.get("REDIS_URL", "")

# The embedded default's in-process broker names its host: an eager task still takes a producer
# from the pool, and kombu warns "No hostname was supplied" on every first run without one.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", REDIS_URL or "cache+memory://")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A task is acknowledged when it has run, not when a worker takes it: a worker killed mid-task
# (kill -9, OOM, a lost machine) leaves it unacknowledged, and the broker hands it to another
# worker once the visibility timeout has passed. Every task is written to be run again (its
# effect happens once: docs/deployment.md, "Workers die"). One task at a time per process, so a
# dying worker holds back no more than the one it was running.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged task after this many seconds. It must exceed the longest
# task and the longest countdown a task is queued with (HELPDESK_TASK_COUNTDOWN_MAX): longer
# pauses are left to the beat's sweeps, which queue what is due.
HELPDESK_CELERY_VISIBILITY_TIMEOUT = float(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "300"))
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": HELPDESK_CELERY_VISIBILITY_TIMEOUT,
    # Look for tasks whose visibility ran out every 10 s (kombu's default scans only every
    # tenth look, so a dead worker's task waited up to 100 s more).
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
HELPDESK_TASK_COUNTDOWN_MAX = HELPDESK_CELERY_VISIBILITY_TIMEOUT / 2
# Queueing a task while the broker is down must not hold the thread that queues it (a server's
# database thread runs the after-commit callbacks of every socket of the process): Celery's
# default publish retry slept 0.2 s three times, so every enqueue in the dark cost ~0.6 s
# (docs/performance.md, "Enqueue in the dark"). One immediate retry (a pooled connection Redis
# dropped reconnects at once), a short connect timeout for a broker that does not answer, and
# the work is found again by its sweep or its pending row (docs/deployment.md, "Workers die").
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0,
    "interval_max": 0,
}
CELERY_BROKER_CONNECTION_TIMEOUT = float(os.environ.get("CELERY_BROKER_CONNECTION_TIMEOUT", "1"))
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {}
# Analytics: roll new facts into the hourly / daily report aggregates (docs/metrics.md).
CELERY_BEAT_SCHEDULE["analytics-rollup-tick"] = {"task": "analytics.rollup_tick", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["analytics-histograms"] = {
    "task": "analytics.histograms_refresh",
    "schedule": 300.0,
}
# Media: delete uploads never attached to a message (docs/media.md).
CELERY_BEAT_SCHEDULE["media-orphans-cleanup"] = {
    "task": "chat.attachments.tasks.media_orphans_cleanup",
    "schedule": 3600.0,
}
# The message table's monthly partitions, created months ahead (chat/partitions.py).
CELERY_BEAT_SCHEDULE["chat-message-partitions"] = {
    "task": "chat.message_partitions_ensure",
    "schedule": 24 * 3600.0,
}
# The bot: shopper messages whose task was lost while the broker was down are answered.
CELERY_BEAT_SCHEDULE["bot-reply-sweep"] = {"task": "chat.bot.reply_sweep", "schedule": 60.0}
# The bot: knowledge-base entries whose vectors task was lost (broker down) get it again.
CELERY_BEAT_SCHEDULE["bot-kb-vectors-sweep"] = {
    "task": "chat.bot.kb_vectors_sweep",
    "schedule": 300.0,
}
# The bot: vectors of edited or deleted knowledge-base texts are dropped once a day (docs/bot.md).
CELERY_BEAT_SCHEDULE["bot-kb-vectors-prune"] = {
    "task": "chat.bot.kb_vectors_prune",
    "schedule": 24 * 3600.0,
}
# Routing (docs/routing.md): presence grace period, queue safety net, slow-reply guard.
CELERY_BEAT_SCHEDULE["routing-presence-sweep"] = {
    "task": "chat.routing.presence_sweep",
    "schedule": 30.0,
}
CELERY_BEAT_SCHEDULE["routing-queue-sweep"] = {"task": "chat.routing.queue_sweep", "schedule": 30.0}
CELERY_BEAT_SCHEDULE["routing-slow-reply-scan"] = {
    "task": "chat.routing.slow_reply_scan",
    "schedule": 15.0,
}
# After-commit tasks written down with their change (helpdesk/pending.py: automation runs,
# order notices, the API channel's status events, transcripts, re-translations) and not run
# a minute later: queued again.
CELERY_BEAT_SCHEDULE["pending-sweep"] = {"task": "helpdesk.pending_sweep", "schedule": 60.0}
# Translation: messages whose translation task was lost while the broker was down.
CELERY_BEAT_SCHEDULE["translation-sweep"] = {"task": "chat.translation.sweep", "schedule": 60.0}
# Automation (docs/automation.md): rules on conversations idle for their minutes.
CELERY_BEAT_SCHEDULE["automation-idle-scan"] = {
    "task": "chat.automation.idle_scan",
    "schedule": 60.0,
}

# Channels (docs/channels.md): deliveries retried, IMAP mailboxes polled.
CELERY_BEAT_SCHEDULE["inboxes-outbound-sweep"] = {
    "task": "inboxes.outbound_sweep",
    "schedule": 60.0,
}
CELERY_BEAT_SCHEDULE["inboxes-inbound-sweep"] = {"task": "inboxes.inbound_sweep", "schedule": 60.0}
CELERY_BEAT_SCHEDULE["inboxes-imap-poll"] = {
    "task": "inboxes.imap_poll",
    "schedule": float(os.environ.get("HELPDESK_IMAP_POLL_SECONDS", "60")),
}
