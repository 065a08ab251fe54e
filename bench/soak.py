"""Soak: shoppers connecting and leaving for a long time at a steady message rate, agents
working the queue, watching what grows. A benchmark, not a test (docs/performance.md has the
figures and the commands).

It starts the fault suite's own world (tests/faults/stack.py: a throw-away PostgreSQL cluster,
a redis-server, two uvicorn servers and a Celery worker in production settings), then for
``--minutes`` keeps ``--sockets`` shopper sockets open across both servers, replacing
``--churn`` of them a second (each new one a new shopper: a widget session, a socket), and
sends ``--rate`` shopper messages a second from the open ones. ``--agents`` agents (workspace
sockets) answer every conversation assigned to them once and resolve it through REST, so the
desk reaches a steady state instead of a queue that only grows.

Every ``--sample`` seconds it prints each process's RSS and open file descriptors (both
servers, the worker, Redis), the send-to-ack latency (p50, p95) of the messages acked since the
last sample, Redis ``connected_clients`` and memory, PostgreSQL's connections, the conversations not
resolved, and the client's own event-loop lag: the client shares the box's cores, and a client
that starves offers less than asked (the summary gives the rate actually sent). At the end it
checks every acked message is stored (lost) and prints the drift after the warm-up: each
process's RSS and descriptors, first sample to last, and the ack latency of the first third of
the samples against the last third. ``--arena-max 2`` runs the servers and the worker with ``MALLOC_ARENA_MAX=2``, to tell
glibc's per-thread arenas from growth of the desk's own. Ctrl-C (or SIGTERM) stops it early:
it settles, stops the world and prints what it measured; a second Ctrl-C quits at once.

    python bench/soak.py --issue     # the issue's: 30 min, 2,000 sockets, 50 msg/s, churn 5/s
    python bench/soak.py --minutes 30 --sockets 200 --rate 20 --churn 1 --agents 4
    python bench/soak.py --minutes 30 --sockets 200 --rate 20 --churn 1 --agents 4 --arena-max 2

``--trace`` runs the servers under ``tracemalloc`` (slower, more memory: not for the RSS
figure) and takes a snapshot of each after the warm-up, at the end with the sockets still
open, and once every socket has closed; it prints what grew between them, by allocation site
and by the type of the live objects, so a leak names its line (per-socket state never freed,
a cache without bounds, channel-layer groups).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults.clients import Shopper, agent_cookie, widget_session  # noqa: E402
from tests.faults.stack import Stack, stack  # noqa: E402

SNAPSHOTS = "SOAK_SNAPSHOTS"


def traced_server() -> None:
    """uvicorn (its arguments in ``sys.argv``) ready for ``tracemalloc``. The first SIGUSR2
    starts tracing (after the warm-up: tracing the start-up would slow it past the stack's
    start timeout on a loaded box); each later one writes a snapshot. Every SIGUSR2 also writes
    the live objects' counts by type. Files: ``$SOAK_SNAPSHOTS/<pid>-<n>.*``."""
    import gc
    import tracemalloc

    out = Path(os.environ[SNAPSHOTS])
    taken = 0

    def dump(signum: int, frame: object) -> None:
        nonlocal taken
        taken += 1
        stem = out / f"{os.getpid()}-{taken}"
        gc.collect()
        if tracemalloc.is_tracing():
            tracemalloc.take_snapshot().dump(f"{stem}.snap")
        else:
            tracemalloc.start(int(os.environ.get("SOAK_TRACE_FRAMES", "8")))
        counts = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in gc.get_objects())
        Path(f"{stem}.types.json").write_text(json.dumps(dict(counts.most_common(600))))
        Path(f"{stem}.done").touch()

    signal.signal(signal.SIGUSR2, dump)
    from uvicorn.main import main as uvicorn_main

    sys.argv = ["uvicorn", *sys.argv[1:]]
    uvicorn_main()


async def snapshot(world: Stack, number: int, timeout: float = 300) -> list[Path]:
    """Send every server SIGUSR2 number ``number``; the stems of the files it wrote."""
    out = Path(os.environ[SNAPSHOTS])
    stems = [out / f"{server.pid}-{number}" for server in world.servers]
    for server in world.servers:
        os.kill(server.pid, signal.SIGUSR2)
    deadline = time.monotonic() + timeout
    while not all(Path(f"{stem}.done").exists() for stem in stems):
        if time.monotonic() > deadline:
            raise TimeoutError("no snapshot from a server")
        await asyncio.sleep(0.5)
    return stems


