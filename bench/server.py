"""The server side of the load test: start Daphne, prepare data, log in, sample resources."""

from __future__ import annotations

import asyncio
import contextlib
import http.cookiejar
import json
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent

LAYERS = {
    # The production layer: channels_redis' pub/sub layer's subclass (helpdesk/redis_layer.py).
    "pubsub": "helpdesk.redis_layer.DeskPubSubChannelLayer",
    "redis-pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
    "core": "channels_redis.core.RedisChannelLayer",
}


APPS = {"desk": "helpdesk.asgi:application", "skeleton": "bench.skeleton.app:application"}


def isolate_namespace(environ: MutableMapping[str, str]) -> str:
    """Give this run its own channel-layer and cache prefixes unless the caller chose them.

    Redis pub/sub channels are not per database: every desk process on the same Redis server
    with the same ``CHANNEL_PREFIX`` (the default ``helpdesk``: a test run's servers, a demo
    desk, another bench) shares the bench's groups. Its agents then receive the others' list
    updates and its servers publish into theirs, and the CPU per message rises with whatever
    else happens to run: two benches overlapping on one Redis measured 6.9 and 7.1 ms per
    message against 5.2-5.7 alone, with foreign ``conversation.created`` frames in the counts
    (docs/performance.md). Returns the channel prefix used."""
    tag = f"bench-{os.getpid()}"
    environ.setdefault("CHANNEL_PREFIX", tag)
    environ.setdefault("CACHE_PREFIX", tag)
    return environ["CHANNEL_PREFIX"]


def server_env(layer: str, rate_limit: float, app: str = "desk") -> dict[str, str]:
    """The bench server's environment: production settings from the caller's environment, the
    chosen channel layer, and a per-socket rate limit high enough for agent sockets that
    subscribe to many conversations at once."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = (
        "helpdesk.settings" if app == "desk" else "bench.skeleton.settings"
    )
    env["CHANNEL_LAYER_BACKEND"] = LAYERS[layer]
    env["HELPDESK_RATE_PER_SECOND"] = str(rate_limit)
    env["HELPDESK_RATE_BURST"] = str(int(max(rate_limit, 30)))
    # The production default (helpdesk/db_threads.py) unless BENCH_DB_THREADS says otherwise
    # (0: Channels' one thread per process, as before).
    if "BENCH_DB_THREADS" in os.environ:
        env["HELPDESK_DB_THREADS"] = os.environ["BENCH_DB_THREADS"]
    env.setdefault("SECURE_SSL_REDIRECT", "0")
    env.setdefault("SECURE_COOKIES", "0")
    env.setdefault("LOG_LEVEL", "WARNING")
    return env


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def find_server_pid(base: str) -> int | None:
    """The pid listening on the URL's port, if it runs as this user."""
    port = urllib.parse.urlparse(base).port
    for conn in psutil.net_connections(kind="tcp"):
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
            return conn.pid
    return None


# --- data ---------------------------------------------------------------------------------


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    import django

    django.setup()


def ensure_agents(count: int, password: str) -> list[str]:
    """``count`` bench agents (created through the real service)."""
    from django.contrib.auth import get_user_model

    from chat.services import agent_create

    names = [f"bench-agent-{i}" for i in range(count)]
    existing = set(
        get_user_model().objects.filter(username__in=names).values_list("username", flat=True)
    )
    for name in names:
        if name not in existing:
            agent_create(username=name, password=password, capacity=10_000)
    return names


def stored_ids(prefix: str) -> set[str]:
    """client_ids of this run's messages that PostgreSQL holds."""
    from chat.models import Message

    return set(
        Message.objects.filter(client_id__startswith=prefix).values_list("client_id", flat=True)
    )


def skeleton_stored_ids(prefix: str) -> set[str]:
    """client_ids of this run's messages in the skeleton's table."""
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        rows = conn.execute(
            "SELECT client_id FROM skel_message WHERE client_id LIKE %s", (prefix + "%",)
        ).fetchall()
    return {row[0] for row in rows}


