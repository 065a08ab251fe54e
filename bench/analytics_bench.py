"""Analytics benchmark: 100k conversations / 1M messages in PostgreSQL, then the rollups and
the report pages.

    . .venv/bin/activate && python bench/analytics_bench.py            # 100k / 1M
    python bench/analytics_bench.py --conversations 10000 --runs 10     # quick

Prints: data generation time, full rebuild time, one incremental tick after a minute of new
traffic, the 5-minute histogram refresh of the current day (written through the real chat services, so the listeners record its facts), and
p50 / p95 of every report page over the default 7-day and a 30-day range (each compared
with the previous period). Uses its own database (default ``helpdesk_bench_f``), dropped and
re-created on every run; ``--reuse`` keeps an earlier run's data (migrating it) and times only
the pages, ``--pages agents questions`` only those; ``--reuse --ticks 10`` times the tick over
the last live minute instead (ten times, each rolled back). Facts and message counters are generated with SQL in the shape
the listeners write them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(db: str, *, reuse: bool = False) -> None:
    import psycopg

    base = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    if not reuse:
        with psycopg.connect(base + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{db}"')
    os.environ["DATABASE_URL"] = f"{base}/{db}"
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/8")
    os.environ.setdefault("CHANNEL_PREFIX", "hdf-bench")
    os.environ.setdefault("CACHE_PREFIX", "hdf-bench")
    os.environ["CELERY_EAGER"] = "1"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghij")
    os.environ.setdefault("STOREFRONT_IDENTITY_SECRET", "bench")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("SECURE_COOKIES", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpdesk.settings"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill_sql(cursor: Any, table: str, given: dict[str, str], source: str) -> str:
    """INSERT … SELECT for ``table``: the ``given`` expressions, plus a neutral value for every
    other NOT NULL column (other areas add columns; the bench keeps working)."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [table],
    )
    neutral = {
        "integer": "0",
        "bigint": "0",
        "smallint": "0",
        "boolean": "false",
        "text": "''",
        "character varying": "''",
        "timestamp with time zone": "now()",
        "date": "current_date",
        "uuid": "gen_random_uuid()",
        "jsonb": "'{}'::jsonb",
        "numeric": "0",
        "double precision": "0",
        "real": "0",
    }
    columns = dict(given)
    for name, data_type in cursor.fetchall():
        if name not in columns:
            columns[name] = neutral.get(data_type, "''")
    names = ", ".join(columns)
    values = ", ".join(columns.values())
    return f"INSERT INTO {table} ({names}) SELECT {values} {source}"


