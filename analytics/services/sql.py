"""The SQL of the rollups: every statement recomputes whole periods from the facts.

The daily rows (every number of the pages) are summed from the facts and message counts of
their days directly; the hourly rows hold only what the heat map reads. (Summing days from
hourly rows of every column cost the full rebuild ~3.5 s of its ~6 on 100k conversations:
facts are spread so thin over hours × agents that the hourly level barely reduces them.)
"""

from __future__ import annotations

_COLUMNS = """
    day, team_id, agent_id, conversations, outside_hours, reopened, handovers, assignments,
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


# The messages, counted per conversation and hour by the listener (``MessageCount``), enter
# the inner level as MESSAGE (kind 11) rows keyed like the facts: value = sender kind,
# flag = internal note. (Any MESSAGE facts, written before the counters, count the same.)
# ``period`` formats a fact's ``at`` / a counter's ``hour`` into the period it belongs to.
def _inner(source: str, message_source: str, period: str) -> str:
    return f"""
    SELECT {period.format("f.at")} AS period, coalesce(f.team_id, 0) AS team,
        coalesce(f.agent_id, 0) AS agent, f.kind AS kind,
        CAST(CASE WHEN f.kind IN (10, 11) THEN f.value END AS integer) AS v, f.flag AS flag,
        CAST(count(*) AS integer) AS n, sum(f.seconds) AS s, sum(f.bh_seconds) AS bs,
        CAST(count(*) FILTER (WHERE f.seconds <= 180) AS integer) AS fast,
        CAST(count(*) FILTER (WHERE f.bh_seconds <= 180) AS integer) AS bfast,
        sum(f.amount) AS amount, max(f.value) AS maxv
    FROM analytics_fact f {source}
    GROUP BY 1, 2, 3, 4, 5, 6
    UNION ALL
    SELECT {period.format("m.hour")}, m.team_id, m.agent_id, 11, m.sender, m.private,
        CAST(sum(m.count) AS integer), NULL, NULL, 0, 0, NULL, NULL
    FROM analytics_messagecount m {message_source}
    GROUP BY 1, 2, 3, 4, 5, 6
"""


UTC_DAY = "(({}) AT TIME ZONE 'UTC')::date"
SLICES = "GROUPING SETS ((period, team, agent), (period, team), (period, agent), (period))"


def daily_insert(source: str, message_source: str) -> str:
    """INSERT of the daily rows of every UTC day the facts of ``source`` (a FROM tail for
    ``analytics_fact f``) and the counts of ``message_source`` (one for
    ``analytics_messagecount m``) cover."""
    return f"""
INSERT INTO analytics_dailyrollup ({_COLUMNS})
SELECT period, coalesce(team, -1), coalesce(agent, -1), {", ".join(_OUTER)}
FROM ({_inner(source, message_source, UTC_DAY)}) AS a
GROUP BY {SLICES}
"""


# The heat map's two numbers; ``source`` is a FROM tail for ``analytics_fact f``.
HOURLY_INNER = """
    SELECT {hour} AS period, coalesce(f.team_id, 0) AS team, coalesce(f.agent_id, 0) AS agent,
        CAST(count(*) FILTER (WHERE f.kind = 1) AS integer) AS conversations,
        CAST(count(*) FILTER (WHERE f.kind = 4) AS integer) AS assignments
    FROM analytics_fact f {source} WHERE f.kind IN (1, 4)
    GROUP BY 1, 2, 3"""
HOURLY_COLUMNS = "hour, team_id, agent_id, conversations, assignments"


def hourly_insert(source: str) -> str:
    return f"""
INSERT INTO analytics_hourlyrollup ({HOURLY_COLUMNS})
SELECT period, coalesce(team, -1), coalesce(agent, -1), sum(conversations), sum(assignments)
FROM ({HOURLY_INNER.format(hour="date_trunc('hour', f.at)", source=source)}) AS a
GROUP BY {SLICES}
"""


# Bucket b >= 1 holds [1.05^(b-1), 1.05^b) seconds; bucket 0 under one second. Only the
# all-teams and per-team slices: an agent has a few dozen durations a day, so a histogram
# would not be smaller than the facts (agent filters read the facts). Wall-clock and
# business-hours seconds are two scans of the duration index (a LATERAL VALUES pair per
# fact cost half as much again).
def _bucketed(column: str, business_hours: str) -> str:
    return f"""
    SELECT (f.at AT TIME ZONE 'UTC')::date AS day, coalesce(f.team_id, 0) AS team,
        f.kind AS kind, {business_hours} AS bh,
        CASE WHEN f.{column} < 1 THEN 0
            ELSE least(1 + floor(ln(f.{column}) / ln(1.05))::int, 30000) END AS bucket,
        CAST(count(*) AS integer) AS n
    FROM analytics_fact f {{source}}
    WHERE f.kind IN (6, 7, 8, 9) AND f.{column} IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5"""


HISTOGRAM_INSERT = f"""
INSERT INTO analytics_durationhistogram
    (day, team_id, agent_id, kind, business_hours, bucket, count)
SELECT day, coalesce(team, -1), -1, kind, bh, bucket, sum(n)
FROM ({_bucketed("seconds", "false")}
    UNION ALL{_bucketed("bh_seconds", "true")}
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
