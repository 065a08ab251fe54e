"""Orders benchmark: integration API upsert throughput and sidebar latency at shop scale.

    python bench/orders_bench.py [--customers 100000] [--orders 1000000] [--reset]

Runs against its own PostgreSQL database (``BENCH_DB``, default ``helpdesk_bench_c``), created
and migrated if missing, and filled with generated customers, orders, items, shipments and
tracking events by ``INSERT … SELECT generate_series`` (seconds, not minutes). Then, through
the full Django stack (URL routing, token / session auth, DRF validation, services, JSON) with
Django's test client in this process — no network, one client at a time:

* single upserts: ``POST /api/v1/orders`` one order (2 items) per call, new and repeated;
* bulk upserts: ``POST /api/v1/orders/bulk`` with 1,000 orders (2 items each) per call;
* sidebar: ``GET /api/v1/conversations/{id}/customer`` for conversations of random customers.

Prints throughput and p50 / p95 / p99 latencies. Targets: sidebar p99 ≤ 50 ms at
100k customers / 1M orders, bulk ≥ 2,000 orders/s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BENCH_DB = os.environ.get("BENCH_DB", "helpdesk_bench_c")
PG = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
os.environ["DATABASE_URL"] = f"{PG}/{BENCH_DB}"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/4")
os.environ.setdefault("CHANNEL_PREFIX", "hdc-bench")
os.environ.setdefault("CACHE_PREFIX", "hdc-bench")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("STOREFRONT_IDENTITY_SECRET", "bench-storefront-secret")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SECURE_COOKIES", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")


def ensure_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')


def generate(customers: int, orders: int) -> None:
    """Customers, orders (1 item each), shipments for every third order with two tracking
    events, spread over two years, all in SQL."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(
            "TRUNCATE orders_shipmentevent, orders_shipment, orders_orderitem, orders_orderalert,"
            " orders_order, orders_browsingevent, orders_consentrecord, chat_message,"
            " chat_conversation, chat_visitor, orders_customer RESTART IDENTITY CASCADE"
        )
        cur.execute(
            """
            INSERT INTO orders_customer (external_id, name, email, phone, language, vip_tier,
                tags, notes, marketing_consent, order_notices_opt_out, created_at, updated_at)
            SELECT 'bc-' || g, 'Customer ' || g, 'c' || g || '@example.com', '', 'en',
                (ARRAY['', '', 'silver', 'gold', 'platinum'])[1 + g %% 5], '[]'::jsonb, '',
                g %% 3 = 0, false, now(), now()
            FROM generate_series(1, %s) g
            """,
            [customers],
        )
        cur.execute(
            """
            INSERT INTO orders_order (external_id, customer_id, number, status, currency, total,
                url, placed_at, status_changed_at)
            SELECT 'bo-' || g, 1 + (g::bigint * 7919) %% %s, '#' || (100000 + g),
                (ARRAY['pending','paid','processing','shipped','delivered','cancelled',
                       'refunded'])[1 + g %% 7],
                'USD', (10 + g %% 200)::numeric, '',
                now() - (g %% 730) * interval '1 day', now()
            FROM generate_series(1, %s) g
            """,
            [customers, orders],
        )
        cur.execute(
            """
            INSERT INTO orders_orderitem (order_id, position, product_external_id, name,
                quantity, unit_price, image_url)
            SELECT id, 0, 'P0001', 'Linen shirt', 1, total, '' FROM orders_order
            """
        )
        cur.execute(
            """
            INSERT INTO orders_shipment (external_id, order_id, carrier, tracking_number,
                tracking_url, status, estimated_delivery, shipped_at)
            SELECT 'bs-' || id, id, 'DHL', 'JD' || id, '', 'in_transit',
                (placed_at + interval '6 days')::date, placed_at + interval '1 day'
            FROM orders_order WHERE id % 3 = 0
            """
        )
        cur.execute(
            """
            INSERT INTO orders_shipmentevent (shipment_id, status, description, location,
                occurred_at)
            SELECT id, 'in_transit', 'Picked up', 'Leipzig', shipped_at FROM orders_shipment
            UNION ALL
            SELECT id, 'in_transit', 'Arrived at hub', 'Berlin', shipped_at + interval '1 day'
            FROM orders_shipment
            """
        )
        cur.execute("ANALYZE")
    print(
        f"generated {customers:,} customers / {orders:,} orders in "
        f"{time.perf_counter() - started:.1f} s"
    )


def pct(samples: list[float]) -> str:
    qs = statistics.quantiles(samples, n=100, method="inclusive")
    return (
        f"p50 {qs[49] * 1000:.1f} ms  p95 {qs[94] * 1000:.1f} ms  "
        f"p99 {qs[98] * 1000:.1f} ms  max {max(samples) * 1000:.1f} ms"
    )