def compare(label: str, start: Path, after: Path, top: int = 15) -> None:
    """What is alive at ``after`` of what was allocated since tracing started at ``start``, by
    allocation site; then the live objects whose count grew, by type."""
    import tracemalloc

    snap = tracemalloc.Snapshot.load(f"{after}.snap").filter_traces(
        [
            tracemalloc.Filter(False, tracemalloc.__file__),
            tracemalloc.Filter(False, "<frozen importlib._bootstrap*>"),
            tracemalloc.Filter(False, "<unknown>"),
        ]
    )
    stats = snap.statistics("traceback")
    total = sum(stat.size for stat in stats)
    print(f"\n== {label}: {total / 2**20:.2f} MiB allocated since the warm-up still alive")
    for stat in stats[:top]:
        print(f"{stat.size / 1024:9.1f} KiB {stat.count:7d} blocks")
        for line in stat.traceback.format(limit=5, most_recent_first=True):
            if line.strip():
                print("      " + line.strip())
    types_old = json.loads(Path(f"{start}.types.json").read_text())
    types_new = json.loads(Path(f"{after}.types.json").read_text())
    grown = sorted(((n - types_old.get(k, 0), k) for k, n in types_new.items()), reverse=True)
    print("   live objects grown: " + ", ".join(f"{k} {d:+d}" for d, k in grown[:top] if d > 0))


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:  # the process is gone
        pass
    return 0.0


def fd_count(pid: int) -> int:
    """Open file descriptors of a process (sockets, pipes, files): 0 once it is gone."""
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def ack_latencies(shoppers: list[Shopper], since: float, until: float) -> list[float]:
    """Seconds from first send to ack of the messages acked in ``(since, until]``."""
    out = []
    for shopper in shoppers:
        stats = shopper.stats
        for client_id, at in stats.acked_at.items():
            if since < at <= until and client_id in stats.sent_at:
                out.append(at - stats.sent_at[client_id])
    return out


def redis_info(world: Stack) -> tuple[int, float, int, int, dict[str, int]]:
    """Redis ``connected_clients``, ``used_memory`` (MB), its keys, the tasks waiting in
    Celery's queue (a worker that falls behind shows there first) and those tasks by name."""
    import redis

    client = redis.Redis.from_url(world.redis.url)
    by_task: Counter[str] = Counter()
    for raw in client.lrange("celery", 0, -1):
        try:
            by_task[json.loads(raw)["headers"]["task"]] += 1
        except (ValueError, KeyError, TypeError):
            by_task["?"] += 1
    return (
        int(client.info("clients")["connected_clients"]),
        int(client.info("memory")["used_memory"]) / 2**20,
        int(client.dbsize()),
        int(client.llen("celery")),
        dict(by_task.most_common()),
    )


def pg_counts(world: Stack) -> tuple[int, int, int]:
    """PostgreSQL connections to the desk's database, conversations not resolved, and the
    tasks written down and not run yet (``helpdesk.pending``)."""
    row = world.pg.sql(
        "select (select count(*) from pg_stat_activity where datname = 'helpdesk'), "
        "(select count(*) from chat_conversation where status <> 'resolved'), "
        "(select count(*) from helpdesk_pendingtask)"
    )
    connections, unresolved, pending = row.split("|")
    return int(connections), int(unresolved), int(pending)