def run_loop(coro: Any) -> Any:
    """Run the load generator's loop on uvloop when it is installed (cheaper per socket)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def raise_fd_limit() -> None:
    """Thousands of sockets need as many file descriptors as the hard limit allows."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def login(base: str, username: str, password: str) -> str:
    """Log in through the login form (``/accounts/login/``, falling back to the admin's form,
    which sets the same session) and return the session cookie."""
    for path in ("/accounts/login/", "/admin/login/"):
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        try:
            html = opener.open(base + path, timeout=10).read().decode()
        except urllib.error.HTTPError:
            continue
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not match:
            continue
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": match.group(1), "username": username, "password": password}
        ).encode()
        request = urllib.request.Request(
            base + path, data=data, headers={"Referer": base + path, "Origin": base}
        )
        # The redirect target may answer an error; the cookie is what counts.
        with contextlib.suppress(urllib.error.HTTPError):
            opener.open(request, timeout=10).read()
        cookies = {c.name: c.value for c in jar}
        if "sessionid" in cookies:
            return cookies["sessionid"]
    raise RuntimeError(f"could not log in {username} at {base}")


def widget_session(base: str) -> str:
    request = urllib.request.Request(
        base + "/api/widget/session",
        data=json.dumps({"page": {"url": base + "/", "title": "bench"}}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=20) as response:
        return str(json.loads(response.read())["visitor_token"])


# --- resources ----------------------------------------------------------------------------


def _remote_ports(proc: psutil.Process) -> dict[int, int]:
    counts: dict[int, int] = {}
    try:
        for conn in proc.net_connections(kind="tcp"):
            if conn.raddr and conn.status == psutil.CONN_ESTABLISHED:
                counts[conn.raddr.port] = counts.get(conn.raddr.port, 0) + 1
    except (psutil.Error, OSError):
        pass
    return counts


@dataclass
class Sampler:
    """Samples the servers' RSS and CPU (summed over the processes), and the load generator's
    own CPU, in a thread."""

    pids: list[int]
    interval: float = 0.5
    rss: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    own_cpu: list[float] = field(default_factory=list)
    loadavg: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        # Servers that fork workers (granian) are measured with their children.
        self.procs = []
        for pid in self.pids:
            proc = psutil.Process(pid)
            self.procs += [proc, *proc.children(recursive=True)]
        self.me = psutil.Process()
        self.cpu_start: tuple[float, float] | None = None
        self.cpu_end: tuple[float, float] | None = None

    def start(self) -> None:
        for proc in self.procs:
            proc.cpu_percent(None)
        self.cpu_start = self._cpu_seconds()
        self.me.cpu_percent(None)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.cpu_end = self._cpu_seconds()

    def _cpu_seconds(self) -> tuple[float, float] | None:
        try:
            times = [proc.cpu_times() for proc in self.procs]
        except psutil.Error:
            return None
        if not times:
            return None
        return sum(t.user for t in times), sum(t.system for t in times)

    def cpu_seconds(self, part: str = "both") -> float | None:
        """The servers' CPU time between start and stop: ``user``, ``system`` or both."""
        start, end = self.cpu_start, self.cpu_end
        if start is None or end is None:
            return None
        user, system = end[0] - start[0], end[1] - start[1]
        return {"user": user, "system": system}.get(part, user + system)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.own_cpu.append(self.me.cpu_percent(None))
            self.loadavg.append(os.getloadavg()[0])
            if not self.procs:
                continue
            try:
                self.rss.append(sum(proc.memory_info().rss for proc in self.procs))
                self.cpu.append(sum(proc.cpu_percent(None) for proc in self.procs))
            except psutil.Error:
                self.procs = []

    def cpu_now(self) -> float | None:
        """The servers' CPU seconds so far (user + system)."""
        times = self._cpu_seconds()
        return None if times is None else times[0] + times[1]

    def rss_now(self) -> int | None:
        try:
            return sum(proc.memory_info().rss for proc in self.procs) if self.procs else None
        except psutil.Error:
            return None

    def connections(self, redis_port: int, pg_port: int) -> dict[str, int | None]:
        if not self.procs:
            return {"redis": None, "postgres": None}
        redis_count = pg_count = 0
        try:
            for proc in self.procs:
                ports = _remote_ports(proc)
                redis_count += ports.get(redis_port, 0)
                pg_count += ports.get(pg_port, 0)
        except psutil.Error:
            return {"redis": None, "postgres": None}
        return {"redis": redis_count, "postgres": pg_count}


def redis_clients(url: str) -> int | None:
    import redis

    try:
        client = redis.Redis.from_url(url)
        try:
            return int(client.info("clients")["connected_clients"])
        finally:
            client.close()
    except Exception:
        return None


def describe_machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": psutil.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": sys.version.split()[0],
    }
