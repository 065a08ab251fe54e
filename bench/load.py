"""Load generator for the desk: shoppers send at a fixed offered rate, agents receive.

Runs against a Daphne on PostgreSQL + Redis (production settings). Without ``--url`` it starts
Daphne itself with the chosen channel layer; with ``--url`` it drives a server that is already
running (that server must share this process's DATABASE_URL, and its per-socket rate limit
must allow an agent socket to subscribe to its conversations at once: HELPDESK_RATE_PER_SECOND
and HELPDESK_RATE_BURST).

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/helpdesk_bench \\
    REDIS_URL=redis://127.0.0.1:6379/3 SECRET_KEY=... STOREFRONT_IDENTITY_SECRET=... \\
    SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 \\
    python bench/load.py --conversations 200 --rate 100 --duration 30 --agents 10 --layer pubsub

Open loop: message k is scheduled at ``start + k / rate`` whatever happened before, and its
body carries that time; latency is measured from the schedule to the agent socket's receipt
of ``message.created``. At the end it counts sent, acked, delivered and stored (rows in
PostgreSQL) and prints the server's RSS and its Redis / PostgreSQL connections.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import secrets
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import server
from bench.clients import Agent, Shopper, Stats
from bench.lean import IdleStats, open_many, page_views
from tests.procs import PRODUCTION_SERVER, SERVERS, asgi_process

AGENT_PASSWORD = "bench-agent-password-" + "0" * 8


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered) + 0.4999999))
    return ordered[min(rank, len(ordered)) - 1]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def latency_summary(values: list[float]) -> dict[str, float | None]:
    return {
        "p50_ms": ms(percentile(values, 50)),
        "p90_ms": ms(percentile(values, 90)),
        "p99_ms": ms(percentile(values, 99)),
        "max_ms": ms(max(values) if values else None),
    }


class _GcPauses:
    """The load generator's garbage-collection pauses while it is timing (gc.callbacks)."""

    def __init__(self) -> None:
        self.count = 0
        self.max_ms = 0.0
        self._start = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
            return
        self.count += 1
        self.max_ms = max(self.max_ms, (time.perf_counter() - self._start) * 1000)

    def stop(self) -> None:
        if self._callback in gc.callbacks:
            gc.callbacks.remove(self._callback)

    def summary(self) -> dict[str, float]:
        return {"collections": self.count, "max_ms": round(self.max_ms, 1)}


async def _gather_chunked(coros: list[Any], size: int = 50) -> list[Any]:
    out: list[Any] = []
    for i in range(0, len(coros), size):
        out.extend(await asyncio.gather(*coros[i : i + size]))
    return out