def order(n: int, customers: int, prefix: str) -> dict:
    return {
        "external_id": f"{prefix}-{n}",
        "customer": f"bc-{1 + (n * 31) % customers}",
        "number": f"#{n}",
        "status": "paid",
        "currency": "USD",
        "total": "59.00",
        "placed_at": "2026-11-01T10:00:00Z",
        "items": [
            {"product": "P0001", "name": "Linen shirt", "quantity": 1, "unit_price": "39.00"},
            {"product": "P0003", "name": "Wool beanie", "quantity": 1, "unit_price": "20.00"},
        ],
    }


def bench_upserts(customers: int, singles: int, batches: int) -> None:
    from django.test import Client

    from orders.models import ApiToken

    token = ApiToken(name="bench", scope=ApiToken.Scope.WRITE)
    key = token.set_new_key()
    token.save()
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    run = int(time.time())
    for label, expected in (("new", 201), ("repeat", 200)):
        times = []
        for n in range(singles):
            body = order(n, customers, f"single{run}")
            t0 = time.perf_counter()
            response = client.post("/api/v1/orders", body, content_type="application/json")
            times.append(time.perf_counter() - t0)
            assert response.status_code == expected, response.content[:300]
        print(
            f"single upsert ({label}):{' ' * (8 - len(label))}"
            f"{singles / sum(times):7.0f} orders/s   {pct(times)}"
        )
    for label, prefix in (("new", f"bulk{run}"), ("repeat", f"bulk{run}")):
        total = cpu = 0.0
        count = 0
        for b in range(batches):
            payload = {"orders": [order(b * 1000 + i, customers, prefix) for i in range(1000)]}
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.post("/api/v1/orders/bulk", payload, content_type="application/json")
            total += time.perf_counter() - t0
            cpu += time.process_time() - c0
            assert response.status_code == 200, response.content[:300]
            count += 1000
        print(
            f"bulk upsert ({label}, 1,000/call): {count / total:7.0f} orders/s   "
            f"{total / batches * 1000:.0f} ms per call (app CPU {cpu / batches * 1000:.0f} ms)"
        )
    ApiToken.objects.filter(pk=token.pk).delete()


def bench_sidebar(customers: int, conversations: int, requests: int) -> None:
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from chat.models import Conversation, Visitor

    rng = random.Random(7)
    user, _ = User.objects.get_or_create(username="bench-agent")
    user.groups.add(Group.objects.get_or_create(name="Agents")[0])
    ids = []
    for customer_id in rng.sample(range(1, customers + 1), conversations):
        visitor = Visitor.objects.create(customer_id=customer_id, current_url="/p/linen-shirt/")
        ids.append(Conversation.objects.create(visitor=visitor, customer_id=customer_id).pk)
    client = Client()
    client.force_login(user)
    for cid in ids[:20]:  # warm-up
        client.get(f"/api/v1/conversations/{cid}/customer")
    times = []
    cpu = 0.0
    for _ in range(requests):
        cid = rng.choice(ids)
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.get(f"/api/v1/conversations/{cid}/customer")
        times.append(time.perf_counter() - t0)
        cpu += time.process_time() - c0
        assert response.status_code == 200
    data = response.json()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(f"/api/v1/conversations/{cid}/customer")
    print(
        f"sidebar ({requests} GETs over {conversations} customers, "
        f"{data['stats']['order_count']} orders in the last one, {len(queries)} queries): "
        f"{pct(times)}  (app CPU {cpu / requests * 1000:.1f} ms per GET)"
    )
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
    for q in slowest:
        print(f"    {float(q['time']) * 1000:5.1f} ms  {q['sql'][:110]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--singles", type=int, default=300)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--sidebar-requests", type=int, default=1000)
    parser.add_argument("--reset", action="store_true", help="regenerate the data")
    parser.add_argument("--only", choices=["upserts", "sidebar"], help="run one part")
    args = parser.parse_args()

    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from orders.models import Customer, Order

    have = Order.objects.filter(external_id__startswith="bo-").count()
    if args.reset or have < args.orders or Customer.objects.count() < args.customers:
        generate(args.customers, args.orders)
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        f"database {BENCH_DB}: {Customer.objects.count():,} customers, "
        f"{Order.objects.count():,} orders ({connection.vendor})"
    )
    if args.only in (None, "upserts"):
        bench_upserts(args.customers, args.singles, args.batches)
    if args.only in (None, "sidebar"):
        bench_sidebar(args.customers, 200, args.sidebar_requests)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
