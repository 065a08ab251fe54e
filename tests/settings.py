"""The test run's settings: the production settings of ``helpdesk/settings.py``, read after
each pytest-xdist worker was given its own Redis database and its own channel-layer and cache
prefixes.

Under ``pytest -n N`` the workers ``gw0``..``gw{N-1}`` run at the same time on one Redis
server: worker ``gwK`` uses database ``base + 1 + K`` of ``REDIS_URL`` (the cache, the Celery
broker, ``app.control.purge()``) and the prefixes ``helpdesk-gwK``; Redis pub/sub channels are
not per database, so the prefix is what keeps one worker's socket frames from another's.
pytest-django gives each worker its own test database (``test_<name>_gwK``).

Every run, with or without xdist, also gets channel-layer and cache prefixes of its own
(``helpdesk-r<random>``, then ``-gwK`` per worker): pub/sub channels are shared by every
client of a Redis server whatever its database, so two runs (two engineers' suites, a suite
and a desk or a bench) with the default prefix heard each other's frames. An agent socket of
one run then counted the other's ``conversation.updated`` frames
(``tests/test_run_isolation.py``; docs/performance.md, "The message path without a
one-thread bottleneck").

The environment is changed rather than the settings, so the servers and Celery workers a test
starts (their environment is a copy of ``os.environ``, ``tests.procs.server_env``) get the
worker's Redis database and prefixes too.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import MutableMapping
from urllib.parse import urlparse, urlunparse

REDIS_DATABASES = 16  # redis.conf's default ``databases``


def isolate_xdist_worker(environ: MutableMapping[str, str]) -> None:
    worker = environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... under `pytest -n`
    if not worker or not environ.get("REDIS_URL") or environ.get("HELPDESK_TEST_WORKER"):
        return
    number = int(worker.removeprefix("gw"))
    url = urlparse(environ["REDIS_URL"])
    db = int(url.path.strip("/") or 0) + 1 + number
    if db >= REDIS_DATABASES:
        raise RuntimeError(
            f"pytest-xdist worker {worker} would use Redis database {db}; Redis has "
            f"{REDIS_DATABASES}: run fewer workers or a REDIS_URL with a lower database number"
        )
    environ["REDIS_URL"] = urlunparse(url._replace(path=f"/{db}"))
    for name in ("CHANNEL_PREFIX", "CACHE_PREFIX"):
        environ[name] = f"{environ.get(name, 'helpdesk')}-{worker}"
    environ["HELPDESK_TEST_WORKER"] = worker  # done once, also for the processes tests start


def isolate_run(environ: MutableMapping[str, str]) -> None:
    """This run's own channel-layer and cache prefixes, once per run (the processes a test
    starts, and xdist's workers, inherit them)."""
    if environ.get("HELPDESK_TEST_RUN"):
        return
    run = secrets.token_hex(4)
    for name in ("CHANNEL_PREFIX", "CACHE_PREFIX"):
        environ[name] = f"{environ.get(name, 'helpdesk')}-r{run}"
    environ["HELPDESK_TEST_RUN"] = run


isolate_run(os.environ)
isolate_xdist_worker(os.environ)

from helpdesk.settings import *  # noqa: E402, F403

# The test process's own collector is left alone (tests/test_gc_policy.py installs a policy of
# its own); the servers a test starts run the production one (tests/server_settings.py).
GC_POLICY = False