async def drive(
    args: argparse.Namespace,
    bases: list[str],
    tokens: list[str],
    sessions: list[str],
    prefix: str,
    sampler: server.Sampler,
) -> tuple[Stats, dict[str, Any]]:
    stats = Stats()

    def ws(base: str) -> str:
        return base.replace("http://", "ws://").replace("https://", "wss://")

    idle_stats = IdleStats()
    idle_sockets: list[Any] = []
    idle: dict[str, Any] = {}
    http_views: dict[str, Any] = {}
    if args.page_views:
        # The alternative to a socket per page view: the session POST and the page report
        # over plain HTTP, nothing held afterwards.
        cpu0, rss0 = sampler.cpu_now(), sampler.rss_now()
        done, failed, seconds = await page_views(
            bases[0], args.page_views, concurrency=args.idle_concurrency
        )
        cpu1, rss1 = sampler.cpu_now(), sampler.rss_now()
        http_views = {
            "requested": args.page_views,
            "done": done,
            "failed": failed,
            "per_s": round(done / seconds, 1) if seconds else None,
            "server_cpu_ms_per_view": (
                round((cpu1 - cpu0) * 1000 / done, 2)
                if done and cpu0 is not None and cpu1 is not None
                else None
            ),
            "rss_growth_mb": round((rss1 - rss0) / 2**20, 1) if rss0 and rss1 else None,
        }
        print(f"page views over HTTP: {http_views}", flush=True)
    if args.idle:
        # Page views first, as a storefront's traffic is: every one a session POST and an
        # authenticated socket that then stays idle (spread over the processes).
        rss_before = sampler.rss_now()
        cpu_before = sampler.cpu_now()
        own_before = time.process_time()
        per_base = [
            args.idle // len(bases) + (i < args.idle % len(bases)) for i in range(len(bases))
        ]
        opened = await asyncio.gather(
            *(
                open_many(base, n, idle_stats, concurrency=args.idle_concurrency)
                for base, n in zip(bases, per_base, strict=True)
            )
        )
        open_s = max(seconds for _s, seconds in opened)
        for sockets, _seconds in opened:
            idle_sockets.extend(sockets)
        cpu_opened = sampler.cpu_now()
        own_opened = time.process_time()
        await asyncio.sleep(3)  # let the server settle its buffers
        rss_open = sampler.rss_now()
        # The servers' CPU while every socket is open and nothing is said: the cost of idle
        # sockets alone (keepalive pings, timers, any walk over the connections).
        watch_cpu0 = sampler.cpu_now()
        await asyncio.sleep(args.idle_watch)
        watch_cpu1 = sampler.cpu_now()
        idle = {
            "requested": args.idle,
            "opened": idle_stats.opened,
            "failed": idle_stats.failed,
            "errors": dict(idle_stats.errors),
            "error_samples": dict(idle_stats.error_samples),
            "open_seconds": round(open_s, 2),
            "opened_per_s": round(idle_stats.opened / open_s, 1) if open_s else None,
            "open_latency": latency_summary(idle_stats.open_seconds),
            "server_cpu_ms_per_open": (
                round((cpu_opened - cpu_before) * 1000 / idle_stats.opened, 2)
                if idle_stats.opened and cpu_opened is not None and cpu_before is not None
                else None
            ),
            "loadgen_cpu_ms_per_open": (
                round((own_opened - own_before) * 1000 / idle_stats.opened, 2)
                if idle_stats.opened
                else None
            ),
            "rss_before_mb": round(rss_before / 2**20, 1) if rss_before else None,
            "rss_open_mb": round(rss_open / 2**20, 1) if rss_open else None,
            "kib_per_socket": (
                round((rss_open - rss_before) / 1024 / idle_stats.opened, 1)
                if rss_open and rss_before and idle_stats.opened
                else None
            ),
            "idle_cpu_pct": (
                round(100 * (watch_cpu1 - watch_cpu0) / args.idle_watch, 1)
                if watch_cpu1 is not None and watch_cpu0 is not None
                else None
            ),
        }
        print(f"idle sockets: {idle}", flush=True)

    # Behind a proxy, sockets spread over the processes: shopper i and agent i on process
    # i mod N (a shopper and the agent watching it are often on different processes).
    shoppers = [Shopper(i, token, stats) for i, token in enumerate(tokens)]
    await _gather_chunked(
        [s.connect(ws(bases[s.index % len(bases)]), bases[s.index % len(bases)]) for s in shoppers]
    )
    await _gather_chunked([s.open_conversation(f"{prefix}o{s.index}") for s in shoppers])
    agents = [Agent(i, session, prefix + "m", stats) for i, session in enumerate(sessions)]
    await asyncio.gather(
        *(a.connect(ws(bases[a.index % len(bases)]), bases[a.index % len(bases)]) for a in agents)
    )
    # Each conversation is watched by one agent; every agent also gets the list updates.
    await asyncio.gather(
        *(
            a.subscribe(
                {s.conversation: 1 for s in shoppers if s.index % len(agents) == a.index},  # type: ignore[misc]
                args.agent_view,
                args.list_batch,
            )
            for a in agents
        )
    )
    stats.frames.clear()
    stats.errors.clear()
    for s in shoppers:
        s.start()

    total = int(args.rate * args.duration)
    # The load generator's own collector must not pause inside the window it times: with
    # thousands of idle sockets its heap holds ~200k objects, and one full collection took
    # 150-250 ms (measured with gc.callbacks), which lands on every message in flight. So
    # what exists now is frozen out of collection, and the window's pauses are counted.
    gc.collect()
    gc.freeze()
    pauses = _GcPauses()
    print(f"sending {total} messages at {args.rate}/s", flush=True)
    sampler.start()
    t0 = time.time() + 0.2
    for k in range(total):
        sched = t0 + k / args.rate
        delay = sched - time.time()
        if delay > 0:
            await asyncio.sleep(delay)
        shoppers[k % len(shoppers)].queue.put_nowait((f"{prefix}m{k}", sched))
    send_end = time.time()
    deadline = send_end + args.drain
    while time.time() < deadline:
        if len(stats.delivered) >= total and len(stats.acked) >= total:
            break
        await asyncio.sleep(0.05)
    drained = time.time()
    pauses.stop()
    gc.unfreeze()
    sampler.stop()
    timing = {
        "schedule_s": round(send_end - t0, 2),
        "drain_s": round(drained - send_end, 2),
        "offered": total,
        "loadgen_gc": pauses.summary(),
    }
    if http_views:
        timing["page_views_http"] = http_views
    if idle:
        idle["closed_by_server_during_run"] = idle_stats.closed_by_server
        idle["pings_answered"] = idle_stats.pings
        timing["idle"] = idle
    await asyncio.gather(*(s.close() for s in shoppers), *(a.close() for a in agents))
    for visitor in idle_sockets:
        visitor.close()
    return stats, timing


