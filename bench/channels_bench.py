"""Channels benchmark: the inbound webhook rate on one server process, and the outbound
drain rate of two Celery workers against a slow provider.

    python bench/channels_bench.py inbound  [--events 3000] [--clients 16] [--repeat 0.2]
    python bench/channels_bench.py outbound [--messages 2000] [--latency 0.05] [--workers 2]

inbound: one server process (uvicorn, as deployed; --server daphne for runserver's); ``--clients`` threads post Mailgun inbound webhooks (raw MIME,
signed, basic auth) as fast as answered; a share ``--repeat`` repeats an earlier Message-ID
(the ESP's retry). Each post is verified and parsed by anymail, routed to the channel and
stored at the door deduplicated on the Message-ID before the 200. Prints events/s and checks
one stored event per distinct id (nothing lost, nothing doubled). Target ≥ 300/s.
``--drain`` then times one Celery worker turning the events into messages (the one inbound
path: contact, threading, reply parsing, ``message_send``) and checks their number.

outbound: agent replies in API-channel conversations, queued as deliveries; the app's webhook
is a local HTTP server answering after ``--latency`` seconds; ``--workers`` Celery workers
(thread pool, ``--concurrency`` each) drain the queue. Prints sends/s from the first to the
last delivery marked sent, and checks every delivery was sent once. Target ≥ 100/s.

Each run uses its own database (``helpdesk_bench_ch``, re-created) and Redis db 9.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB = os.environ.get("BENCH_DB", "helpdesk_bench_ch")
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


def setup() -> dict[str, str]:
    import psycopg

    with psycopg.connect(PG + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    env = {
        "DATABASE_URL": f"{PG}/{DB}",
        "REDIS_URL": os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/9"),
        "CHANNEL_PREFIX": "hdch-bench",
        "CACHE_PREFIX": "hdch-bench",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnop",
        "STOREFRONT_IDENTITY_SECRET": "bench",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
        "HELPDESK_BOT_ENABLED": "0",
        "CELERY_EAGER": "0",
    }
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from helpdesk.celery import app

    app.control.purge()
    return {**os.environ, **env}


def load() -> str:
    with open("/proc/loadavg") as f:
        return f.read().split(" ", 3)[:3].__str__()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live descendants (from /proc), in seconds: what
    the server spent, whatever else the loaded box was doing."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        times[int(entry)] = (int(fields[11]) + int(fields[12])) / tick
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        total += times.get(p, 0.0)
        todo += [c for c, parent in parents.items() if parent == p]
    return total


def profile(pid: int, seconds: float, out: str) -> Any:
    """``py-spy record`` of ``pid`` for ``seconds`` into ``out`` (speedscope-free: raw
    collapsed stacks, read with ``bench/channels_bench.py top``)."""
    import subprocess

    spy = str(ROOT / ".venv" / "bin" / "py-spy")
    return subprocess.Popen(
        [spy, "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "200",
         "--format", "raw", "--output", out, "--nonblocking"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


MAILGUN_KEY = "bench-mailgun-signing-key"
WEBHOOK_AUTH = "esp:bench-webhook-secret"


def _mailgun_form(raw: str) -> dict[str, str]:
    import hashlib
    import hmac

    timestamp = str(int(time.time()))
    token = uuid.uuid4().hex
    signature = hmac.new(
        MAILGUN_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
    ).hexdigest()
    return {
        "body-mime": raw,
        "recipient": "support@shop.test",
        "sender": "x@example.com",
        "timestamp": timestamp,
        "token": token,
        "signature": signature,
    }


def _mime(message_id: str, n: int) -> str:
    return (
        f"From: Shopper {n % 200} <shopper{n % 200}@example.com>\r\nTo: support@shop.test\r\n"
        f"Subject: Order question {n}\r\nMessage-ID: <{message_id}@example.com>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hello, where is my order {n}?\r\n\r\nOn Mon, Shop wrote:\r\n> earlier\r\n"
    )


def inbound(args: argparse.Namespace) -> None:
    env = setup()
    import base64

    import requests

    from chat.models import Channel, Message
    from inboxes.models import InboundEvent
    from tests.procs import asgi_process, celery_worker

    channel = Channel.objects.create(
        name="bench mail", kind="email", config={"address": "support@shop.test"}
    )
    env.update(
        {"ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_KEY, "ANYMAIL_WEBHOOK_SECRET": WEBHOOK_AUTH}
    )
    ids: list[str] = []
    lock = threading.Lock()
    sent = {"posts": 0, "errors": 0}
    auth = "Basic " + base64.b64encode(WEBHOOK_AUTH.encode()).decode()
    print(
        f"inbound: {args.events} Mailgun inbound webhooks (raw MIME, signed), {args.clients} "
        f"clients, {args.repeat:.0%} repeated deliveries; one {args.server} process; "
        f"load {load()}"
    )
    log_path = Path(f"/tmp/channels-bench-{args.server}.log")
    with asgi_process(env, server=args.server, log_path=log_path) as (base, pid):
        url = base + "/inboxes/email/mailgun/inbound/"
        counter = iter(range(args.events))

        def client(n: int) -> None:
            import random

            session = requests.Session()
            session.headers["Authorization"] = auth
            rng = random.Random(n)
            while True:
                with lock:
                    i = next(counter, None)
                    if i is None:
                        return
                    if ids and rng.random() < args.repeat:
                        message_id = rng.choice(ids)
                    else:
                        message_id = uuid.uuid4().hex
                        ids.append(message_id)
                response = session.post(url, data=_mailgun_form(_mime(message_id, i)), timeout=30)
                with lock:
                    sent["posts"] += 1
                    if response.status_code != 200:
                        sent["errors"] += 1

        warm = requests.Session()
        warm.headers["Authorization"] = auth
        for _ in range(10):  # the first requests import and prepare; their events are extra
            warm.post(url, data=_mailgun_form(_mime(uuid.uuid4().hex, 0)), timeout=30)
        warm_events = InboundEvent.objects.count()
        spy = profile(pid, args.profile_seconds, args.profile) if args.profile else None
        cpu0, client0 = cpu_seconds(pid), time.process_time()
        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        server_cpu, client_cpu = cpu_seconds(pid) - cpu0, time.process_time() - client0
        if spy is not None:
            spy.wait()
    stored = InboundEvent.objects.count() - warm_events
    distinct = len(set(ids))
    posts = max(sent["posts"], 1)
    print(
        f"inbound: {sent['posts']} webhooks in {elapsed:.1f} s = {sent['posts'] / elapsed:.0f} events/s "
        f"(target >= 300); errors {sent['errors']}; load {load()}"
    )
    print(
        f"inbound: server CPU {server_cpu * 1000 / posts:.2f} ms per webhook "
        f"(= {posts / server_cpu if server_cpu else 0:.0f} webhooks per CPU-second), "
        f"clients {client_cpu * 1000 / posts:.2f} ms"
    )
    print(
        f"inbound: distinct ids {distinct}, events stored {stored}: "
        f"{'nothing lost or doubled' if stored == distinct and not sent['errors'] else 'MISMATCH'}"
    )
    if not args.drain:
        return
    started = time.perf_counter()
    with celery_worker({**env, "HELPDESK_BOT_ENABLED": "0"}, "bench-inbound") as worker:
        # Starting the worker purges the queue (tests.procs.celery_worker), the door's
        # batched tasks included: queue the pending events again, 50 to a task as the door.
        from inboxes.queue import process_inbound_many

        pending = list(
            InboundEvent.objects.filter(status="pending")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for i in range(0, len(pending), 50):
            process_inbound_many.delay(pending[i : i + 50])
        cpu0 = cpu_seconds(worker.pid)
        spy = (
            profile(worker.pid, args.profile_seconds, args.profile + ".drain")
            if args.profile
            else None
        )
        deadline = time.time() + 900
        while time.time() < deadline and InboundEvent.objects.filter(status="pending").exists():
            time.sleep(0.2)
        worker_cpu = cpu_seconds(worker.pid) - cpu0
        if spy is not None:
            spy.wait()
    elapsed = time.perf_counter() - started
    done = InboundEvent.objects.filter(status="done").count()
    messages = Message.objects.filter(conversation__channel=channel, sender_kind="visitor").count()
    print(
        f"inbound: one worker turned {done} events into {messages} messages in {elapsed:.1f} s "
        f"= {done / elapsed:.0f} events/s (with start-up); worker CPU "
        f"{worker_cpu * 1000 / max(done, 1):.1f} ms per event; "
        f"failed {InboundEvent.objects.filter(status='failed').count()}"
    )


def outbound(args: argparse.Namespace) -> None:
    env = setup()
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from django.db import transaction

    from chat.access import Actor
    from chat.models import Channel
    from chat.services import message_send
    from inboxes.api.tokens import webhook_secret_issue
    from inboxes.inbound import Inbound, inbound_receive
    from inboxes.models import OutboundDelivery
    from tests.factories import make_agent
    from tests.procs import free_port

    received: list[str] = []
    rlock = threading.Lock()

    class Slow(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(args.latency)
            with rlock:
                received.append(json.loads(body)["id"])
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Slow)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    channel = Channel.objects.create(name="bench app", kind="api")
    webhook_secret_issue(channel, f"http://127.0.0.1:{server.server_address[1]}/hook")
    agent = make_agent("bench-agent")
    conversations = []
    os.environ["CELERY_EAGER"] = "1"
    from django.conf import settings

    settings.CELERY_TASK_ALWAYS_EAGER = True
    for n in range(50):
        r = inbound_receive(
            channel=channel,
            identity_kind="app",
            inbound=Inbound(external_id=f"in-{n}", address=f"{channel.pk}:u{n}", body="hi"),
        )
        conversations.append(r.conversation_id)
    # Replies are queued for real workers: not eager from here on.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    print(
        f"outbound: {args.messages} replies, provider latency {args.latency * 1000:.0f} ms, "
        f"{args.workers} workers x {args.concurrency} threads; load {load()}"
    )
    from helpdesk.celery import app

    app.conf.task_always_eager = False
    t0 = time.perf_counter()
    for n in range(args.messages):
        with transaction.atomic():
            message_send(
                actor=Actor(user=agent),
                client_id=f"r{n}",
                body=f"reply {n}",
                conversation_id=conversations[n % len(conversations)],
            )
    queued = time.perf_counter() - t0
    print(f"outbound: queued in {queued:.1f} s")
    from contextlib import ExitStack

    worker_env = {**env, "CELERY_EAGER": "0", "DB_POOL_MAX": str(args.concurrency + 2)}
    with ExitStack() as stack:
        started = time.perf_counter()
        workers = [
            stack.enter_context(_threads_worker(worker_env, f"bench{w}", args.concurrency))
            for w in range(args.workers)
        ]
        spy = profile(workers[0].pid, args.profile_seconds, args.profile) if args.profile else None
        deadline = time.time() + args.timeout
        first: tuple[int, float] | None = None  # (sent, worker CPU) at the first sends
        while time.time() < deadline:
            done_now = OutboundDelivery.objects.filter(status="sent").count()
            if first is None and done_now:
                first = (done_now, sum(cpu_seconds(w.pid) for w in workers))
            if done_now == args.messages:
                break
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        first = first or (0, 0.0)
        worker_cpu = sum(cpu_seconds(w.pid) for w in workers) - first[1]
        cpu_sends = max(OutboundDelivery.objects.filter(status="sent").count() - first[0], 1)
        if spy is not None:
            spy.wait()
    sent = OutboundDelivery.objects.filter(status="sent").count()
    first_last = (
        OutboundDelivery.objects.filter(status="sent")
        .order_by("updated_at")
        .values_list("updated_at", flat=True)
    )
    span = (first_last.last() - first_last.first()).total_seconds() if sent > 1 else elapsed
    dupes = len(received) - len(set(received))
    print(
        f"outbound: {sent}/{args.messages} sent; drain {sent / span:.0f} sends/s (first to last sent, {span:.1f} s; "
        f"{elapsed:.1f} s with worker start-up) (target >= 100)"
    )
    print(f"outbound: provider saw {len(received)} posts, {dupes} repeated; load {load()}")
    print(
        f"outbound: worker CPU {worker_cpu * 1000 / cpu_sends:.1f} ms per send "
        f"(from the first sends on, start-up left out; {cpu_sends} sends)"
    )


def _threads_worker(env: dict[str, str], name: str, concurrency: int) -> Any:
    import subprocess
    from contextlib import contextmanager

    @contextmanager
    def run() -> Any:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "helpdesk",
                "worker",
                "--pool=threads",
                f"--concurrency={concurrency}",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=WARNING",
                "-n",
                f"{name}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()

    return run()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="which", required=True)
    p_in = sub.add_parser("inbound")
    p_in.add_argument("--events", type=int, default=3000)
    p_in.add_argument("--clients", type=int, default=16)
    p_in.add_argument("--repeat", type=float, default=0.2)
    p_in.add_argument(
        "--drain", action="store_true", help="then time one worker turning them into messages"
    )
    p_in.add_argument(
        "--server",
        default="uvicorn",
        choices=["uvicorn", "daphne"],
        help="the ASGI server (uvicorn: production, docs/deployment.md; daphne: runserver)",
    )
    for p in (p_in,):
        p.add_argument(
            "--profile",
            help="py-spy raw stacks of the server into this file (with --drain, the worker's "
            "into FILE.drain)",
        )
        p.add_argument("--profile-seconds", type=float, default=20)
    p_out = sub.add_parser("outbound")
    p_out.add_argument("--profile", help="py-spy raw stacks of the first worker into this file")
    p_out.add_argument("--profile-seconds", type=float, default=20)
    p_out.add_argument("--timeout", type=float, default=600)
    p_out.add_argument("--messages", type=int, default=2000)
    p_out.add_argument("--latency", type=float, default=0.05)
    p_out.add_argument("--workers", type=int, default=2)
    p_out.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    inbound(args) if args.which == "inbound" else outbound(args)


if __name__ == "__main__":
    main()
