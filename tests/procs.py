"""Start real server processes for tests (Daphne on a free port, headless Chromium) and stop them."""

from __future__ import annotations

import json
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
from typing import Any

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


# How each ASGI server is started for tests and benches. ``uvicorn`` is the production
# command of docs/deployment.md (flags chosen by bench/servers.py, docs/performance.md);
# Daphne serves ``runserver`` and stays measurable here.
MAX_WS_MESSAGE = 1024 * 1024  # past the contract's 64 KiB: the app answers "too_large" itself


def server_argv(server: str, app: str, port: int) -> list[str]:
    """The command line that serves ``app`` on 127.0.0.1:``port`` with ``server``."""
    py = sys.executable
    if server == "daphne":
        return [py, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app]
    if server == "uvicorn":
        return [
            py,
            "-m",
            "uvicorn",
            app,
            *UVICORN_FLAGS,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
    if server == "uvicorn-websockets":
        # The same with websockets' asyncio implementation (a task per socket) instead of
        # its sans-I/O one.
        flags = [f if f != "websockets-sansio" else "websockets" for f in UVICORN_FLAGS]
        return [py, "-m", "uvicorn", app, *flags, "--host", "127.0.0.1", "--port", str(port)]
    if server == "granian":
        return [
            py, "-m", "granian", "--interface", "asgi", "--loop", "uvloop",
            "--host", "127.0.0.1", "--port", str(port), app,
        ]  # fmt: skip
    if server == "hypercorn":
        return [
            py, "-m", "hypercorn", "-k", "uvloop", "-b", f"127.0.0.1:{port}",
            "--websocket-ping-interval", "20", app,
        ]  # fmt: skip
    raise ValueError(f"unknown ASGI server {server!r}")


UVICORN_FLAGS = [
    "--loop", "uvloop", "--http", "httptools", "--ws", "websockets-sansio",
    # Compression would keep a zlib context per socket for frames of a few hundred bytes.
    "--ws-per-message-deflate", "false",
    "--ws-max-size", str(MAX_WS_MESSAGE), "--lifespan", "off", "--no-access-log",
    # uvicorn logs every socket's "[accepted]", "connection open" and "connection closed" at
    # INFO (~5 % of an open's CPU by py-spy; docs/performance.md): warnings and errors only.
    "--log-level", "warning",
]  # fmt: skip
SERVERS = ("daphne", "uvicorn", "uvicorn-websockets", "granian", "hypercorn")
PRODUCTION_SERVER = "uvicorn"


@contextmanager
def asgi_process(
    env: dict[str, str],
    *,
    server: str = PRODUCTION_SERVER,
    app: str = "helpdesk.asgi:application",
    port: int | None = None,
    log_path: Path | None = None,
    timeout: float = 90,
    ready_path: str = "/api/schema/",
) -> Iterator[tuple[str, int]]:
    """Serve ``app`` with ``server`` and ``env``; yields (base URL, pid).

    Its output goes to ``log_path`` (an unnamed temporary file without one), never to a pipe
    nobody reads: a server that logs every request and socket blocks its event loop on its
    next write once a pipe's buffer is full.
    """
    port = port or free_port()
    with open(log_path, "w+b") if log_path else tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            server_argv(server, app, port),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_http(base + ready_path, timeout=timeout)
            except TimeoutError:
                proc.kill()
                proc.wait()
                log.seek(0)
                out = log.read().decode(errors="replace")
                raise RuntimeError(f"{server} did not start:\n{out[-4000:]}") from None
            yield base, proc.pid
        finally:
            _stop(proc)


@contextmanager
def daphne_process(
    env: dict[str, str],
    *,
    port: int | None = None,
    log_path: Path | None = None,
    timeout: float = 90,
) -> Iterator[tuple[str, int]]:
    """Daphne (what ``runserver`` runs) on ``env``; yields (base URL, pid)."""
    with asgi_process(
        env, server="daphne", port=port, log_path=log_path, timeout=timeout
    ) as started:
        yield started


@contextmanager
def daphne(env: dict[str, str], port: int | None = None) -> Iterator[str]:
    """``daphne_process`` for tests: yields the base URL."""
    with daphne_process(env, port=port) as (base, _pid):
        yield base


@contextmanager
def production_server(env: dict[str, str], port: int | None = None) -> Iterator[str]:
    """The production ASGI server (docs/deployment.md) on ``env``: yields the base URL."""
    with asgi_process(env, port=port) as (base, _pid):
        yield base


@contextmanager
def redis_server(timeout: float = 15) -> Iterator[str]:
    """A throw-away ``redis-server`` on a free port (no persistence); yields its URL."""
    import redis

    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"redis-server on {port} did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()


@contextmanager
def celery_worker(env: dict[str, str], name: str) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker (solo pool) on the test run's broker; ``env`` from
    ``server_env``. Tasks left in the broker by earlier tests are purged first."""
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


def server_env(db_name: str) -> dict[str, str]:
    """Environment for a server subprocess that shares this test run's database and Redis.

    A copy of ``os.environ``: under ``pytest -n`` it carries the worker's own Redis database
    and prefixes (``tests/settings.py``); ``db_name`` is the worker's test database. Servers a
    test keeps for more than one test call ``reset_server_caches`` before each.
    """
    from urllib.parse import urlparse, urlunparse

    env = dict(os.environ)
    parsed = urlparse(env["DATABASE_URL"])
    env["DATABASE_URL"] = urlunparse(parsed._replace(path="/" + db_name))
    # The production settings and one test hook: ``reset_server_caches`` (tests/server_settings.py).
    env["DJANGO_SETTINGS_MODULE"] = "tests.server_settings"
    return env


def reset_server_caches(base: str, timeout: float = 10) -> None:
    """Make the server at ``base`` (started with ``server_env``) forget the rows it cached:
    a transactional test's flush deleted them, and made the content types again under new
    ids (tests/process_caches.py). Returns once it has."""
    from tests.process_caches import RESET_PATH

    request = urllib.request.Request(base + RESET_PATH, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if response.status != 204:
            raise RuntimeError(f"{base} answered {response.status} to the cache reset")


def base_env() -> dict[str, str]:
    """A clean environment: nothing of the test run's own settings leaks in."""
    keep = ("PATH", "HOME", "LANG", "VIRTUAL_ENV", "SYSTEMROOT", "TMPDIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings"
    return env


def embedded_env(tmp: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SECRET_KEY"}
    }
    env["SQLITE_PATH"] = str(tmp / "embedded.sqlite3")
    env["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings"
    env["MEDIA_ROOT"] = str(tmp / "media")
    return env


def sqlite_script(tmp: Path, script: str, *, demo: bool = False, timeout: int = 600) -> Any:
    """Run a script of the tests on a fresh embedded default (SQLite, migrated, with the demo
    data when asked) in a subprocess, this process staying on PostgreSQL; the script prints
    its result as JSON on its last line, which this returns."""
    env = {**embedded_env(tmp), "PYTHONPATH": str(ROOT)}
    commands = [["manage.py", "migrate", "--noinput"]] + ([["manage.py", "demo_data"]] * demo)
    for command in commands:
        subprocess.run(
            [sys.executable, *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    done = subprocess.run(
        [sys.executable, script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


# Headless Debian Chromium for Playwright: no downloaded browser, no network of its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]
# A fake camera and microphone whose permission is granted (the calls' browser tests).
FAKE_MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


def chromium_launch(playwright: Any, *extra_args: str) -> Any:
    """Launch Debian's Chromium (``$CHROMIUM`` or /usr/bin/chromium) headless."""
    return playwright.chromium.launch(
        executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        headless=True,
        args=[*CHROMIUM_ARGS, *extra_args],
    )