def run(args: argparse.Namespace, bases: list[str], pids: list[int]) -> dict[str, Any]:
    prefix = "b" + secrets.token_hex(4)
    base = bases[0]
    if args.app == "desk":
        names = server.ensure_agents(args.agents, AGENT_PASSWORD)
        sessions = [server.login(base, name, AGENT_PASSWORD) for name in names]
    else:
        sessions = [""] * args.agents  # the skeleton's agent socket takes anyone
    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(lambda _: server.widget_session(base), range(args.conversations)))
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    sampler = server.Sampler(pids)
    rss_before = sampler.rss_now()
    stats, timing = server.run_loop(drive(args, bases, tokens, sessions, prefix, sampler))
    # Count while the sockets of the run are still fresh in the server.
    redis_port = urllib.parse.urlparse(redis_url).port or 6379
    pg_port = urllib.parse.urlparse(os.environ["DATABASE_URL"]).port or 5432
    connections = sampler.connections(redis_port, pg_port)
    stored_set = (
        server.stored_ids(prefix + "m")
        if args.app == "desk"
        else server.skeleton_stored_ids(prefix + "m")
    )
    stored = len(stored_set)
    sent = stats.sent
    delivered = list(stats.delivered.values())
    return {
        "run": prefix,
        "app": args.app,
        "asgi_server": args.server,
        "layer": args.layer,
        "conversations": args.conversations,
        "agents": args.agents,
        "servers": len(bases),
        "rate": args.rate,
        "duration": args.duration,
        **timing,
        "sent": sent,
        "acked": len(stats.acked),
        "delivered": len(stats.delivered),
        "stored": stored,
        # Acked but not in PostgreSQL: a broken promise. Must be 0.
        "lost_after_ack": len(set(stats.acked) - stored_set),
        # Sent but never acked by the end of the drain: still queued in the server when the
        # sockets closed (a real client would resend them; they are not acked, so not lost).
        "unacked": sent - len(stats.acked),
        # Stored but never reached the agent socket (the layer dropped it, or still queued).
        "undelivered": len(stored_set - set(stats.delivered)),
        "throughput_per_s": round(stored / max(timing["schedule_s"] + timing["drain_s"], 1e-9), 1),
        "duplicates": stats.duplicates,
        "errors": dict(stats.errors),
        "closes": dict(stats.closes),
        "latency": latency_summary(delivered),
        "ack_latency": latency_summary(list(stats.acked.values())),
        "send_lag": latency_summary(stats.send_lag),
        "agent_frames": dict(stats.frames),
        "server": {
            "pids": pids,
            "rss_before_mb": round(rss_before / 2**20, 1) if rss_before else None,
            "rss_peak_mb": round(max(sampler.rss) / 2**20, 1) if sampler.rss else None,
            "rss_after_mb": round(sampler.rss[-1] / 2**20, 1) if sampler.rss else None,
            "cpu_mean_pct": (
                round(sum(sampler.cpu) / len(sampler.cpu), 1) if sampler.cpu else None
            ),
            # Load-independent cost: the server's CPU time over the run per stored message.
            "cpu_ms_per_message": (
                round(sampler.cpu_seconds() * 1000 / stored, 2)  # type: ignore[operator]
                if sampler.cpu_seconds() is not None and stored
                else None
            ),
            "cpu_system_share_pct": (
                round(100 * sampler.cpu_seconds("system") / sampler.cpu_seconds(), 1)  # type: ignore[operator]
                if sampler.cpu_seconds()
                else None
            ),
            "redis_connections": connections["redis"],
            "postgres_connections": connections["postgres"],
        },
        "redis_connected_clients": server.redis_clients(redis_url),
        "loadgen_cpu_mean_pct": (
            round(sum(sampler.own_cpu) / len(sampler.own_cpu), 1) if sampler.own_cpu else None
        ),
        "loadavg_1m_max": round(max(sampler.loadavg), 2) if sampler.loadavg else None,
        "machine": server.describe_machine(),
    }


