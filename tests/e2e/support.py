"""Helpers shared by the browser tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any


def off_loop(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Run ``fn`` in a worker thread that closes its database connection.

    Playwright's sync API keeps an event loop on the test's thread: publish-after-commit
    (``async_to_sync``) cannot run there, and a connection opened there would outlive the
    test database.
    """
    from django.db import connection

    result: dict[str, Any] = {}

    def run() -> None:
        try:
            result["value"] = fn(*args, **kwargs)
        except BaseException as error:  # re-raised in the test thread
            result["error"] = error
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(30)
    if "error" in result:
        raise result["error"]
    return result.get("value")


def wait_db(predicate: Callable[[], bool], timeout: float = 10) -> None:
    """Poll ``predicate`` (ORM code, run off the loop) until it holds."""
    deadline = time.monotonic() + timeout
    while not off_loop(predicate):
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in the database")
        time.sleep(0.1)
