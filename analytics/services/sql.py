"""The SQL of the rollups: every statement recomputes whole periods from the facts."""

from __future__ import annotations

_COLUMNS = """
    hour, team_id, agent_id, conversations, outside_hours, reopened, handovers, assignments,
    transfers, resolved, bot_resolved, msg_visitor, msg_agent, msg_bot, msg_notes,
    fr_count, fr_sum, fr_bh_sum, fr_within_3m, fr_bh_within_3m,
    afr_count, afr_sum, afr_bh_sum, rw_count, rw_sum, rw_bh_sum, res_count, res_sum, res_bh_sum,
    csat_count, csat_sum, csat_1, csat_2, csat_3, csat_4, csat_5,
    conv24, conv24_amount, conv7, conv7_amount, peak_load
"""


def _sum(expr: str, cond: str) -> str:
    return f"coalesce(sum({expr}) FILTER (WHERE {cond}), 0)"


def _durations(kind: int) -> list[str]:
    return [_sum("n", f"kind = {kind}"), _sum("s", f"kind = {kind}"), _sum("bs", f"kind = {kind}")]


# Two levels: the inner query groups facts by (hour, team, agent, kind, value, flag) with a
# handful of aggregates; the outer one pivots those few rows into columns. Far cheaper than
# forty FILTER aggregates over every fact.
_OUTER = [
    _sum("n", "kind = 1"),
    _sum("n", "kind = 1 AND flag"),
    _sum("n", "kind = 2"),
    _sum("n", "kind = 3"),
    _sum("n", "kind = 4"),
    _sum("n", "kind = 4 AND flag"),
    _sum("n", "kind = 9"),
    _sum("n", "kind = 9 AND flag"),
    _sum("n", "kind = 11 AND v = 1 AND NOT flag"),
    _sum("n", "kind = 11 AND v = 2 AND NOT flag"),
    _sum("n", "kind = 11 AND v = 3 AND NOT flag"),
    _sum("n", "kind = 11 AND flag"),
    *_durations(6),
    _sum("fast", "kind = 6"),
    _sum("bfast", "kind = 6"),
    *_durations(7),
    *_durations(8),
    *_durations(9),
    _sum("n", "kind = 10"),
    _sum("n * v", "kind = 10"),
    *[_sum("n", f"kind = 10 AND v = {score}") for score in range(1, 6)],
    _sum("n", "kind = 12"),
    _sum("amount", "kind = 12"),
    _sum("n", "kind = 13"),
    _sum("amount", "kind = 13"),
    "coalesce(max(maxv) FILTER (WHERE kind = 5), 0)",
]


def hourly_insert(source: str) -> str:
    """INSERT of the rollup rows of every hour the facts of ``source`` (a FROM tail) cover."""
    return f"""
INSERT INTO analytics_hourlyrollup ({_COLUMNS})
SELECT hour, coalesce(team, -1), coalesce(agent, -1), {", ".join(_OUTER)}
FROM (
    SELECT date_trunc('hour', f.at) AS hour, coalesce(f.team_id, 0) AS team,
        coalesce(f.agent_id, 0) AS agent, f.kind AS kind,
        CASE WHEN f.kind IN (10, 11) THEN f.value END AS v, f.flag AS flag,
        count(*) AS n, sum(f.seconds) AS s, sum(f.bh_seconds) AS bs,
        count(*) FILTER (WHERE f.seconds <= 180) AS fast,
        count(*) FILTER (WHERE f.bh_seconds <= 180) AS bfast,
        sum(f.amount) AS amount, max(f.value) AS maxv
    FROM analytics_fact f {source}
    GROUP BY 1, 2, 3, 4, 5, 6
) AS a
GROUP BY GROUPING SETS ((hour, team, agent), (hour, team), (hour, agent), (hour))
"""


_SUMMED = [c.strip() for c in _COLUMNS.split(",")][3:-1]


def daily_insert(source: str) -> str:
    """The daily rows of the days ``source`` (a WHERE tail on the hourly rows) covers."""
    sums = ", ".join(f"sum(r.{c})" for c in _SUMMED)
    return f"""
INSERT INTO analytics_dailyrollup (day, {", ".join(c.strip() for c in _COLUMNS.split(",")[1:])})
SELECT (r.hour AT TIME ZONE 'UTC')::date, r.team_id, r.agent_id, {sums}, max(r.peak_load)
FROM analytics_hourlyrollup r {source}
GROUP BY 1, 2, 3
"""


# Bucket b >= 1 holds [1.05^(b-1), 1.05^b) seconds; bucket 0 under one second. Only the
# all-teams and per-team slices: an agent has a few dozen durations a day, so a histogram
# would not be smaller than the facts (agent filters read the facts).
HISTOGRAM_INSERT = """
INSERT INTO analytics_durationhistogram
    (day, team_id, agent_id, kind, business_hours, bucket, count)
SELECT day, coalesce(team, -1), -1, kind, bh, bucket, sum(n)
FROM (
    SELECT (f.at AT TIME ZONE 'UTC')::date AS day, coalesce(f.team_id, 0) AS team,
        f.kind AS kind, v.bh AS bh,
        CASE WHEN v.s < 1 THEN 0 ELSE least(1 + floor(ln(v.s) / ln(1.05))::int, 30000) END
            AS bucket,
        count(*) AS n
    FROM analytics_fact f {source}
    CROSS JOIN LATERAL (VALUES (false, f.seconds), (true, f.bh_seconds)) AS v(bh, s)
    WHERE f.kind IN (6, 7, 8, 9) AND v.s IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5
) AS x
GROUP BY GROUPING SETS ((day, team, kind, bh, bucket), (day, kind, bh, bucket))
"""


QUESTION_INSERT = """
INSERT INTO analytics_questiondaily (day, team_id, kb_entry_id, topic_key, count)
SELECT day, coalesce(team, -1), entry, topic, sum(n)
FROM (
    SELECT (q.at AT TIME ZONE 'UTC')::date AS day, coalesce(q.team_id, 0) AS team,
        coalesce(q.kb_entry_id, 0) AS entry,
        CASE WHEN q.kb_entry_id IS NULL THEN q.topic_key ELSE '' END AS topic, count(*) AS n
    FROM analytics_questionfact q {source}
    GROUP BY 1, 2, 3, 4
) AS x
GROUP BY GROUPING SETS ((day, team, entry, topic), (day, entry, topic))
"""
