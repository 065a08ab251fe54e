"""The fault suite's own world: a throw-away PostgreSQL cluster (``initdb`` into a temporary
directory, ``pg_ctl`` on a free port), a redis-server on a free port, two production ASGI
servers and, when asked, a Celery worker, all in production settings. Nothing here touches
the machine's own PostgreSQL or Redis, so a scenario may stop and kill what it likes.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.procs import ROOT, UVICORN_FLAGS, free_port, wait_http


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise RuntimeError(f"{name} not found (PostgreSQL server binaries)")


def _as_pg_owner(argv: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run the server's tools as ``postgres``."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


class Postgres:
    """One throw-away cluster. ``stop``/``start`` simulate an outage; its log is kept so a
    scenario can count deadlocks."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "pgdata"
        self.log = root / "postgres.log"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/helpdesk"

    def init(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            os.chmod(self.root, 0o755)
        subprocess.run(
            _as_pg_owner([_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
             "--no-sync", "-E", "UTF8", "--locale=C.UTF-8"]),
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        )  # fmt: skip
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root}'\nmax_connections = 200\n"
                "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                "shared_buffers = 64MB\nlog_lock_waits = on\ndeadlock_timeout = 200ms\n"
                "log_min_messages = warning\nlog_min_error_statement = error\n"
            )
        self.start()
        subprocess.run(
            [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "helpdesk"],
            check=True,
        )  # fmt: skip

    def start(self) -> None:
        # Every process of the world runs in a session of its own: a Ctrl-C at the terminal
        # reaches the test run or the soak (which then stops them in order), not PostgreSQL,
        # Redis and the servers behind its back.
        subprocess.run(
            _as_pg_owner([_pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w",
                          "-t", "30", "start"]),
            check=True, stdout=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip

    def stop(self) -> None:
        subprocess.run(
            _as_pg_owner([_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "-t",
                          "30", "stop"]),
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip

    def deadlocks(self) -> int:
        """Deadlocks PostgreSQL has logged since the cluster started."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return len(re.findall(r"ERROR:\s+deadlock detected", text))

    def sql(self, statement: str) -> str:
        return subprocess.run(
            [_pg_bin("psql") if shutil.which("psql") is None else "psql", "-h", "127.0.0.1",
             "-p", str(self.port), "-U", "postgres", "-d", "helpdesk", "-tAc", statement],
            check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip


class Redis:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        import redis

        deadline = time.monotonic() + 15
        while True:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start") from None
                time.sleep(0.05)

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


class Process:
    """A server or worker process with its output in a log file (never a pipe)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.argv, self.env, self.log_path = name, argv, env, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(15)
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()

    def kill_tree(self) -> None:
        """``kill -9`` the process and its children at once (a lost machine or container)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        children = subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True
        ).stdout.split()
        for pid in [self.proc.pid, *map(int, children)]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.proc.wait()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


class Stack:
    """PostgreSQL, Redis, two ASGI servers (``bases``) and an optional Celery worker."""

    def __init__(self, root: Path, *, servers: int = 2, worker: bool = False,
                 extra_env: dict[str, str] | None = None,
                 server_command: list[str] | None = None) -> None:  # fmt: skip
        self.root = root
        self.pg = Postgres(root)
        self.redis = Redis()
        self.servers: list[Process] = []
        self.bases: list[str] = []
        self.worker: Process | None = None
        self.beats: list[Process] = []
        self.n_servers = servers
        self.want_worker = worker
        self.extra_env = extra_env or {}
        # What runs uvicorn (bench/soak.py --trace wraps it to take memory snapshots).
        self.server_command = server_command or [sys.executable, "-m", "uvicorn"]

    def env(self) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_URL", "REDIS_URL", "HELPDESK_", "CELERY_"))
        }
        env.update(
            DATABASE_URL=self.pg.url,
            REDIS_URL=self.redis.url,
            DJANGO_SETTINGS_MODULE="helpdesk.settings",
            SECRET_KEY="fault-suite-secret-key-not-for-production-0123456789",
            STOREFRONT_IDENTITY_SECRET="fault-suite-storefront-secret",
            SECURE_SSL_REDIRECT="0",
            SECURE_COOKIES="0",
            HELPDESK_BOT_ENABLED="0",
            MEDIA_ROOT=str(self.root / "media"),
            # A contract-following client resends on rate_limited; the scenarios measure
            # faults, not the rate limit.
            HELPDESK_RATE_PER_SECOND="200",
            HELPDESK_RATE_BURST="400",
        )
        env.update(self.extra_env)
        return env

    def start(self) -> None:
        self.pg.init()
        self.redis.start()
        env = self.env()
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        for index in range(self.n_servers):
            port = free_port()
            server = Process(
                f"server{index}",
                [*self.server_command, "helpdesk.asgi:application", *UVICORN_FLAGS,
                 "--host", "127.0.0.1", "--port", str(port)],
                env, self.root / f"server{index}.log",
            )  # fmt: skip
            server.start()
            self.servers.append(server)
            self.bases.append(f"http://127.0.0.1:{port}")
        for base in self.bases:
            wait_http(base + "/api/schema/", timeout=60)
        if self.want_worker:
            self.start_worker()

    def start_worker(self, loglevel: str = "WARNING", pool: str = "solo") -> None:
        """Start (or start again, after a kill) the Celery worker; its log is appended to.
        ``pool="prefork"`` runs production's pool with one child process."""
        self.worker = Process(
            "worker",
            [sys.executable, "-m", "celery", "-A", "helpdesk", "worker", f"--pool={pool}",
             *(["--concurrency=1"] if pool == "prefork" else []),
             "--without-mingle", "--without-gossip", f"--loglevel={loglevel}", "-n",
             "faults@%h"],
            {**self.env(), "CELERY_EAGER": "0", "PYTHONUNBUFFERED": "1"},
            self.root / "worker.log",
        )  # fmt: skip
        self.worker.start()

    def start_beat(self, name: str, settings_module: str = "helpdesk.settings") -> Process:
        """A production ``celery beat``, its schedule file in the world's directory."""
        beat = Process(
            name,
            [sys.executable, "-m", "celery", "-A", "helpdesk", "beat", "--loglevel=INFO",
             "--schedule", str(self.root / f"{name}-schedule")],
            {**self.env(), "CELERY_EAGER": "0", "DJANGO_SETTINGS_MODULE": settings_module,
             "PYTHONUNBUFFERED": "1"},  # its log is read while it runs
            self.root / f"{name}.log",
        )  # fmt: skip
        beat.start()
        self.beats.append(beat)
        return beat

    def restart_server(self, index: int) -> None:
        server = self.servers[index]
        server.kill()
        server.start()
        wait_http(self.bases[index] + "/api/schema/", timeout=60)

    def stop(self) -> None:
        for proc in [*self.servers, *self.beats, *([self.worker] if self.worker else [])]:
            proc.kill(signal.SIGTERM)
        self.redis.kill()
        with contextlib.suppress(Exception):
            self.pg.stop()

    def tracebacks(self) -> dict[str, int]:
        return {p.name: p.log().count("Traceback") for p in self.servers}


@contextlib.contextmanager
def stack(**kwargs: Any) -> Iterator[Stack]:
    root = Path(tempfile.mkdtemp(prefix="helpdesk-faults-"))
    world = Stack(root, **kwargs)
    try:
        world.start()
        yield world
    finally:
        world.stop()
        if os.environ.get("HELPDESK_FAULTS_KEEP"):
            print(f"fault suite files kept in {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def report(scenario: str, **figures: object) -> None:
    """One line per scenario with the figures the issue asks for (``-s`` shows them)."""
    print(f"\n[faults] {scenario}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))


def bound(spec_seconds: float) -> float:
    """A time bound for a loaded 2-core box: three times the issue's figure, unless
    ``HELPDESK_FAULTS_STRICT=1`` asks for the figure itself. Every scenario reports what it
    measured, so a slow recovery shows in the output long before it fails the bound."""
    return spec_seconds if os.environ.get("HELPDESK_FAULTS_STRICT") == "1" else 3 * spec_seconds
