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
from tests.procs import daphne_process

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
                {s.conversation: 1 for s in shoppers if s.index % len(agents) == a.index}  # type: ignore[misc]
            )
            for a in agents
        )
    )
    stats.frames.clear()
    stats.errors.clear()
    for s in shoppers:
        s.start()

    total = int(args.rate * args.duration)
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
    sampler.stop()
    timing = {
        "schedule_s": round(send_end - t0, 2),
        "drain_s": round(drained - send_end, 2),
        "offered": total,
    }
    await asyncio.gather(*(s.close() for s in shoppers), *(a.close() for a in agents))
    return stats, timing


def run(args: argparse.Namespace, bases: list[str], pids: list[int]) -> dict[str, Any]:
    prefix = "b" + secrets.token_hex(4)
    base = bases[0]
    names = server.ensure_agents(args.agents, AGENT_PASSWORD)
    sessions = [server.login(base, name, AGENT_PASSWORD) for name in names]
    with ThreadPoolExecutor(8) as pool:
        tokens = list(pool.map(lambda _: server.widget_session(base), range(args.conversations)))
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    sampler = server.Sampler(pids)
    rss_before = sampler.rss_now()
    stats, timing = asyncio.run(drive(args, bases, tokens, sessions, prefix, sampler))
    # Count while the sockets of the run are still fresh in the server.
    redis_port = urllib.parse.urlparse(redis_url).port or 6379
    pg_port = urllib.parse.urlparse(os.environ["DATABASE_URL"]).port or 5432
    connections = sampler.connections(redis_port, pg_port)
    stored_set = server.stored_ids(prefix + "m")
    stored = len(stored_set)
    sent = stats.sent
    delivered = list(stats.delivered.values())
    return {
        "run": prefix,
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
        f"run {result['run']}  layer={result['layer']}  conversations={result['conversations']}"
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
        f"max {result['send_lag']['max_ms']}; drain {result['drain_s']} s",
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
    if args.url:
        server.setup_django()
        base = args.url.rstrip("/")
        pid = args.pid or server.find_server_pid(base)
        print(f"driving {base} (pid {pid}); --layer is only a label in this mode")
        result = run(args, [base], [pid] if pid else [])
    else:
        env = server.server_env(args.layer, args.server_rate_limit)
        server.migrate(env)
        server.setup_django()
        with ExitStack() as stack:
            bases, pids = [], []
            for n in range(args.servers):
                log = Path(tempfile.gettempdir()) / f"bench-daphne-{os.getpid()}-{n}.log"
                base, pid = stack.enter_context(daphne_process(env, log_path=log, timeout=60))
                print(
                    f"started daphne {base} pid {pid} ({server.LAYERS[args.layer]}); log {log}",
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