def generate(conversations: int, per: int, days: int) -> dict[str, int]:
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction

    from analytics.questions import topic_key
    from chat.models import AgentProfile, Team

    teams = [Team.objects.create(name=f"Team {i}") for i in range(5)]
    group, _ = Group.objects.get_or_create(name="Agents")
    users = User.objects.bulk_create([User(username=f"agent{i}", password="!") for i in range(50)])
    group.user_set.add(*users)
    AgentProfile.objects.bulk_create(
        [AgentProfile(user=u, display_name=f"Agent {i}") for i, u in enumerate(users)]
    )
    agent_ids = [u.pk for u in users]
    from chat.models.inbox import default_web_channel_id

    channel = default_web_channel_id()  # visitors and conversations belong to a channel
    team_ids = [t.pk for t in teams]
    texts = [f"do you ship product {i} to country {i % 37}" for i in range(300)] + [
        f"产品{i}什么时候发货到{i % 29}号仓" for i in range(200)
    ]
    keys = [topic_key(t) for t in texts]
    with transaction.atomic(), connection.cursor() as c:
        c.execute("SET LOCAL synchronous_commit = off")
        c.execute(
            "CREATE TEMP TABLE g AS SELECT i, "
            f"now() - make_interval(secs => random() * {days} * 86400) AS t0, "
            "(%s::bigint[])[1 + mod(i, 5)] AS team, (%s::bigint[])[1 + mod(i * 7, 50)] AS agent, "
            "random() AS r, 30 + random() * 600 AS fr "
            f"FROM generate_series(1, {conversations}) AS i",
            [team_ids, agent_ids],
        )
        c.execute(
            fill_sql(
                c,
                "chat_visitor",
                {"public_id": "gen_random_uuid()", "created_at": "t0", "channel_id": str(channel)},
                "FROM g ORDER BY i",
            )
        )
        c.execute("SELECT min(id) FROM chat_visitor")
        v0 = c.fetchone()[0]
        c.execute(
            fill_sql(
                c,
                "chat_conversation",
                {
                    "visitor_id": f"{v0} + i - 1",
                    "channel_id": str(channel),
                    "status": "'resolved'",
                    "team_id": "team",
                    "assignee_id": "agent",
                    "last_seq": str(per),
                    "created_at": "t0",
                    "last_activity_at": "t0",
                    "resolved_at": "t0 + interval '2 hours'",
                },
                "FROM g ORDER BY i",
            )
        )
        c.execute("SELECT min(id) FROM chat_conversation")
        c0 = c.fetchone()[0]
        c.execute("ALTER TABLE g ADD COLUMN conv bigint")
        c.execute(f"UPDATE g SET conv = {c0} + i - 1")
        c.execute(
            "CREATE TEMP TABLE m AS SELECT g.*, s AS seq, "
            "g.t0 + make_interval(secs => s * 45 + (s % 2) * g.fr) AS at, "
            "CASE WHEN s % 2 = 1 THEN 'visitor' WHEN s = 2 AND g.r < 0.4 THEN 'bot' "
            "ELSE 'agent' END AS sk "
            f"FROM g, generate_series(1, {per}) AS s"
        )
        c.execute(
            fill_sql(
                c,
                "chat_message",
                {
                    "conversation_id": "conv",
                    "seq": "seq",
                    "client_id": "'b-' || seq",
                    "sender_kind": "sk",
                    "sender_user_id": "CASE WHEN sk = 'agent' THEN agent END",
                    "kind": "'text'",
                    "private": "false",
                    "body": "'where is my order number ' || i",
                    "created_at": "at",
                    "conversation_created_at": "t0",
                },
                "FROM m",
            )
        )
        ins = (
            "INSERT INTO analytics_fact (kind, at, recorded_at, conversation_id, team_id, "
            "agent_id, cycle, seconds, bh_seconds, value, amount, flag) "
        )
        # Messages: the counter rows the message listener upserts, one per conversation, UTC
        # hour, team, agent (the sender of an agent's message, the assignee of the others:
        # here the same agent) and sender kind.
        c.execute(
            "INSERT INTO analytics_messagecount (hour, conversation_id, team_id, agent_id, "
            "sender, private, count, recorded_at) "
            "SELECT date_trunc('hour', at), conv, team, agent, "
            "CASE sk WHEN 'visitor' THEN 1 WHEN 'agent' THEN 2 ELSE 3 END, false, count(*), "
            "max(at) FROM m GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1"
        )
        # Per agent reply after a shopper message: the reply wait.
        c.execute(
            ins + "SELECT 8, at, at, conv, team, agent, 1, 45 + fr, (45 + fr) * 0.7, NULL, "
            "NULL, false FROM m WHERE sk = 'agent'"
        )
        per_conv = [
            "SELECT 1, t0, t0, conv, team, NULL::bigint, 1, NULL::float, NULL::float, "
            "NULL::bigint, NULL::numeric, r < 0.2 FROM g",
            "SELECT 3, t0 + interval '40 s', t0, conv, team, NULL, 1, NULL, NULL, NULL, NULL, "
            "false FROM g WHERE r < 0.4",
            # ASSIGNED: value bits 4 (first assignment of the agent), 1 after a hand-over.
            "SELECT 4, t0 + interval '41 s', t0, conv, team, agent, 1, NULL, NULL, "
            "CASE WHEN r < 0.4 THEN 5 ELSE 4 END, NULL, r < 0.05 FROM g",
            "SELECT 5, t0 + interval '41 s', t0, conv, team, agent, 1, NULL, NULL, "
            "(1 + r * 5)::bigint, NULL, false FROM g",
            "SELECT 5, t0 + interval '2 hours', t0, conv, team, agent, 1, NULL, NULL, "
            "(r * 4)::bigint, NULL, false FROM g",
            "SELECT 6, t0 + make_interval(secs => 90 + fr), t0, conv, team, agent, 1, 90 + fr, "
            "(90 + fr) * 0.7, NULL, NULL, false FROM g",
            "SELECT 7, t0 + make_interval(secs => 90 + fr), t0, conv, team, agent, 1, 49 + fr, "
            "(49 + fr) * 0.7, NULL, NULL, false FROM g",
            "SELECT 9, t0 + interval '2 hours', t0, conv, team, agent, 1, 7200, 5000, "
            "CASE WHEN r > 0.97 THEN 1 END, NULL, r < 0.1 FROM g",
            # The agent's share (HANDLED): held from the assignment to the resolution.
            "SELECT 14, t0 + interval '2 hours', t0, conv, team, agent, 1, 7159, 4960, NULL, "
            "NULL, false FROM g",
            "SELECT 10, t0 + interval '2 hours 5 min', t0, conv, team, agent, 1, NULL, NULL, "
            "1 + (r * 1000)::int % 5, NULL, false FROM g WHERE r < 0.3",
            # Conversions: dated at the order, flagged as the conversation's first credit.
            "SELECT 12, t0 + interval '1 hour', t0, conv, team, agent, 1, 3600, NULL, i, "
            "(20 + r * 200)::numeric(14,2), true FROM g WHERE r < 0.05",
            "SELECT 13, t0 + interval '1 day', t0, conv, team, agent, 1, 86400, NULL, i, "
            "(20 + r * 200)::numeric(14,2), true FROM g WHERE r < 0.1",
        ]
        for select in per_conv:
            c.execute(ins + select)
        c.execute(
            "INSERT INTO analytics_questionfact (at, recorded_at, conversation_id, team_id, "
            "kb_entry_id, text, language, topic_key, products) "
            "SELECT t0, t0, conv, team, CASE WHEN r < 0.5 THEN 1 + mod(i, 30) END, "
            "(%s::text[])[1 + mod(i, 500)], '', "
            "CASE WHEN r < 0.5 THEN '' ELSE (%s::text[])[1 + mod(i * 13, 500)] END, '' FROM g",
            [texts, keys],
        )
        c.execute("SELECT count(*) FROM analytics_fact")
        facts = c.fetchone()[0]
        c.execute("SELECT count(*), sum(count) FROM analytics_messagecount")
        counters, counted = c.fetchone()
        c.execute("SELECT count(*) FROM chat_message")
        messages = c.fetchone()[0]
    with connection.cursor() as c:
        # The desk writes facts as things happen, so a day's facts sit together in the
        # table; the statements above wrote them kind by kind, which spread one day's 12,000
        # facts over 6,600 pages and made the tick's day read random (docs/performance.md).
        # Stored in time order, as the desk would have written them.
        c.execute("CLUSTER analytics_fact USING fact_at")
        c.execute("VACUUM ANALYZE")
    assert counted == messages, (counted, messages)
    return {
        "conversations": conversations,
        "messages": messages,
        "facts": facts,
        "counters": counters,
    }


