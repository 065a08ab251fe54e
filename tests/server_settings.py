"""The settings of the servers and workers a test starts (``tests.procs.server_env``): the test
run's (``tests/settings.py``, production settings after the run's and the xdist worker's
isolation, which the environment a server inherits has already done), with one test hook
first in the middleware: ``POST /__tests__/process-caches/reset`` makes the process forget
the rows it cached (``tests/process_caches.py``), which a transactional test's flush has
deleted or given new ids."""

from __future__ import annotations

from tests.settings import *  # noqa: F403
from tests.settings import MIDDLEWARE

GC_POLICY = True  # helpdesk/gc_policy.py, as in production
MIDDLEWARE = ["tests.process_caches.ProcessCacheResetMiddleware", *MIDDLEWARE]
