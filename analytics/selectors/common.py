"""SQL shared by the report selectors: rollup sums and percentiles.

Every read picks one *slice* of the rollups (docs/metrics.md): all teams and agents, one
team, one agent, or one agent in one team.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from helpdesk.db_routers import report_connection

from .. import dialects
from ..dialects import percentile_cont
from ..models import ALL
from ..services import statements
from .filters import ReportFilter

SUM_COLUMNS = [
    "conversations",
    "outside_hours",
    "reopened",
    "handovers",
    "assignments",
    "transfers",
    "resolved",
    "bot_resolved",
    "unanswered",
    "assigned_handover",
    "assigned_outside",
    "agent_conversations",
    "msg_visitor",
    "msg_agent",
    "msg_bot",
    "msg_notes",
    "fr_count",
    "fr_sum",
    "fr_bh_sum",
    "fr_within_3m",
    "fr_bh_within_3m",
    "afr_count",
    "afr_sum",
    "afr_bh_sum",
    "rw_count",
    "rw_sum",
    "rw_bh_sum",
    "res_count",
    "res_sum",
    "res_bh_sum",
    "csat_count",
    "csat_sum",
    "csat_1",
    "csat_2",
    "csat_3",
    "csat_4",
    "csat_5",
    "conv24",
    "conv24_amount",
    "conv7",
    "conv7_amount",
    "handled_count",
    "handled_sum",
    "handled_bh_sum",
]


def _channel_join(f: ReportFilter, alias: str, column: str) -> tuple[str, list[Any]]:
    """A FROM tail keeping the rows (alias ``alias``, time ``column``) of the filter's
    channel's conversations in the filter's range."""
    d = dialects.current()
    join = (
        f"JOIN chat_conversation {alias}c ON {alias}c.id = {alias}.conversation_id "
        f"AND {alias}c.channel_id = %s AND {alias}.{column} >= %s AND {alias}.{column} < %s"
    )
    return join, [f.channel_id, d.stamp(f.lo), d.stamp(f.hi)]


def daily_table(f: ReportFilter) -> tuple[str, list[Any]]:
    """What to read the daily rows from: the rollup table, or with a channel filter the same
    rows summed live from that channel's facts and message counts in the range (the rollups
    hold no channel dimension; a channel's facts over a report range are few)."""
    if not f.channel_id:
        return "analytics_dailyrollup", []
    d = dialects.current()
    # An agent's load (kind 5) belongs to no conversation: the agent's peak concurrency is
    # over every channel.
    facts = (
        "LEFT JOIN chat_conversation fc ON fc.id = f.conversation_id "
        "WHERE f.at >= %s AND f.at < %s AND (fc.channel_id = %s OR f.kind = 5)"
    )
    fact_params = [d.stamp(f.lo), d.stamp(f.hi), f.channel_id]
    messages, message_params = _channel_join(f, "m", "hour")
    sql = statements.daily_select(d, f.time_zone, facts, messages, named=True)
    return f"({sql})", [*fact_params, *message_params]


def hourly_table(f: ReportFilter) -> tuple[str, list[Any]]:
    """``daily_table`` for the hourly rows (the heat map)."""
    if not f.channel_id:
        return "analytics_hourlyrollup", []
    facts, params = _channel_join(f, "f", "at")
    return f"({statements.hourly_select(dialects.current(), facts, named=True)})", params


def question_table(f: ReportFilter) -> tuple[str, list[Any]]:
    """``daily_table`` for the daily question counts."""
    if not f.channel_id:
        return "analytics_questiondaily", []
    questions, params = _channel_join(f, "q", "at")
    sql = statements.question_select(dialects.current(), f.time_zone, questions, named=True)
    return f"({sql})", params


def channel_condition(f: ReportFilter, column: str) -> tuple[str, list[Any]]:
    """``column`` (a conversation id) is one of the filter's channel's conversations."""
    return (
        f"{column} IN (SELECT cc.id FROM chat_conversation cc WHERE cc.channel_id = %s)",
        [f.channel_id],
    )