def live_minute(conversations: int) -> int:
    """A busy minute of real traffic through the chat services (listeners write facts)."""
    from django.contrib.auth.models import User

    from chat import services
    from chat.access import Actor
    from chat.models import Visitor

    agents = list(User.objects.filter(username__startswith="agent")[:10])
    sent = 0
    for i in range(conversations):
        visitor = Visitor.objects.create()
        msg, _ = services.message_send(
            actor=Actor(visitor=visitor), client_id=f"live-{i}", body="hi, where is my parcel?"
        )
        sent += 1
        agent = agents[i % len(agents)]
        services.message_send(
            actor=Actor(user=agent),
            client_id=f"live-a-{i}",
            body="Let me check",
            conversation_id=msg.conversation_id,
        )
        services.message_send(
            actor=Actor(visitor=visitor),
            client_id=f"live-b-{i}",
            body="thanks",
            conversation_id=None,
        )
        services.message_send(
            actor=Actor(user=agent),
            client_id=f"live-c-{i}",
            body="It ships today",
            conversation_id=msg.conversation_id,
        )
        services.conversation_status_set(
            actor=Actor(user=agent), conversation_id=msg.conversation_id, status="resolved"
        )
        sent += 3
    return sent


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


PAGES = ["overview", "questions", "volume", "agents"]