class DeskAgent(Shopper):
    """An agent who works the queue, as a person at the desk would: every conversation
    assigned to them (``conversation.assigned``, or found open in their list after a
    (re)connect or a ``resync``) gets one reply over the socket (an outbox with the contract's
    rules), then is resolved through REST, so open conversations stay bounded instead of
    piling up in a queue nobody serves. Only the agent's own open list is watched
    (``list.watch``), not every conversation's update."""

    path = "/ws/agent/"

    def __init__(self, bases: list[str], cookie: str, name: str, think: float) -> None:
        super().__init__(bases, "", name)
        self.cookie = cookie
        match = re.search(r"csrftoken=([^;]+)", cookie)
        assert match, "no CSRF cookie"
        self.csrf = match[1]
        self.think = think
        self.conversation_of: dict[str, int] = {}  # client_id -> conversation
        self.working: set[int] = set()
        self.resolved = 0
        self.handled_s: list[float] = []
        self.failures: Counter[str] = Counter()
        self.jobs: set[asyncio.Future[None]] = set()

    def _headers(self, base: str) -> dict[str, str]:
        return {"Origin": base, "Cookie": self.cookie}

    def _auth_frame(self) -> dict[str, Any] | None:
        return None

    def _on_ready(self, ready: dict[str, Any]) -> None:
        pass

    def spawn(self, job: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(job)
        self.jobs.add(task)
        task.add_done_callback(self.jobs.discard)

    async def _heal(self) -> None:
        ws = self.ws
        if ws is not None:
            watch = {"type": "list.watch", "view": "mine", "status": "open", "ids": []}
            await ws.send(json.dumps(watch))
            self.spawn(self._beat(ws))
        self.spawn(self.sweep())

    async def _beat(self, ws: ClientConnection) -> None:
        """Ping every 20 s as the workspace does (every ~25 s): the ping is presence's
        heartbeat, and an agent whose socket has not beaten for 75 s is no longer available
        for new conversations (docs/routing.md)."""
        while self.ws is ws and not self.stopping:
            await asyncio.sleep(20)
            with contextlib.suppress(ConnectionClosed):
                await ws.send(json.dumps({"type": "ping"}))

    async def _send_frame(self, client_id: str, body: str) -> None:
        if self.ws is None:
            return
        frame = {
            "type": "message.send",
            "client_id": client_id,
            "body": body,
            "conversation": self.conversation_of[client_id],
        }
        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(json.dumps(frame))

    async def _on_frame(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "conversation.assigned":
            self.spawn(self.work(int(frame["conversation"]["id"])))
        elif kind == "message.ack":
            client_id = frame["client_id"]
            self.stats.acked[client_id] = frame["message"]
            self.outbox.pop(client_id, None)
            future = self._acks.pop(client_id, None)
            if future is not None and not future.done():
                future.set_result(frame["message"])
        elif kind == "error":
            await super()._on_frame(frame)  # resend on unavailable, drop on a final refusal
        elif kind == "resync":
            self.stats.resyncs += 1
            self.spawn(self.sweep())

    def rest(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        base = self.bases[self.base_index % len(self.bases)]
        request = urllib.request.Request(
            base + path,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Cookie": self.cookie, "X-CSRFToken": self.csrf, "Referer": base + "/",
                     "Content-Type": "application/json"},
            method=method,
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, None
        except OSError as exc:
            return 0, str(exc)

    async def sweep(self) -> None:
        """Pick up every open conversation of this agent's that nobody is working on."""
        status, data = await asyncio.to_thread(
            self.rest, "GET", "/api/v1/conversations/?view=mine&status=open&limit=100"
        )
        if status != 200:
            self.failures[f"list:{status}"] += 1
            return
        for item in data.get("results", []):
            if int(item["id"]) not in self.working:
                self.spawn(self.work(int(item["id"])))

    async def work(self, conversation: int) -> None:
        if conversation in self.working or self.stopping:
            return
        self.working.add(conversation)
        started = time.monotonic()
        try:
            await asyncio.sleep(random.uniform(0.5, 1.5) * self.think)
            self._counter += 1
            client_id = f"{self.name}-{self._counter}"
            self.conversation_of[client_id] = conversation
            self.outbox[client_id] = "Thanks for writing, all sorted now."
            self.stats.sent_at[client_id] = time.monotonic()
            future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
            self._acks[client_id] = future
            await self._send_frame(client_id, self.outbox[client_id])
            await asyncio.wait_for(future, 60)
            await asyncio.sleep(random.uniform(0.5, 1.5) * self.think)
            status, _data = await asyncio.to_thread(
                self.rest, "POST", f"/api/v1/conversations/{conversation}/status",
                {"status": "resolved"},
            )  # fmt: skip
            if status == 200:
                self.resolved += 1
                self.handled_s.append(time.monotonic() - started)
            else:
                self.failures[f"resolve:{status}"] += 1
        except (TimeoutError, AssertionError) as exc:
            self.failures[type(exc).__name__] += 1
        finally:
            self.working.discard(conversation)

    async def stop(self) -> None:
        self.stopping = True
        for job in list(self.jobs):
            job.cancel()
        await asyncio.gather(*self.jobs, return_exceptions=True)
        await super().stop()


def pick_ready(shoppers: list[Shopper], tries: int = 32) -> Shopper | None:
    """A shopper chosen at random among the connected ones (None if none is). Drawn at random
    until one is connected, the list scanned only when that fails: scanning 2,000 shoppers for
    each of 50 sends a second was half of the client's CPU in the issue's soak (py-spy)."""
    for _ in range(tries if shoppers else 0):
        shopper = random.choice(shoppers)
        if shopper.connected.is_set():
            return shopper
    ready = [s for s in shoppers if s.connected.is_set()]
    return random.choice(ready) if ready else None


def quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def soak(world: Stack, args: argparse.Namespace) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()

    def interrupted() -> None:
        print("\nstopping: finishing up and printing what was measured "
              "(Ctrl-C again to quit at once)", flush=True)  # fmt: skip
        stop.set()
        # A second Ctrl-C raises KeyboardInterrupt; the world still stops (stack()'s finally).
        loop.remove_signal_handler(signal.SIGINT)

    loop.add_signal_handler(signal.SIGINT, interrupted)
    loop.add_signal_handler(signal.SIGTERM, interrupted)
    # The client's blocking calls (new shoppers' widget sessions, the agents' REST, the
    # samples' look-ups) run in threads. asyncio's default pool has min(32, cores + 4) of
    # them: 6 on this box, where a session's POST to a busy server takes ~1 s, so the churn's
    # 5 sessions a second and the agents' resolves queued behind each other and the client
    # held fewer and fewer of its sockets (1,140 of 2,000 at the end of the first --issue run).
    loop.set_default_executor(ThreadPoolExecutor(max_workers=args.threads))

    open_: list[Shopper] = []
    opening = 0  # widget sessions asked for and not answered yet
    session_s: list[float] = []  # seconds each new shopper's session took, since the last sample
    made_all: list[Shopper] = []  # every shopper, whatever became of it
    failed_sessions: list[int] = []
    session_failures: Counter[str] = Counter()  # why: the answer's status, or the client's error
    # (seconds since start, {process: RSS MB}, redis clients, redis MB, pg connections,
    #  unresolved conversations, open sockets, messages sent, client lag p95 and max)
    samples: list[dict[str, Any]] = []
    started = time.monotonic()
    made = 0
    background: set[asyncio.Future[Any]] = set()
    processes = {f"server{i}": p.pid for i, p in enumerate(world.servers)}
    if world.worker is not None:
        processes["worker"] = world.worker.pid
    if world.redis.proc is not None:
        processes["redis"] = world.redis.proc.pid

    # The client's own health: how late its event loop wakes up. A client that starves
    # (the box's cores busy with the servers) offers less than asked and measures nothing.
    lags: list[float] = []
    all_lags: list[float] = []

    async def watch_lag() -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.1)
            lag = time.monotonic() - before - 0.1
            lags.append(lag)
            all_lags.append(lag)

    lag_task = asyncio.ensure_future(watch_lag())

    agents: list[DeskAgent] = []
    for number in range(args.agents):
        cookie = await asyncio.to_thread(
            agent_cookie, world.bases[0], world.env(), f"soak-agent-{number}",
            capacity=args.capacity,
        )  # fmt: skip
        agent = DeskAgent(world.bases, cookie, f"agent{number}", args.think)
        agent.base_index = number  # spread across both servers
        agent.start()
        agents.append(agent)

    async def new_shopper() -> None:
        nonlocal made, opening
        made += 1
        number = made  # taken before the await: other shoppers are being made meanwhile
        base = world.bases[number % 2]
        opening += 1
        asked = time.monotonic()
        try:
            token = await widget_session(base, attempts=3)
        except (AssertionError, OSError) as exc:  # the desk too busy to open a session: counted
            failed_sessions.append(number)
            reason = (
                str(exc).split(": ")[1].split(" ")[0] if isinstance(exc, AssertionError) else ""
            )
            session_failures[f"http {reason}" if reason else type(exc).__name__] += 1
            if len(failed_sessions) <= 5 or len(failed_sessions) % 50 == 0:
                print(f"widget session {number} failed at {time.strftime('%H:%M:%S')}: "
                      f"{type(exc).__name__} {str(exc)[:160]}", flush=True)  # fmt: skip
            return
        finally:
            opening -= 1
        session_s.append(time.monotonic() - asked)
        shopper = Shopper([base], token, f"soak{number}")
        shopper.start()
        open_.append(shopper)
        made_all.append(shopper)

    async def leave() -> None:
        if open_:
            shopper = open_.pop(random.randrange(len(open_)))
            await shopper.settled(30)
            await shopper.stop()

    print(f"opening {args.sockets} sockets …", flush=True)
    for first in range(0, args.sockets, 25):
        if stop.is_set():
            break
        await asyncio.gather(*(new_shopper() for _ in range(min(25, args.sockets - first))))
    sent = 0
    skipped = 0
    idle = 0
    now = sending_since = time.monotonic()
    end = sending_since + args.minutes * 60  # ``--minutes`` of sending, after the opening
    next_sample = next_churn = next_send = next_sweep = now
    tick = 1 / args.rate

    last_sample_at = sending_since

    async def take_sample(now: float) -> None:
        nonlocal last_sample_at
        acks = ack_latencies([*made_all, *agents], last_sample_at, now)
        last_sample_at = now
        clients, redis_mb, redis_keys, queued, by_task = await asyncio.to_thread(redis_info, world)
        connections, unresolved, pending = await asyncio.to_thread(pg_counts, world)
        sample = {
            "t": round(now - started),
            # The warm-up counts from the first send, not from opening the sockets.
            "sending_s": round(now - sending_since),
            "rss": {name: round(rss_mb(pid), 1) for name, pid in processes.items()},
            "fds": {name: fd_count(pid) for name, pid in processes.items()},
            # Send-to-ack of the messages acked since the last sample (resends included).
            "acks": len(acks),
            "ack_p50_ms": round(1000 * quantile(acks, 0.5)),
            "ack_p95_ms": round(1000 * quantile(acks, 0.95)),
            "redis_clients": clients,
            "redis_mb": round(redis_mb, 1),
            "redis_keys": redis_keys,
            "celery_queue": queued,
            "queue_by_task": by_task,
            "pg_connections": connections,
            "unresolved": unresolved,
            "pending_rows": pending,
            "sockets": len(open_),
            # New shoppers whose session is under way (they replace ones that left) and the
            # p95 of a session's time since the last sample: a deficit of sockets is these.
            "opening": opening,
            "session_p95_ms": round(1000 * quantile(session_s, 0.95)),
            # Of those, how many are connected and ready (the rest are reconnecting).
            "ready": sum(1 for s in open_ if s.connected.is_set()),
            "sent": sent,
            "resolved": sum(a.resolved for a in agents),
            "lag_p95_ms": round(1000 * quantile(lags, 0.95)),
            "lag_max_ms": round(1000 * max(lags, default=0)),
        }
        lags.clear()
        session_s.clear()
        samples.append(sample)
        print(" ".join(f"{k}={v}" for k, v in sample.items()), flush=True)

    snaps: list[list[Path]] = []
    while not stop.is_set() and time.monotonic() < end:
        now = time.monotonic()
        if args.trace and not snaps and now - started >= args.warmup * 60:
            snaps.append(await snapshot(world, 1))
            print("snapshot after the warm-up", flush=True)
        if now >= next_churn:
            next_churn += 1
            for _ in range(args.churn):
                for job in (leave(), new_shopper()):
                    task = asyncio.ensure_future(job)
                    background.add(task)
                    task.add_done_callback(background.discard)
        if now >= next_sweep:  # an assignment whose frame was lost is still worked on
            next_sweep += 15
            for agent in agents:
                if agent.connected.is_set():
                    agent.spawn(agent.sweep())
        if now >= next_sample:
            next_sample += args.sample
            # In a task of its own: the Redis and PostgreSQL look-ups (a psql process) took
            # seconds on a loaded box and held up the sends' schedule meanwhile.
            sampling = asyncio.ensure_future(take_sample(now))
            background.add(sampling)
            sampling.add_done_callback(background.discard)
        if now >= next_send:
            if now - next_send > 1:  # the client fell behind: do not burst to catch up
                skipped += int((now - next_send) * args.rate)
                next_send = now
            next_send += tick
            speaker = pick_ready(open_)
            if speaker is not None:
                # Not awaited here: a socket whose server stopped reading must not hold up
                # every other send (the message waits in that shopper's outbox).
                saying = asyncio.ensure_future(speaker.say(f"soak {sent}"))
                background.add(saying)
                saying.add_done_callback(background.discard)
                sent += 1
            else:
                idle += 1  # no shopper connected: nothing to send from
        wake = min(next_send, next_sample, next_churn, next_sweep, end)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), max(0.0, wake - time.monotonic()))
    ran = time.monotonic() - started
    sending = time.monotonic() - sending_since
    settle = 10 if stop.is_set() else 60
    await asyncio.gather(*(s.settled(settle) for s in [*open_, *agents]))
    for pending in list(background):  # churn still under way (a slow session, a leave's wait)
        pending.cancel()
    await asyncio.gather(*background, return_exceptions=True)
    if args.trace and snaps:
        snaps.append(await snapshot(world, 2))
    for client in [*open_, *agents]:
        await client.stop()
    lag_task.cancel()
    if args.trace and len(snaps) == 2:
        await asyncio.sleep(15)  # the servers notice every close
        snaps.append(await snapshot(world, 3))
        for index in range(len(world.servers)):
            compare(
                f"server{index}, warm-up -> end (sockets open)", snaps[0][index], snaps[1][index]
            )
            compare(f"server{index}, warm-up -> all closed", snaps[0][index], snaps[2][index])
    summarise(world, args, samples, made_all, agents, failed_sessions, made, sent, skipped + idle,
              ran, sending, all_lags, interrupted=stop.is_set(),
              session_failures=session_failures)  # fmt: skip