def slice_where(
    f: ReportFilter, alias: str = "r", *, by_agent: bool = False
) -> tuple[str, list[Any]]:
    """WHERE for the filter's slice of a rollup table; ``by_agent``: one row per agent."""
    where = [f"{alias}.team_id = %s"]
    params: list[Any] = [f.team_id or ALL]
    if f.agent_id:
        where.append(f"{alias}.agent_id = %s")
        params.append(f.agent_id)
    elif by_agent:
        where.append(f"{alias}.agent_id > 0")
    else:
        where.append(f"{alias}.agent_id = %s")
        params.append(ALL)
    return " AND ".join(where), params


def daily_where(f: ReportFilter, *, by_agent: bool = False) -> tuple[str, list[Any]]:
    """The filter's days, in its time zone's rows, and its slice."""
    where, params = slice_where(f, by_agent=by_agent)
    return (
        f"r.zone = %s AND r.day >= %s AND r.day <= %s AND {where}",
        [f.time_zone, f.start, f.end, *params],
    )


def hourly_where(f: ReportFilter) -> tuple[str, list[Any]]:
    where, params = slice_where(f)
    d = dialects.current()
    return f"r.hour >= %s AND r.hour < %s AND {where}", [d.stamp(f.lo), d.stamp(f.hi), *params]


def rollup_sums(f: ReportFilter, *, by_agent: bool = False) -> list[dict[str, Any]]:
    """Sums of the daily rollup over the filter: one row, or one per agent (``key``)."""
    where, params = daily_where(f, by_agent=by_agent)
    table, table_params = daily_table(f)
    cols = ", ".join(f"coalesce(sum(r.{c}), 0) AS {c}" for c in SUM_COLUMNS)
    cols += ", coalesce(max(r.peak_load), 0) AS peak_load"
    key = "r.agent_id" if by_agent else "0"
    sql = f"SELECT {key} AS key, {cols} FROM {table} r WHERE {where}"
    if by_agent:
        sql += " GROUP BY r.agent_id"
    with report_connection().cursor() as cursor:
        cursor.execute(sql, [*table_params, *params])
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@dataclass(frozen=True)
class Stat:
    """Median, p90 and mean of one duration (seconds); ``None`` when nothing was measured."""

    count: int = 0
    median: float | None = None
    p90: float | None = None
    mean: float | None = None
    exact: bool = True


# Up to this many durations in a range the percentiles are exact (computed from the facts);
# above, they come from the daily histograms, within ±2.5 %.
EXACT_LIMIT = 5000
GROWTH = 1.05
COUNT_SUM = {
    6: ("fr_count", "fr_sum", "fr_bh_sum"),
    7: ("afr_count", "afr_sum", "afr_bh_sum"),
    8: ("rw_count", "rw_sum", "rw_bh_sum"),
    9: ("res_count", "res_sum", "res_bh_sum"),
}


def bucket_value(bucket: int) -> float:
    """The value a histogram bucket stands for: the geometric middle of its bounds."""
    return 0.0 if bucket <= 0 else GROWTH ** (bucket - 0.5)


def percentile(buckets: list[tuple[int, int]], p: float) -> float | None:
    """``percentile_cont`` over a histogram [(bucket, count)] sorted by bucket."""
    total = sum(n for _b, n in buckets)
    if not total:
        return None
    rank = p * (total - 1)
    below, above = math.floor(rank), math.ceil(rank)
    values: dict[int, float] = {}
    seen = 0
    for bucket, n in buckets:
        for r in (below, above):
            if seen <= r < seen + n:
                values[r] = bucket_value(bucket)
        seen += n
    return values[below] + (values[above] - values[below]) * (rank - below)


