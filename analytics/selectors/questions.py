"""Hot questions: knowledge-base entries asked, and clusters of unmatched questions."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import numpy as np

from helpdesk.db_routers import report_connection

from .. import dialects
from ..models import ALL, TopicVector
from ..questions import SEMANTIC_SIMILARITY, SIMILARITY, cluster_keys, jaccard
from .common import change, channel_condition, question_table
from .filters import ReportFilter

TOP_KEYS = 400
TOP_CLUSTERS = 20
TOP_ENTRIES = 20
SAMPLE = 40


def _counts(f: ReportFilter) -> list[tuple[dict[int, int], dict[str, int]]]:
    """Per period (the filter's, then the previous one's when it compares): the TOP_KEYS
    knowledge-base entries and unmatched topic keys asked most, each busiest first (ties by
    entry id / topic key), as {entry id: count} and {topic key: count}. One scan of the
    periods' daily rows, ranked per period and kind in SQL; four queries (each period,
    matched and unmatched) read the same rows four times: ~40 of the 30-day page's ~50 ms
    of server CPU on the bench (docs/performance.md)."""
    periods = [f, f.previous()] if f.compare else [f]
    span = replace(f, start=periods[-1].start)
    table, table_params = question_table(span)
    sql = (
        "SELECT p, m, e, t, n FROM (SELECT p, m, e, t, n, row_number() OVER "
        "(PARTITION BY p, m ORDER BY n DESC, e, t) AS r FROM (SELECT "
        "CASE WHEN q.day >= %s THEN 0 ELSE 1 END AS p, CASE WHEN q.kb_entry_id <> 0 THEN 1 "
        "ELSE 0 END AS m, q.kb_entry_id AS e, q.topic_key AS t, sum(q.count) AS n "
        f"FROM {table} q WHERE q.zone = %s AND q.day >= %s AND q.day <= %s "
        # One team, or the all-teams rows; an entry, or an unmatched question's topic.
        "AND q.team_id = %s AND (q.kb_entry_id <> 0 OR q.topic_key <> '') "
        f"GROUP BY 1, 2, 3, 4) AS g) AS s WHERE r <= {TOP_KEYS} ORDER BY p, m, r"
    )
    params = [f.start, *table_params, f.time_zone, span.start, span.end, f.team_id or ALL]
    out: list[tuple[dict[int, int], dict[str, int]]] = [({}, {}) for _ in periods]
    with report_connection().cursor() as cursor:
        cursor.execute(sql, params)
        for period, matched, entry, topic, count in cursor.fetchall():
            entries, topics = out[period]
            if matched:
                entries[int(entry)] = int(count)
            else:
                topics[topic] = int(count)
    return out


def _entry_titles(ids: list[int]) -> dict[int, str]:
    try:
        from chat.models import KnowledgeEntry
    except ImportError:
        return {}
    return dict(KnowledgeEntry.objects.filter(pk__in=ids).values_list("pk", "title"))


def _product_names(ids: set[int]) -> dict[int, str]:
    from orders.models import Product

    return dict(Product.objects.filter(pk__in=ids).values_list("pk", "name"))


def topic_vectors(keys: list[str]) -> dict[str, np.ndarray]:
    """The stored vectors of these topic keys from the bot's current embedder (one query);
    none when semantic matching is off."""
    from chat.bot.matching.embedder import current_embedder

    embedder = current_embedder()
    if embedder is None or not keys:
        return {}
    rows = TopicVector.objects.filter(topic_key__in=keys, model=embedder.name).values_list(
        "topic_key", "vector"
    )
    return {key: np.frombuffer(bytes(blob), dtype="<f4") for key, blob in rows}


def _assign(
    key: str,
    clusters: list[tuple[str, list[str]]],
    members: dict[str, int],
    vectors: dict[str, np.ndarray],
) -> int | None:
    if key in members:
        return members[key]
    words = set(key.split())
    vector = vectors.get(key)
    for i, (seed, _m) in enumerate(clusters):
        if jaccard(words, set(seed.split())) >= SIMILARITY:
            return i
        seed_vector = vectors.get(seed)
        if (
            vector is not None
            and seed_vector is not None
            and float(seed_vector @ vector) >= SEMANTIC_SIMILARITY
        ):
            return i
    return None


def _samples(
    f: ReportFilter, clusters: list[list[str]]
) -> list[tuple[list[str], list[tuple[int, int]]]]:
    """Per cluster: up to 3 recent distinct example questions and the 3 products most
    mentioned among its recent questions (its newest SAMPLE). One query."""
    team = "AND q.team_id = %s" if f.team_id else ""
    team_params: list[Any] = [f.team_id] if f.team_id else []
    if f.channel_id:
        condition, condition_params = channel_condition(f, "q.conversation_id")
        team += f" AND {condition}"
        team_params += condition_params
    d = dialects.current()
    params: list[Any] = []
    # Per cluster, its newest SAMPLE questions over all its keys, ranked as the Python
    # below sorts them (at, text, products descending, text compared by code point).
    # PostgreSQL reads the ``at`` index backwards until it has them (a hot cluster: a few
    # dozen rows) or, for a rare cluster, its keys' rows from the (topic_key, at) index.
    # Reading SAMPLE rows per key instead fetched ~14,000 rows on the 30-day bench to keep
    # 80 (docs/performance.md).
    parts = []
    for i, members in enumerate(clusters):
        key_in, key_params = d.any_of("q.topic_key", members)
        parts.append(
            f"SELECT * FROM (SELECT {i} AS c, q.at, q.text, q.products "
            f"FROM analytics_questionfact q WHERE {key_in} AND q.at >= %s AND q.at < %s "
            f"AND q.kb_entry_id IS NULL {team} "
            f"ORDER BY q.at DESC, {d.codepoint_order('q.text')} DESC, "
            f"{d.codepoint_order('q.products')} DESC LIMIT %s) AS s{i}"
        )
        params += [*key_params, d.stamp(f.lo), d.stamp(f.hi), *team_params, SAMPLE]
    sql = " UNION ALL ".join(parts)
    found: dict[int, list[tuple[Any, str, str]]] = {}
    with report_connection().cursor() as cursor:
        cursor.execute(sql, params)
        for key, at, text, product_ids in cursor.fetchall():
            found.setdefault(key, []).append((at, text, product_ids))
    out = []
    for i in range(len(clusters)):
        newest = sorted(found.get(i, []), reverse=True)
        rows = [(text, ids) for _at, text, ids in newest[:SAMPLE]]
        examples: list[str] = []
        for text, _p in rows:
            if text not in examples:
                examples.append(text)
        products: Counter[int] = Counter(
            int(p) for _t, ps in rows for p in ps.split(",") if p.isdigit()
        )
        out.append((examples[:3], products.most_common(3)))
    return out


def hot_questions(f: ReportFilter) -> dict[str, Any]:
    """Matched entries and unmatched clusters, each with the previous period's count."""
    counts = _counts(f)
    entries, keys = counts[0]
    prev_entries, prev_keys = counts[1] if f.compare else ({}, {})

    titles = _entry_titles(list(entries)[:TOP_ENTRIES])
    matched = [
        {
            "entry_id": entry_id,
            "title": titles.get(entry_id, f"#{entry_id}"),
            "count": count,
            "previous": prev_entries.get(entry_id, 0) if f.compare else None,
            "change": change(count, prev_entries.get(entry_id)) if f.compare else None,
        }
        for entry_id, count in list(entries.items())[:TOP_ENTRIES]
    ]

    vectors = topic_vectors(list({*keys, *prev_keys}))
    clusters = cluster_keys(keys, vectors)
    member_of = {key: i for i, (_seed, members) in enumerate(clusters) for key in members}
    prev_counts: Counter[int] = Counter()
    for key, count in prev_keys.items():
        index = _assign(key, clusters, member_of, vectors)
        if index is not None:
            prev_counts[index] += count
    rows: list[dict[str, Any]] = []
    for i, (seed, members) in enumerate(clusters):
        rows.append(
            {"index": i, "seed": seed, "members": members, "count": sum(keys[k] for k in members)}
        )
    rows.sort(key=lambda r: (-r["count"], r["seed"]))
    rows = rows[:TOP_CLUSTERS]
    product_ids: set[int] = set()
    samples = _samples(f, [row["members"] for row in rows]) if rows else []
    for row, (examples, product_counts) in zip(rows, samples, strict=True):
        row["examples"], row["product_counts"] = examples, product_counts
        product_ids.update(p for p, _n in product_counts)
        row["previous"] = prev_counts.get(row["index"], 0) if f.compare else None
        row["change"] = change(row["count"], prev_counts.get(row["index"])) if f.compare else None
    names = _product_names(product_ids) if product_ids else {}
    for row in rows:
        row["products"] = [names.get(p, f"#{p}") for p, _n in row.pop("product_counts")]
        row["title"] = row["examples"][0] if row["examples"] else row["seed"]
        row["key"] = row["seed"]
    return {"matched": matched, "clusters": rows}