def summarise(world: Stack, args: argparse.Namespace, samples: list[dict[str, Any]],
              shoppers: list[Shopper], agents: list[DeskAgent], failed_sessions: list[int],
              made: int, sent: int, skipped: int, ran: float, sending: float,
              lags: list[float], *,
              interrupted: bool, session_failures: Counter[str]) -> None:  # fmt: skip
    everyone: list[Shopper] = [*shoppers, *agents]
    acked = {c for s in everyone for c in s.stats.acked}
    errors: Counter[str] = Counter(str(e.get("code")) for s in everyone for e in s.stats.errors)
    unanswered = sum(len(s.outbox) for s in everyone)
    try:
        stored = set(world.pg.sql("select client_id from chat_message").splitlines())
        lost: int | str = len(acked - stored)
    except Exception as exc:  # the database gone too: say so, print the rest
        lost = f"unknown ({type(exc).__name__})"
    handled = [t for a in agents for t in a.handled_s]
    print(
        f"\nsoak{' (interrupted)' if interrupted else ''}: ran {ran / 60:.1f} of "
        f"{args.minutes} min; {args.sockets} shopper sockets, churn {args.churn}/s, "
        f"{args.agents} agents (capacity {args.capacity}, think {args.think} s), "
        f"MALLOC_ARENA_MAX={os.environ.get('MALLOC_ARENA_MAX', 'unset')}\n"
        f"  shoppers={made} failed_sessions={len(failed_sessions)} "
        f"{dict(session_failures)} sent={sent} "
        f"({sent / max(sending, 1):.1f}/s of {args.rate}/s asked; {skipped} skipped: the client "
        f"behind or no shopper connected) acked={len(acked)} lost={lost} unanswered={unanswered} "
        f"errors={dict(errors)}\n"
        f"  agents: resolved={sum(a.resolved for a in agents)} handled_p50_s="
        f"{quantile(handled, 0.5):.1f} handled_p95_s={quantile(handled, 0.95):.1f} "
        f"failures={dict(sum((a.failures for a in agents), Counter()))}\n"
        f"  client event-loop lag: p50 {1000 * quantile(lags, 0.5):.0f} ms, "
        f"p95 {1000 * quantile(lags, 0.95):.0f} ms, max {1000 * max(lags, default=0):.0f} ms"
    )
    if not samples:
        print("  no samples taken")
        return
    warm = [s for s in samples if s["sending_s"] >= args.warmup * 60] or samples
    print(f"  memory per process (RSS MB) from the end of the warm-up (t={warm[0]['t']} s) "
          f"to the last sample (t={warm[-1]['t']} s), {len(warm)} samples:")  # fmt: skip
    for name in warm[0]["rss"]:
        series = [s["rss"][name] for s in warm]
        first, last = series[0], series[-1]
        growth = 100 * (last - first) / first if first else 0.0
        print(f"    {name:8s} {first:7.1f} -> {last:7.1f} (max {max(series):7.1f}) "
              f"{growth:+6.1f} %")  # fmt: skip
    print("  open file descriptors per process, same samples:")
    for name in warm[0]["fds"]:
        series = [s["fds"][name] for s in warm]
        print(f"    {name:8s} {series[0]:7d} -> {series[-1]:7d} (max {max(series)})")
    print("  shared resources and the desk's state, same samples:")
    for key in ("redis_clients", "redis_mb", "redis_keys", "celery_queue", "pending_rows",
                "pg_connections", "unresolved", "sockets", "ready"):  # fmt: skip
        series = [s[key] for s in warm]
        print(f"    {key:15s} {series[0]} -> {series[-1]} (max {max(series)})")
    # Latency drift: the first and the last third of the samples after the warm-up, each
    # sample's p50 / p95 averaged weighted by its acks (a slow end shows as growth).
    third = max(1, len(warm) // 3)

    def weighted(rows: list[dict[str, Any]], key: str) -> float:
        total = sum(r["acks"] for r in rows)
        return sum(r[key] * r["acks"] for r in rows) / total if total else 0.0

    head, tail = warm[:third], warm[-third:]
    print("  send-to-ack latency drift:")
    for key in ("ack_p50_ms", "ack_p95_ms"):
        first, last = weighted(head, key), weighted(tail, key)
        growth = 100 * (last - first) / first if first else 0.0
        print(f"    {key:15s} {first:7.0f} -> {last:7.0f} ms (first vs last {third} samples, "
              f"max {max(r[key] for r in warm)}) {growth:+6.1f} %")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--sockets", type=int, default=200, help="shopper sockets kept open")
    parser.add_argument("--rate", type=float, default=20, help="shopper messages a second")
    parser.add_argument("--churn", type=int, default=1, help="sockets replaced per second")
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument("--capacity", type=int, default=25, help="open chats per agent")
    parser.add_argument("--think", type=float, default=2, help="agent's seconds per step")
    parser.add_argument("--sample", type=float, default=30, help="seconds between samples")
    parser.add_argument(
        "--warmup", type=float, default=2, help="minutes of sending before RSS counts"
    )
    parser.add_argument(
        "--arena-max",
        type=int,
        default=0,
        help="MALLOC_ARENA_MAX for the servers and the worker (0: unset)",
    )
    parser.add_argument("--trace", action="store_true", help="tracemalloc snapshots (slower)")
    parser.add_argument(
        "--threads", type=int, default=64, help="the client's threads for its blocking calls"
    )
    parser.add_argument(
        "--issue",
        action="store_true",
        help="the issue's soak: 30 min, 2,000 sockets, 50 msg/s, churn 5/s, 8 agents "
        "(overrides those five options)",
    )
    args = parser.parse_args()
    if args.issue:
        args.minutes, args.sockets, args.rate, args.churn, args.agents = 30, 2000, 50, 5, 8
    # The world's processes inherit this environment (tests/faults/stack.py).
    if args.arena_max:
        os.environ["MALLOC_ARENA_MAX"] = str(args.arena_max)
    else:
        os.environ.pop("MALLOC_ARENA_MAX", None)
    command = None
    if args.trace:
        os.environ[SNAPSHOTS] = tempfile.mkdtemp(prefix="soak-snapshots-")
        command = [sys.executable, "-c", "from bench.soak import traced_server; traced_server()"]
        print(f"snapshots in {os.environ[SNAPSHOTS]}", flush=True)
    with stack(worker=True, server_command=command) as world:
        asyncio.run(soak(world, args))


if __name__ == "__main__":
    main()