def durations(
    f: ReportFilter, kinds: list[int], sums: dict[int, dict[str, Any]]
) -> dict[tuple[int, int], Stat]:
    """Median, p90 and mean of duration facts in the range, keyed by (kind, agent id or 0).

    ``sums`` are the rollup sums of the same filter keyed by agent (0 = the whole slice,
    else one row per agent): they give the counts and the exact means. Small ranges and
    agent-level numbers read the facts (exact); large team / desk ranges read the daily
    histograms (±2.5 %)."""
    by_agent = any(k != 0 for k in sums)
    total = sum(int(row[COUNT_SUM[k][0]]) for row in sums.values() for k in kinds)
    # A channel's durations are read from its facts (the histograms hold no channel).
    if total <= EXACT_LIMIT or by_agent or f.agent_id or f.channel_id:
        return _exact(f, kinds, by_agent, sums)
    bh = f.business_hours
    where, params = slice_where(f, alias="h", by_agent=by_agent)
    agent = "h.agent_id" if by_agent else "0"
    kind_in, kind_params = dialects.current().any_of("h.kind", kinds)
    sql = (
        f"SELECT h.kind, {agent}, h.bucket, sum(h.count) FROM analytics_durationhistogram h "
        f"WHERE h.zone = %s AND h.day >= %s AND h.day <= %s AND {kind_in} "
        "AND h.business_hours = %s "
        f"AND {where} GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    )
    grouped: dict[tuple[int, int], list[tuple[int, int]]] = {}
    with report_connection().cursor() as cursor:
        cursor.execute(sql, [f.time_zone, f.start, f.end, *kind_params, bh, *params])
        for kind, agent_id, bucket, count in cursor.fetchall():
            grouped.setdefault((kind, agent_id), []).append((bucket, int(count)))
    out: dict[tuple[int, int], Stat] = {}
    for (kind, agent_id), buckets in grouped.items():
        row = sums.get(agent_id)
        count_col, sum_col, bh_col = COUNT_SUM[kind]
        count = int(row[count_col]) if row else sum(n for _b, n in buckets)
        mean = float(row[bh_col if bh else sum_col]) / count if row and count else None
        out[(kind, agent_id)] = Stat(
            count, percentile(buckets, 0.5), percentile(buckets, 0.9), mean, exact=False
        )
    return out


def _mean(row: dict[str, Any] | None, kind: int, business_hours: bool) -> tuple[int, float | None]:
    """The count and mean of ``kind``'s durations from a row of rollup sums."""
    if row is None:
        return 0, None
    count_col, sum_col, bh_col = COUNT_SUM[kind]
    count = int(row[count_col])
    total = row[bh_col if business_hours else sum_col]
    return count, (float(total) / count if count and total is not None else None)


def _exact(
    f: ReportFilter, kinds: list[int], by_agent: bool, sums: dict[int, dict[str, Any]]
) -> dict[tuple[int, int], Stat]:
    """Exact percentiles from the duration facts (covering indexes ``fact_duration_at``,
    per agent ``fact_duration_agent_at``); ``by_agent``: for the agents of ``sums``, whose
    counts and means come from those rollup sums (the facts give only the percentiles)."""
    agent_ids = sorted(k for k in sums if k)
    d = dialects.current()
    column = "bh_seconds" if f.business_hours else "seconds"
    kind_in, kind_params = d.any_of("f.kind", kinds)
    where = [kind_in, "f.at >= %s", "f.at < %s"]
    params: list[Any] = [*kind_params, d.stamp(f.lo), d.stamp(f.hi)]
    if f.team_id:
        where.append("f.team_id = %s")
        params.append(f.team_id)
    if f.agent_id:
        where.append("f.agent_id = %s")
        params.append(f.agent_id)
    if f.channel_id:
        condition, condition_params = channel_condition(f, "f.conversation_id")
        where.append(condition)
        params += condition_params
    if by_agent and not f.channel_id and set(kinds) <= set(statements.AGENT_KINDS):
        return _agent_days(f, kinds, agent_ids, sums)
    agent = "coalesce(f.agent_id, 0)" if by_agent else "0"
    if d.sqlite:
        return _exact_sqlite(column, agent, where, params)
    pct = f"percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY f.{column})"
    if by_agent:
        # One aggregate per (kind, agent): each reads just its range of the index
        # ``fact_duration_agent_at`` and sorts only its own durations. Grouping all of them
        # in one scan read every duration of the three kinds (the date range is the index's
        # third column) and, through ``fact_duration_at``, sorted ~220,000 rows of 30 days
        # at once (docs/performance.md).
        # Only the percentiles: the count and mean are the rollup's (a tenth of the
        # query's server CPU on the bench's 30 days).
        sql = (
            "SELECT k.kind, a.id, s.pct FROM unnest(%s::int[]) AS k(kind) "
            "CROSS JOIN unnest(%s::bigint[]) AS a(id) CROSS JOIN LATERAL (SELECT "
            f"{pct} AS pct FROM analytics_fact f "
            f"WHERE f.kind = k.kind AND f.agent_id = a.id AND {' AND '.join(where)}) AS s "
            "WHERE s.pct IS NOT NULL"
        )
        per_agent: dict[tuple[int, int], Stat] = {}
        with report_connection().cursor() as cursor:
            cursor.execute(sql, [kinds, agent_ids, *params])
            for kind, agent_id, cuts in cursor.fetchall():
                count, mean = _mean(sums.get(agent_id), kind, f.business_hours)
                per_agent[(kind, agent_id)] = Stat(count, cuts[0], cuts[1], mean)
        return per_agent
    sql = (
        f"SELECT f.kind, 0, count(*), {pct}, avg(f.{column}) "
        f"FROM analytics_fact f WHERE {' AND '.join(where)} GROUP BY 1, 2"
    )
    out: dict[tuple[int, int], Stat] = {}
    with report_connection().cursor() as cursor:
        cursor.execute(sql, params)
        for kind, agent_id, count, cuts, mean in cursor.fetchall():
            out[(kind, agent_id)] = Stat(count, cuts[0], cuts[1], float(mean))
    return out


def _agent_days(
    f: ReportFilter, kinds: list[int], agent_ids: list[int], sums: dict[int, dict[str, Any]]
) -> dict[tuple[int, int], Stat]:
    """``_exact`` per agent from ``analytics_agentdurations``: each (kind, agent)'s values
    of the range are its rows of the range's days (one per day and team), sorted here and
    interpolated as ``percentile_cont`` does (the same numbers: the same values, the same
    arithmetic). On the bench's 30 days that is ~4,500 rows instead of ~218,000 index
    tuples sorted in 150 groups: 36 ms of server CPU became ~5 ms, plus ~7 ms of Python
    (docs/performance.md)."""
    d = dialects.current()
    column = "bh_seconds" if f.business_hours else "seconds"
    kind_in, kind_params = d.any_of("r.kind", kinds)
    agent_in, agent_params = d.any_of("r.agent_id", agent_ids)
    where = ["r.zone = %s", "r.day >= %s", "r.day <= %s", kind_in, agent_in]
    params: list[Any] = [f.time_zone, f.start, f.end, *kind_params, *agent_params]
    if f.team_id:
        where.append("r.team_id = %s")
        params.append(f.team_id)
    # The days are joined here: one row per (kind, agent) instead of one per day and team.
    sql = (
        f"SELECT r.kind, r.agent_id, {d.joined_bytes(f'r.{column}')} "
        f"FROM analytics_agentdurations r WHERE {' AND '.join(where)} GROUP BY 1, 2"
    )
    out: dict[tuple[int, int], Stat] = {}
    with report_connection().cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for kind, agent_id, packed in rows:
        ordered = dialects.unpack_doubles(packed)
        if not len(ordered):
            continue
        ordered.sort()
        count, mean = _mean(sums.get(agent_id), kind, f.business_hours)
        median, p90 = percentile_cont(ordered, 0.5), percentile_cont(ordered, 0.9)
        out[(int(kind), int(agent_id))] = Stat(count, _float(median), _float(p90), mean)
    return out


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _exact_sqlite(
    column: str, agent: str, where: list[str], params: list[Any]
) -> dict[tuple[int, int], Stat]:
    """``_exact`` on SQLite, which has no ``percentile_cont`` aggregate: the embedded
    default's few facts are read in order and interpolated the same way in Python."""
    sql = (
        f"SELECT f.kind, {agent}, f.{column} FROM analytics_fact f "
        f"WHERE {' AND '.join(where)} AND f.{column} IS NOT NULL ORDER BY 1, 2, 3"
    )
    values: dict[tuple[int, int], list[float]] = {}
    with report_connection().cursor() as cursor:
        cursor.execute(sql, params)
        for kind, agent_id, seconds in cursor.fetchall():
            values.setdefault((kind, agent_id), []).append(float(seconds))
    return {
        key: Stat(len(v), percentile_cont(v, 0.5), percentile_cont(v, 0.9), sum(v) / len(v))
        for key, v in values.items()
    }


def ratio(part: Any, whole: Any) -> float | None:
    return float(part) / float(whole) if whole else None


def change(current: float | None, previous: float | None) -> float | None:
    """Relative change against the previous period (0.25 = +25 %); None if not comparable."""
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous
