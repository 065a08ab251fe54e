"""Start real server processes for tests (Daphne on a free port) and stop them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:  # the server answered: it is up
                return
            last = exc
        except Exception as exc:
            last = exc
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer: {last}")


@contextmanager
def daphne_process(
    env: dict[str, str],
    *,
    port: int | None = None,
    log_path: Path | None = None,
    timeout: float = 30,
) -> Iterator[tuple[str, int]]:
    """Run ``daphne helpdesk.asgi:application`` with ``env``; yields (base URL, pid).

    Its output goes to ``log_path`` (an unnamed temporary file without one), never to a pipe
    nobody reads: Daphne logs every request and socket, and once a pipe's buffer is full its
    next write blocks the server's event loop.
    """
    port = port or free_port()
    with open(log_path, "w+b") if log_path else tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "daphne",
                "-b",
                "127.0.0.1",
                "-p",
                str(port),
                "helpdesk.asgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_http(base + "/api/schema/", timeout=timeout)
            except TimeoutError:
                proc.kill()
                proc.wait()
                log.seek(0)
                out = log.read().decode(errors="replace")
                raise RuntimeError(f"daphne did not start:\n{out[-4000:]}") from None
            yield base, proc.pid
        finally:
            _stop(proc)


@contextmanager
def daphne(env: dict[str, str], port: int | None = None) -> Iterator[str]:
    """``daphne_process`` for tests: yields the base URL."""
    with daphne_process(env, port=port) as (base, _pid):
        yield base


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def celery_worker(env: dict[str, str], name: str) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker (solo pool) on the test run's broker; ``env`` from
    ``tests.conftest.server_env``. Tasks left in the broker by earlier tests are purged first."""
    from helpdesk.celery import app

    app.control.purge()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "helpdesk",
            "worker",
            "--pool=solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
            "-n",
            f"{name}@%h",
        ],
        cwd=ROOT,
        env={**env, "CELERY_EAGER": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield proc
    finally:
        _stop(proc)


def embedded_env(tmp: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
    }
    env["SQLITE_PATH"] = str(tmp / "embedded.sqlite3")
    env["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings"
    env["MEDIA_ROOT"] = str(tmp / "media")
    return env