def backend_cpu() -> float:
    """CPU seconds of this process's PostgreSQL backend so far (``/proc/<pid>/stat``)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pages(runs: int, only: list[str] | None = None) -> list[tuple[str, str, float, float, str]]:
    """Each page's p50 and p95 wall time, and the CPU per request of this process (Python)
    and of its PostgreSQL backend: on a shared box the CPU compares two versions, the wall
    time mostly measures the others' load."""
    import datetime as dt

    from django.contrib.auth.models import Permission, User
    from django.test import Client
    from django.utils import timezone

    user = User.objects.filter(username="bench-manager").first()
    if user is None:
        user = User.objects.create_user("bench-manager", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_reports"))
    client = Client()
    client.force_login(user)
    today = timezone.now().date()
    ranges = {
        "7 days": "",
        "30 days": f"?start={today - dt.timedelta(days=29)}&end={today}",
    }
    out = []
    for name in only or PAGES:
        page = "" if name == "overview" else f"{name}/"
        for label, query in ranges.items():
            url = f"/admin/reports/{page}{query}"
            for _ in range(3):
                assert client.get(url).status_code == 200
            samples = []
            python, server = time.process_time(), backend_cpu()
            for _ in range(runs):
                started = time.perf_counter()
                response = client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            cpu = (
                f"CPU per request: Python {(time.process_time() - python) / runs * 1000:.1f} ms, "
                f"server {(backend_cpu() - server) / runs * 1000:.1f} ms"
            )
            out.append(
                (page or "overview", label, statistics.median(samples), pct(samples, 0.95), cpu)
            )
    return out


def zone_choice(zone: str) -> None:
    """The two ways of reporting in a time zone, timed on the generated data (each in a
    transaction rolled back): (a) the daily rows of one more zone, built from the facts of
    its days (what the desk does: ``_build_zone``); (b) every daily column kept per UTC hour
    instead, so that any zone's days are sums of 24 hourly rows (the alternative), and a
    30-day overview read from those hourly rows against the same read from daily rows."""
    from django.db import connection, transaction

    from analytics import dialects
    from analytics.selectors.common import SUM_COLUMNS
    from analytics.services import statements
    from analytics.services.rollup import _begin, _build_zone

    d = dialects.current()

    class Hourly(dialects.Dialect):
        def local_day(self, expr: str, zone: str) -> str:
            return f"date_trunc('hour', {expr})"

    def cpu() -> float:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    class Rollback(Exception):
        pass

    def timed(work: Any) -> tuple[float, float]:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                _begin(cursor, d, full=True)
                wall, busy = time.perf_counter(), cpu()
                work(cursor)
                out = (time.perf_counter() - wall, cpu() - busy)
                raise Rollback
        except Rollback:
            return out

    def one_more_zone(cursor: Any) -> None:
        _build_zone(cursor, d, zone)

    def hourly_all_columns(cursor: Any) -> None:
        cursor.execute(
            "CREATE TEMP TABLE hourly_all AS SELECT * FROM analytics_dailyrollup WITH NO DATA"
        )
        cursor.execute("ALTER TABLE hourly_all ALTER COLUMN day TYPE timestamptz")
        sql = statements.daily_insert(Hourly(), "UTC", "", "")
        cursor.execute(sql.replace("INSERT INTO analytics_dailyrollup", "INSERT INTO hourly_all"))
        cursor.execute("SELECT count(*) FROM hourly_all")
        print(f"    (b) hourly rows of every column: {cursor.fetchone()[0]}")

    print(f"report zone choice (load average {os.getloadavg()[0]:.2f}):")
    for label, work in (
        (f"(a) daily rows of one more zone ({zone})", one_more_zone),
        ("(b) every daily column per UTC hour instead", hourly_all_columns),
    ):
        runs = [timed(work) for _ in range(3)]
        best = min(runs)
        print(
            f"  {label}: {best[0]:.2f} s wall, {best[1]:.2f} s CPU of the server "
            f"(best of 3; {', '.join(f'{w:.2f}' for w, _c in runs)})"
        )
    cols = ", ".join(f"sum({c})" for c in SUM_COLUMNS)

    def read(cursor: Any, table: str, lo: Any, hi: Any) -> float:
        started = time.perf_counter()
        for _ in range(20):
            cursor.execute(
                f"SELECT {cols} FROM {table} WHERE day >= %s AND day < %s "
                "AND team_id = -1 AND agent_id = -1",
                [lo, hi],
            )
            cursor.fetchall()
        return (time.perf_counter() - started) / 20 * 1000

    import datetime as dt

    from django.utils import timezone

    with transaction.atomic(), connection.cursor() as cursor:
        hourly_all_columns(cursor)
        today = timezone.now().date()
        hi = dt.datetime.combine(today, dt.time(), tzinfo=dt.UTC)
        lo = hi - dt.timedelta(days=30)
        daily_ms = read(cursor, "analytics_dailyrollup", lo.date(), hi.date())
        hourly_ms = read(cursor, "hourly_all", lo, hi)
        print(
            f"  30-day overview sums, all teams: from daily rows {daily_ms:.1f} ms, "
            f"from hourly rows {hourly_ms:.1f} ms (mean of 20)"
        )
        transaction.set_rollback(True)


def ticks_again(rounds: int, live: int) -> None:
    """The incremental tick over the last live minute again (its facts and counters: those of
    the newest ``live`` conversations), ``rounds`` times, each in a transaction rolled back
    with the watermarks set back to before that minute: wall, server and Python CPU."""
    from django.db import connection, transaction

    from analytics.services import rollup_tick

    class Rollback(Exception):
        pass

    newest = f"SELECT id FROM chat_conversation ORDER BY id DESC LIMIT {int(live)}"
    walls, server, python = [], [], []
    hours = 0
    for _ in range(rounds):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                for mark, sql in (
                    ("facts", "SELECT min(id) - 1 FROM analytics_fact"),
                    ("messages", "SELECT min(seq) - 1 FROM analytics_messagecount"),
                ):
                    cursor.execute(f"{sql} WHERE conversation_id IN ({newest})")
                    cursor.execute(
                        "UPDATE analytics_watermark SET last_id = %s WHERE name = %s",
                        [cursor.fetchone()[0], mark],
                    )
                started, cpu, own = time.perf_counter(), backend_cpu(), time.process_time()
                hours = rollup_tick().hours
                walls.append((time.perf_counter() - started) * 1000)
                server.append((backend_cpu() - cpu) * 1000)
                python.append((time.process_time() - own) * 1000)
                raise Rollback
        except Rollback:
            pass
    print(
        f"tick over the last live minute ({hours} hours), {rounds} times rolled back: wall "
        f"median {statistics.median(walls):.0f} ms, CPU per tick: server "
        f"{statistics.mean(server):.1f} ms, Python {statistics.mean(python):.1f} ms "
        f"(load average {os.getloadavg()[0]:.2f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="helpdesk_bench_f")
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--messages-per-conversation", type=int, default=10)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--live", type=int, default=30, help="conversations in the live minute")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the database filled by an earlier run (migrated to the current models) and "
        "time only the report pages",
    )
    parser.add_argument("--pages", nargs="*", choices=PAGES, help="only these report pages")
    parser.add_argument(
        "--ticks",
        type=int,
        default=0,
        metavar="N",
        help="with --reuse: time the tick over the last live minute N times (rolled back) "
        "instead of the pages",
    )
    parser.add_argument(
        "--zone-choice",
        metavar="ZONE",
        help="after the rebuilds, time building one more report zone against keeping every "
        "daily column per UTC hour (docs/performance.md, 'Report time zone')",
    )
    args = parser.parse_args()
    setup(args.db, reuse=args.reuse)
    if args.reuse and args.ticks:
        ticks_again(args.ticks, args.live)
        return
    if args.reuse:
        print(f"report pages ({args.runs} requests each; load average {os.getloadavg()[0]:.2f}):")
        for page, label, p50, p95, cpu in pages(args.runs, args.pages):
            print(f"  {page:<10} {label:<8} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   {cpu}")
        return
    from analytics import services
    from analytics.shop import report_zones

    started = time.perf_counter()
    counts = generate(args.conversations, args.messages_per_conversation, args.days)
    print(
        f"generated {counts['conversations']} conversations, {counts['messages']} messages, "
        f"{counts['facts']} facts, {counts['counters']} message counters "
        f"in {time.perf_counter() - started:.1f} s"
    )
    load = os.getloadavg()[0]
    rebuilds = [services.rollup_rebuild().seconds for _ in range(3)]
    print(
        f"full rebuild: {min(rebuilds):.2f} s (best of 3; {', '.join(f'{r:.2f}' for r in rebuilds)}; "
        f"load average {load:.2f} before, {os.getloadavg()[0]:.2f} after; report zones "
        f"{', '.join(report_zones())})"
    )
    if args.zone_choice:
        zone_choice(args.zone_choice)
    started = time.perf_counter()
    sent = live_minute(args.live)
    print(
        f"live minute: {args.live} conversations, {sent} messages through the services "
        f"in {time.perf_counter() - started:.1f} s"
    )
    tick = services.rollup_tick()
    print(f"incremental tick after the minute: {tick.seconds * 1000:.0f} ms ({tick.hours} hours)")
    ticks = [services.rollup_tick().seconds * 1000 for _ in range(5)]
    print(f"tick again (same unsettled minute re-read): median {statistics.median(ticks):.0f} ms")
    started = time.perf_counter()
    refreshed = services.histograms_refresh()
    print(
        f"histogram refresh (5-minute beat, {refreshed} day): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )
    print(
        f"report pages ({args.runs} requests each, compared with the previous period; "
        f"load average {os.getloadavg()[0]:.2f}):"
    )
    for page, label, p50, p95, cpu in pages(args.runs, args.pages):
        print(f"  {page:<10} {label:<8} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   {cpu}")


if __name__ == "__main__":
    main()
