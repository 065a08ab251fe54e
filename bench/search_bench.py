"""Message search benchmark: 1M messages (English and Chinese) in PostgreSQL; today's search
(the index, chat/search/) against the baseline it replaced and against pg_trgm, in one run.

    . .venv/bin/activate && python bench/search_bench.py                 # 50k conv. / 1M msgs
    python bench/search_bench.py --conversations 5000 --runs 3           # quick
    python bench/search_bench.py --reuse                                 # time queries only

Prints: load time; the search index's build time (the migration's partition-by-partition
CONCURRENTLY build) and size; for each query, its hits and the median time of

- ``list old``: the workspace list's search before the index (``EXISTS … body ILIKE``, the
  baseline), through the real selector;
- ``list``: the list's search now (``q`` through the index);
- ``search``: ``GET /api/v1/search/messages``'s query (20 newest matching messages);
- ``ilike``: the same 20 newest by ``body ILIKE`` per word without an index;
- ``trgm``: the same with a pg_trgm GIN index on the body (built after the others ran, its
  build time and size printed too);

then p50 / p95 over every query and run of each. Its own database (default
``helpdesk_bench_search``), dropped and re-created unless ``--reuse``. Bodies are drawn from
a Zipf-distributed vocabulary: support words (the commonest in most messages), product codes
(rare) and Chinese words and place names; 40 % of conversations are in Chinese.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.analytics_bench import fill_sql, pct, setup  # noqa: E402

EN = [
    "order",
    "my",
    "the",
    "is",
    "where",
    "refund",
    "please",
    "hi",
    "thanks",
    "shipping",
    "parcel",
    "delivery",
    "size",
    "colour",
    "return",
    "tracking",
    "number",
    "days",
    "still",
    "not",
    "arrived",
    "yet",
    "can",
    "you",
    "help",
    "address",
    "change",
    "cancel",
    "payment",
    "card",
    "paid",
    "twice",
    "discount",
    "code",
    "coupon",
    "invoice",
    "account",
    "password",
    "login",
    "email",
    "phone",
    "broken",
    "damaged",
    "wrong",
    "item",
    "missing",
    "package",
    "courier",
    "weekend",
    "today",
    "tomorrow",
    "week",
    "store",
    "pickup",
    "exchange",
    "bigger",
    "smaller",
    "fit",
    "jacket",
    "shoes",
    "dress",
    "shirt",
    "trousers",
    "bag",
    "wallet",
    "watch",
    "charger",
    "cable",
    "battery",
    "screen",
    "warranty",
    "repair",
    "replace",
    "stock",
    "available",
    "restock",
    "price",
    "sale",
    "black",
    "white",
    "blue",
    "red",
    "green",
    "grey",
    "large",
    "medium",
    "small",
    "hello",
    "morning",
    "evening",
    "urgent",
    "gift",
    "wrap",
    "message",
    "receipt",
    "vat",
    "company",
    "business",
    "bulk",
    "wholesale",
    "customs",
    "duty",
    "fee",
]
ZH = [
    "订单",
    "退货",
    "快递",
    "尺码",
    "颜色",
    "发货",
    "物流",
    "退款",
    "换货",
    "什么",
    "时候",
    "可以",
    "请问",
    "谢谢",
    "你好",
    "地址",
    "修改",
    "取消",
    "付款",
    "发票",
    "优惠券",
    "折扣",
    "会员",
    "积分",
    "客服",
    "质量",
    "问题",
    "破损",
    "少件",
    "错发",
    "包裹",
    "签收",
    "门店",
    "自提",
    "衣服",
    "鞋子",
    "裤子",
    "外套",
    "手表",
    "充电器",
    "电池",
    "屏幕",
    "保修",
    "维修",
    "库存",
    "到货",
    "价格",
    "活动",
    "大号",
    "小号",
    "中号",
    "黑色",
    "白色",
    "红色",
    "蓝色",
    "明天",
    "今天",
    "周末",
    "紧急",
    "礼物",
    "包装",
    "公司",
    "税号",
    "海关",
    "关税",
    "运费",
    "多久",
    "能不能",
]
PLACES = [
    "北京",
    "上海",
    "广州",
    "深圳",
    "杭州",
    "南京",
    "成都",
    "重庆",
    "武汉",
    "西安",
    "天津",
    "苏州",
    "长沙",
    "郑州",
    "青岛",
    "厦门",
    "昆明",
    "大连",
    "宁波",
    "合肥",
    "福州",
    "哈尔滨",
    "沈阳",
    "长春",
    "石家庄",
    "太原",
    "南昌",
    "贵阳",
    "南宁",
    "海口",
    "兰州",
    "银川",
    "西宁",
    "呼和浩特",
    "拉萨",
    "乌鲁木齐",
    "朝阳区",
    "海淀区",
    "浦东新区",
    "天河区",
    "南山区",
    "西湖区",
]
SKUS = [f"sku{n}" for n in range(20_000)]
NAMES = ["Ana", "Mia", "Leo", "Wei", "Li Na", "Zhang Wei", "Olga", "Tom", "Sara", "Ivan"]
NAMES += ["王芳", "李娜", "张伟", "刘洋", "陈静"]
NAMES_SQL = "ARRAY[" + ", ".join(f"'{name}'" for name in NAMES) + "]"

QUERIES = [
    ("en, very common", "order"),
    ("en, common", "refund"),
    ("en, mid", "warranty"),
    ("en, rare code", "sku4242"),
    ("en, two words", "refund parcel"),
    ("en, no hit", "zyzzyva"),
    ("zh, very common", "订单"),
    ("zh, common", "发票"),
    ("zh, rare place", "乌鲁木齐"),
    ("zh, two words", "退货 尺码"),
    ("zh, no hit", "量子计算"),
    ("person, common", "ana"),
    ("person, e-mail", "shopper4242@"),
]


def zipf(words: list[str]) -> list[float]:
    return [1.0 / (rank + 1) for rank in range(len(words))]


_CUM: dict[bool, tuple[list[str], list[float]]] = {}


def bodies(rng: random.Random, n: int, chinese: bool) -> list[str]:
    if chinese not in _CUM:
        if chinese:
            vocab = ZH + PLACES
            weights = zipf(ZH) + [0.02 / (i + 1) for i in range(len(PLACES))]
        else:
            vocab, weights = EN + SKUS, zipf(EN) + [0.3 / (i + 10) for i in range(len(SKUS))]
        _CUM[chinese] = (vocab, list(itertools.accumulate(weights)))
    vocab, cum = _CUM[chinese]
    out = []
    for _ in range(n):
        words = rng.choices(vocab, cum_weights=cum, k=rng.randint(4, 16))
        out.append(("".join(words) + "。") if chinese else (" ".join(words) + "."))
    return out


def generate(conversations: int, per: int, days: int, seed: int = 7) -> int:
    from django.contrib.auth.models import Group, User
    from django.db import connection, transaction

    from chat.models.inbox import default_web_channel_id
    from chat.partitions import message_partitions_ensure
    from chat.search.index import drop_index
    from chat.search.segment import index_text

    rng = random.Random(seed)
    group, _ = Group.objects.get_or_create(name="Agents")
    agent = User.objects.create(username="bench-agent", password="!")
    group.user_set.add(agent)
    channel = default_web_channel_id()
    with connection.cursor() as c:
        drop_index(c)  # built after the load, as the migration builds it on a full table
    with transaction.atomic(), connection.cursor() as c:
        c.execute(
            "CREATE TEMP TABLE g ON COMMIT DROP AS SELECT i, "
            f"now() - make_interval(secs => random() * {days} * 86400) AS t0, "
            "random() < 0.4 AS zh FROM generate_series(1, %s) AS i",
            [conversations],
        )
        c.execute(
            fill_sql(
                c,
                "chat_visitor",
                {
                    "public_id": "gen_random_uuid()",
                    "created_at": "t0",
                    "channel_id": str(channel),
                    # A name for every shopper, an e-mail for half (the list's search reads them).
                    "name": f"({NAMES_SQL})[1 + i % {len(NAMES)}] || ' ' || (i % 997)",
                    "email": "CASE WHEN i % 2 = 0 THEN 'shopper' || i || '@example.com' "
                    "ELSE '' END",
                },
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
                    "last_seq": str(per),
                    "created_at": "t0",
                    "last_activity_at": f"t0 + interval '{per} minutes'",
                    "last_message_preview": "''",
                },
                "FROM g ORDER BY i",
            )
        )
        c.execute(
            f"SELECT c.id, c.created_at, g.zh FROM g JOIN chat_conversation c "
            f"ON c.visitor_id = {v0} + g.i - 1 ORDER BY c.id"
        )
        convs = c.fetchall()
    # One message per month first, so every month gets its partition (not DEFAULT).
    months: dict[tuple[int, int], Any] = {}
    for conv in convs:
        months.setdefault((conv[1].year, conv[1].month), conv)
    columns = (
        "conversation_id, seq, client_id, sender_kind, sender_name, kind, private, body, search_text, "
        "created_at, conversation_created_at"
    )

    def rows(items: list[Any], seqs: range) -> io.StringIO:
        buf = io.StringIO()
        for conv_id, start, zh in items:
            texts = bodies(rng, len(seqs), zh)
            for seq, body in zip(seqs, texts, strict=True):
                at = start.timestamp() + seq * 60
                sender = "visitor" if seq % 2 else "agent"
                st = index_text(body)
                buf.write(
                    f"{conv_id}\t{seq}\tb-{seq}\t{sender}\t\ttext\tf\t{body}\t"
                    f"{st if st is not None else chr(92) + 'N'}\t"
                    f"{time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(at))}+00\t"
                    f"{start.isoformat()}\n"
                )
        buf.seek(0)
        return buf

    def copy(buf: io.StringIO) -> None:
        with transaction.atomic(), connection.cursor() as c:
            c.execute("SET LOCAL synchronous_commit = off")
            with c.cursor.copy(f"COPY chat_message ({columns}) FROM STDIN") as cp:
                while chunk := buf.read(1 << 20):
                    cp.write(chunk)

    copy(rows(list(months.values()), range(1, 2)))
    message_partitions_ensure()
    firsts = {conv[0] for conv in months.values()}

    batch: list[Any] = []
    for conv in convs:
        batch.append(conv)
        if len(batch) == 2000:
            copy(rows([b for b in batch if b[0] not in firsts], range(1, per + 1)))
            copy(rows([b for b in batch if b[0] in firsts], range(2, per + 1)))
            batch = []
    if batch:
        copy(rows([b for b in batch if b[0] not in firsts], range(1, per + 1)))
        copy(rows([b for b in batch if b[0] in firsts], range(2, per + 1)))
    with connection.cursor() as c:
        # Each conversation's preview is its last message, as the message path leaves it.
        c.execute(
            "UPDATE chat_conversation c SET last_message_preview = left(m.body, 200) "
            "FROM chat_message m WHERE m.conversation_id = c.id "
            "AND m.conversation_created_at = c.created_at AND m.seq = c.last_seq"
        )
        c.execute("ANALYZE chat_visitor")
        c.execute("ANALYZE chat_message")
        # VACUUM too, as autovacuum would after that update: without it every conversation has
        # a dead version and index-only scans visit the heap (3,163 heap fetches for 2,000 rows).
        c.execute("VACUUM ANALYZE chat_conversation")
        c.execute("SELECT count(*) FROM chat_message")
        return c.fetchone()[0]


def index_size(cursor: Any, name: str) -> int:
    """Bytes of a partitioned index (every partition's)."""
    cursor.execute(
        "SELECT coalesce(sum(pg_relation_size(relid)), 0) FROM pg_partition_tree(%s::regclass)",
        [name],
    )
    return cursor.fetchone()[0]


def build_index() -> tuple[float, int]:
    from django.db import connection

    from chat.search.index import create_index

    started = time.perf_counter()
    with connection.cursor() as c:
        create_index(c)
        elapsed = time.perf_counter() - started
        return elapsed, index_size(c, "message_search_vector")


def build_trgm() -> tuple[float, int]:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as c:
        c.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        c.execute("DROP INDEX IF EXISTS message_body_trgm")
        c.execute("CREATE INDEX message_body_trgm ON chat_message USING gin (body gin_trgm_ops)")
        elapsed = time.perf_counter() - started
        return elapsed, index_size(c, "message_body_trgm")


def variants() -> dict[str, Any]:
    from django.contrib.auth.models import User
    from django.db.models import Exists, OuterRef, Q

    from chat import selectors
    from chat.models import Message
    from chat.search.messages import search_messages
    from chat.search.segment import query_words

    user = User.objects.get(username="bench-agent")
    new_list = selectors.conversation_search_condition

    def old_condition(search: str, **_within: Any) -> Q:
        """The list's search before the index: names, preview, any message ``ILIKE``."""
        message = Exists(
            Message.objects.filter(
                conversation=OuterRef("pk"),
                conversation_created_at=OuterRef("created_at"),
                body__icontains=search,
            )
        )
        return (
            Q(visitor__name__icontains=search)
            | Q(customer__name__icontains=search)
            | Q(customer__email__icontains=search)
            | Q(last_message_preview__icontains=search)
            | message
        )

    def listed(q: str, old: bool) -> int:
        selectors.conversation_search_condition = old_condition if old else new_list  # type: ignore[assignment]
        try:
            return len(list(selectors.conversations_for_agent(user=user, status=None, search=q)))
        finally:
            selectors.conversation_search_condition = new_list  # type: ignore[assignment]

    def ilike(q: str) -> int:
        cond = Q()
        for word in query_words(q):
            cond &= Q(body__icontains=word)
        qs = Message.objects.filter(cond).order_by("-created_at", "-id")[:20]
        return len(list(qs.select_related("conversation")))

    return {
        "list old": lambda q: listed(q, True),
        "list": lambda q: listed(q, False),
        "search": lambda q: len(search_messages(query=q, limit=20)),
        "ilike": ilike,
    }


def hits(q: str) -> int:
    from chat.search.messages import matching_messages

    return matching_messages(q).count()


def time_all(fns: dict[str, Any], runs: int, samples: dict[str, list[float]]) -> None:
    for label, q in QUERIES:
        line = [f"  {label:<16} {q:<14} hits {hits(q):>7}"]
        for name, fn in fns.items():
            fn(q)  # warm
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                fn(q)
                times.append((time.perf_counter() - started) * 1000)
            samples.setdefault(name, []).extend(times)
            line.append(f"{name} {statistics.median(times):7.1f}")
        print("   ".join(line), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="helpdesk_bench_search")
    parser.add_argument("--conversations", type=int, default=50_000)
    parser.add_argument("--messages-per-conversation", type=int, default=20)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--slow-runs", type=int, default=3, help="runs of the unindexed ones")
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument(
        "--only",
        nargs="*",
        choices=["list", "search", "list old", "ilike", "trgm"],
        help="time only these (with --reuse: re-measure after a change)",
    )
    parser.add_argument(
        "--jit",
        action="store_true",
        help="keep PostgreSQL's JIT on (its default): the list query's estimated cost (the "
        "unread count per row over every partition) makes it compile each time, 200+ ms",
    )
    args = parser.parse_args()
    setup(args.db, reuse=args.reuse)
    if not args.reuse:
        started = time.perf_counter()
        n = generate(args.conversations, args.messages_per_conversation, args.days)
        print(f"loaded {n} messages in {time.perf_counter() - started:.1f} s", flush=True)
        elapsed, size = build_index()
        print(f"search index built in {elapsed:.1f} s, {size / 2**20:.0f} MiB", flush=True)
    from django.db import connection

    with connection.cursor() as c:
        if not args.jit:
            c.execute("SET jit = off")
        c.execute("DROP INDEX IF EXISTS message_body_trgm")
        c.execute("SELECT count(*), count(search_text) FROM chat_message")
        total, zh = c.fetchone()
    print(
        f"{total} messages ({zh} with Chinese); times in ms (median of {args.runs} runs, "
        f"{args.slow_runs} for list old and ilike; jit {'on' if args.jit else 'off'}); load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    fns = variants()
    samples: dict[str, list[float]] = {}
    only = set(args.only or ["list", "search", "list old", "ilike", "trgm"])
    fast = {k: fns[k] for k in ("list", "search") if k in only}
    slow = {k: fns[k] for k in ("list old", "ilike") if k in only}
    if fast:
        time_all(fast, args.runs, samples)
    if slow:
        time_all(slow, args.slow_runs, samples)
    if "trgm" in only:
        elapsed, size = build_trgm()
        print(f"pg_trgm index built in {elapsed:.1f} s, {size / 2**20:.0f} MiB", flush=True)
        time_all({"trgm": fns["ilike"]}, args.runs, samples)
    print(f"overall (every query and run; load average {os.getloadavg()[0]:.2f}):")
    for name, times in samples.items():
        print(f"  {name:<9} p50 {pct(times, 0.5):8.1f} ms   p95 {pct(times, 0.95):8.1f} ms")


if __name__ == "__main__":
    main()