def report(result: dict[str, Any]) -> str:
    lat, ack, srv = result["latency"], result["ack_latency"], result["server"]
    lines = [
        f"run {result['run']}  app={result['app']}  server={result['asgi_server']}"
        f"  layer={result['layer']}  conversations={result['conversations']}"
        f"  agents={result['agents']}  rate={result['rate']}/s  duration={result['duration']}s",
        f"messages: offered {result['offered']}  sent {result['sent']}  acked {result['acked']}"
        f"  delivered {result['delivered']}  stored {result['stored']}",
        f"  lost after ack {result['lost_after_ack']}  unacked {result['unacked']}"
        f"  stored-not-delivered {result['undelivered']}  duplicates {result['duplicates']}"
        f"  server throughput {result['throughput_per_s']}/s",
        "shopper->agent latency ms: "
        f"p50 {lat['p50_ms']}  p90 {lat['p90_ms']}  p99 {lat['p99_ms']}  max {lat['max_ms']}",
        "shopper ack latency ms:    "
        f"p50 {ack['p50_ms']}  p90 {ack['p90_ms']}  p99 {ack['p99_ms']}  max {ack['max_ms']}",
        f"send lag ms (client): p99 {result['send_lag']['p99_ms']}  "
        f"max {result['send_lag']['max_ms']}; drain {result['drain_s']} s; load generator"
        f" collections in the window {result['loadgen_gc']['collections']}"
        f" (longest {result['loadgen_gc']['max_ms']} ms)",
        f"servers {result['servers']} (pids {srv['pids']}): RSS before {srv['rss_before_mb']} MB, peak "
        f"{srv['rss_peak_mb']} MB, after {srv['rss_after_mb']} MB; CPU mean "
        f"{srv['cpu_mean_pct']} % ({srv['cpu_ms_per_message']} ms CPU per message, {srv['cpu_system_share_pct']} % of it in the kernel); Redis sockets {srv['redis_connections']}, PostgreSQL "
        f"sockets {srv['postgres_connections']}",
        f"Redis connected_clients (whole server): {result['redis_connected_clients']};"
        f" load generator CPU mean {result['loadgen_cpu_mean_pct']} %;"
        f" 1-min loadavg max {result['loadavg_1m_max']}",
        f"agent frames: {result['agent_frames']}",
        f"errors: {result['errors'] or 'none'}; unexpected closes: {result['closes'] or 'none'}",
    ]
    views = result.get("page_views_http")
    if views:
        lines.append(
            f"page views over HTTP (no socket): {views['done']}/{views['requested']} at "
            f"{views['per_s']}/s, server {views['server_cpu_ms_per_view']} ms CPU per view, "
            f"RSS growth {views['rss_growth_mb']} MB, failed {views['failed']}"
        )
    idle = result.get("idle")
    if idle:
        lines.append(
            f"idle sockets: {idle['opened']}/{idle['requested']} opened in {idle['open_seconds']} s"
            f" ({idle['opened_per_s']}/s; open p50 {idle['open_latency']['p50_ms']} ms, p99 "
            f"{idle['open_latency']['p99_ms']} ms; failed {idle['failed']} {idle['errors']}"
            f" {idle.get('error_samples') or ''});"
            f" server {idle['server_cpu_ms_per_open']} ms CPU per open, load generator "
            f"{idle['loadgen_cpu_ms_per_open']} ms; RSS {idle['rss_before_mb']} -> "
            f"{idle['rss_open_mb']} MB = {idle['kib_per_socket']} KiB per socket; server CPU"
            f" with them idle {idle['idle_cpu_pct']} %; closed by the server during the run "
            f"{idle['closed_by_server_during_run']}"
        )
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--rate", type=float, default=100, help="offered messages per second")
    parser.add_argument("--duration", type=float, default=30, help="seconds of sending")
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument(
        "--servers",
        type=int,
        default=1,
        help="Daphne processes to start (sockets spread over them)",
    )
    parser.add_argument("--layer", choices=sorted(server.LAYERS), default="pubsub")
    parser.add_argument(
        "--app",
        choices=("desk", "skeleton"),
        default="desk",
        help="the desk, or the bare Channels chat it is measured against (bench/skeleton)",
    )
    parser.add_argument("--server", choices=SERVERS, default=PRODUCTION_SERVER, help="ASGI server")
    parser.add_argument(
        "--idle", type=int, default=0, help="idle visitor sockets opened before the load"
    )
    parser.add_argument("--idle-concurrency", type=int, default=64)
    parser.add_argument(
        "--agent-view",
        choices=("mine", "unassigned", "all"),
        help="agents send list.watch with this view (default: none, every list update)",
    )
    parser.add_argument(
        "--list-batch",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="agents ask for list updates several to a frame (list.watch batch), as the"
        " workspace does; --no-list-batch: one frame per update",
    )
    parser.add_argument(
        "--page-views",
        type=int,
        default=0,
        help="socket-less page views (session POST + page report) measured first",
    )
    parser.add_argument(
        "--idle-watch", type=float, default=10, help="seconds of server CPU watched while idle"
    )
    parser.add_argument(
        "--url", help="a running server (http://host:port); without it Daphne is started here"
    )
    parser.add_argument("--pid", type=int, help="the running server's pid (for RSS)")
    parser.add_argument("--drain", type=float, default=15, help="seconds to wait for stragglers")
    parser.add_argument(
        "--server-rate-limit",
        type=float,
        default=1000,
        help="HELPDESK_RATE_PER_SECOND/BURST for a server started here",
    )
    parser.add_argument("--json", type=Path, help="also write the result as JSON here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        print("DATABASE_URL and REDIS_URL must be set (production settings).", file=sys.stderr)
        return 2
    server.raise_fd_limit()
    if not args.url:
        # Servers started here get a channel namespace no other process on this Redis uses.
        server.isolate_namespace(os.environ)
    if args.url:
        server.setup_django()
        base = args.url.rstrip("/")
        pid = args.pid or server.find_server_pid(base)
        print(f"driving {base} (pid {pid}); --layer is only a label in this mode")
        result = run(args, [base], [pid] if pid else [])
    else:
        env = server.server_env(args.layer, args.server_rate_limit, app=args.app)
        if args.app == "desk":
            server.migrate(env)
            server.setup_django()
        with ExitStack() as stack:
            bases, pids = [], []
            for n in range(args.servers):
                log = Path(tempfile.gettempdir()) / f"bench-{args.server}-{os.getpid()}-{n}.log"
                base, pid = stack.enter_context(
                    asgi_process(
                        env,
                        server=args.server,
                        app=server.APPS[args.app],
                        log_path=log,
                        timeout=60,
                        ready_path="/api/schema/" if args.app == "desk" else "/health",
                    )
                )
                print(
                    f"started {args.app} on {args.server} {base} pid {pid}"
                    f" ({server.LAYERS[args.layer]}); log {log}",
                    flush=True,
                )
                bases.append(base)
                pids.append(pid)
            result = run(args, bases, pids)
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
