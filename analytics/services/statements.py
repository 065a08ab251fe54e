"""The SQL of the rollups, written once for PostgreSQL and SQLite (``analytics.dialects``).

Every statement recomputes whole periods from the facts. The daily rows (every number of the
pages) are summed from the facts and message counts of their days directly; the hourly rows
hold only what the heat map reads. (Summing days from hourly rows of every column cost the
full rebuild ~3.5 s of its ~6 on 100k conversations: facts are spread so thin over hours ×
agents that the hourly level barely reduces them.)

A ``source`` argument is a FROM tail for the fact table's alias (``f``, ``m``, ``q``) that
restricts the rows (a join with the periods being recomputed), or ``""`` for all of them.
"""

from __future__ import annotations

from ..dialects import Dialect

DAILY_COLUMNS = """
    zone, day, team_id, agent_id, conversations, outside_hours, reopened, handovers, assignments,
    transfers, resolved, bot_resolved, unanswered, assigned_handover, assigned_outside,
    agent_conversations, msg_visitor, msg_agent, msg_bot, msg_notes,
    fr_count, fr_sum, fr_bh_sum, fr_within_3m, fr_bh_within_3m,
    afr_count, afr_sum, afr_bh_sum, rw_count, rw_sum, rw_bh_sum, res_count, res_sum, res_bh_sum,
    csat_count, csat_sum, csat_1, csat_2, csat_3, csat_4, csat_5,
    conv24, conv24_amount, conv7, conv7_amount, peak_load, handled_count, handled_sum,
    handled_bh_sum
"""

# Each period has one row per slice: team × agent, team × all agents, all teams × agent,
# all × all (docs/metrics.md; -1 = all).
SLICES = [("period", "team", "agent"), ("period", "team"), ("period", "agent"), ("period",)]


def _sum(expr: str, cond: str) -> str:
    return f"coalesce(sum({expr}) FILTER (WHERE {cond}), 0)"


def _durations(kind: int) -> list[str]:
    return [_sum("n", f"kind = {kind}"), _sum("s", f"kind = {kind}"), _sum("bs", f"kind = {kind}")]


# Two levels: the inner query groups facts by (period, team, agent, kind, value, flag) with a
# handful of aggregates; the outer one pivots those few rows into columns. Far cheaper than
# forty FILTER aggregates over every fact.
DAILY_AGGREGATES = [
    _sum("n", "kind = 1"),
    _sum("n", "kind = 1 AND flag"),
    _sum("n", "kind = 2"),
    _sum("n", "kind = 3"),
    _sum("n", "kind = 4"),
    _sum("n", "kind = 4 AND flag"),
    _sum("n", "kind = 9"),
    _sum("n", "kind = 9 AND flag"),
    _sum("n", "kind = 9 AND v = 1"),
    _sum("n", "kind = 4 AND (v & 1) = 1"),
    _sum("n", "kind = 4 AND (v & 2) = 2"),
    _sum("n", "kind = 4 AND (v & 4) = 4"),
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
    _sum("n", "kind = 12 AND flag"),
    _sum("amount", "kind = 12"),
    _sum("n", "kind = 13 AND flag"),
    _sum("amount", "kind = 13"),
    "coalesce(max(maxv) FILTER (WHERE kind = 5), 0)",
    *_durations(14),
]


def _daily_inner(d: Dialect, zone: str, source: str, message_source: str) -> str:
    """Facts and message counts grouped by (day, team, agent, kind, value, flag). Each
    aggregate is taken only over the kinds the outer query reads it for (within 3 minutes:
    first responses; amounts: conversions; the maximum value: agent load): the same rows,
    on the bench's 1.35M facts 6.29 → 5.48 s median on a loaded box (docs/performance.md). The
    messages, counted per conversation and hour by the listener (``MessageCount``), enter as
    MESSAGE (kind 11) rows keyed like the facts: value = sender kind, flag = internal note."""
    return f"""
    SELECT {d.local_day("f.at", zone)} AS period, coalesce(f.team_id, 0) AS team,
        coalesce(f.agent_id, 0) AS agent, f.kind AS kind,
        CAST(CASE WHEN f.kind IN (4, 9, 10, 11) THEN f.value END AS integer) AS v, f.flag AS flag,
        CAST(count(*) AS integer) AS n, sum(f.seconds) AS s, sum(f.bh_seconds) AS bs,
        CAST(count(*) FILTER (WHERE f.kind = 6 AND f.seconds <= 180) AS integer) AS fast,
        CAST(count(*) FILTER (WHERE f.kind = 6 AND f.bh_seconds <= 180) AS integer) AS bfast,
        sum(f.amount) FILTER (WHERE f.kind IN (12, 13)) AS amount,
        max(f.value) FILTER (WHERE f.kind = 5) AS maxv
    FROM analytics_fact f {source}
    GROUP BY 1, 2, 3, 4, 5, 6
    UNION ALL
    SELECT {d.local_day("m.hour", zone)}, m.team_id, m.agent_id, 11, m.sender, m.private,
        CAST(sum(m.count) AS integer), NULL, NULL, 0, 0, NULL, NULL
    FROM analytics_messagecount m {message_source}
    GROUP BY 1, 2, 3, 4, 5, 6"""


def _named(exprs: list[str], columns: str, named: bool) -> str:
    """A select list; ``named``: each expression ``AS`` its column (a subquery read like the
    rollup table, for the channel filter)."""
    if not named:
        return ", ".join(exprs)
    names = [c.strip() for c in columns.split(",")]
    return ", ".join(f"{e} AS {n}" for e, n in zip(exprs, names, strict=True))


def daily_select(
    d: Dialect, zone: str, source: str, message_source: str, *, named: bool = False
) -> str:
    """The daily rows of every day in ``zone`` (a checked name: it is written as a literal)
    the facts of ``source`` and the message counts of ``message_source`` cover. A message
    counter (one UTC hour) belongs to the day its hour starts on."""
    return d.slices(
        _daily_inner(d, zone, source, message_source),
        ["period", "team", "agent"],
        SLICES,
        lambda keys: _named([f"'{zone}'", *keys, *DAILY_AGGREGATES], DAILY_COLUMNS, named),
    )


def daily_insert(d: Dialect, zone: str, source: str, message_source: str) -> str:
    """INSERT of ``daily_select``."""
    select = daily_select(d, zone, source, message_source)
    return f"INSERT INTO analytics_dailyrollup ({DAILY_COLUMNS}) {select}"


HOURLY_COLUMNS = "hour, team_id, agent_id, conversations, assignments"


def hourly_insert(d: Dialect, source: str) -> str:
    """The heat map's two numbers per UTC hour and slice."""
    return f"INSERT INTO analytics_hourlyrollup ({HOURLY_COLUMNS}) {hourly_select(d, source)}"


def hourly_select(d: Dialect, source: str, *, named: bool = False) -> str:
    """The rows of ``analytics_hourlyrollup`` for the facts of ``source``."""
    inner = f"""
    SELECT {d.utc_hour("f.at")} AS period, coalesce(f.team_id, 0) AS team,
        coalesce(f.agent_id, 0) AS agent,
        CAST(count(*) FILTER (WHERE f.kind = 1) AS integer) AS conversations,
        CAST(count(*) FILTER (WHERE f.kind = 4) AS integer) AS assignments
    FROM analytics_fact f {source} WHERE f.kind IN (1, 4)
    GROUP BY 1, 2, 3"""
    return d.slices(
        inner,
        ["period", "team", "agent"],
        SLICES,
        lambda keys: _named(
            [*keys, "sum(conversations)", "sum(assignments)"], HOURLY_COLUMNS, named
        ),
    )


# Bucket b >= 1 holds [1.05^(b-1), 1.05^b) seconds; bucket 0 under one second.
GROWTH = 1.05
TOP_BUCKET = 30000


def histogram_insert(d: Dialect, zone: str, source: str) -> str:
    """The duration histograms per day in ``zone``: only the all-teams and per-team slices (an agent
    has a few dozen durations a day, so a histogram would not be smaller than the facts;
    agent filters read the facts). Wall-clock and business-hours seconds are two scans of the
    duration index (a LATERAL VALUES pair per fact cost half as much again)."""

    def part(column: str, business_hours: str) -> str:
        return f"""
    SELECT {d.local_day("f.at", zone)} AS day, coalesce(f.team_id, 0) AS team,
        f.kind AS kind, {business_hours} AS bh,
        {d.bucket(f"f.{column}", GROWTH, TOP_BUCKET)} AS bucket,
        CAST(count(*) AS integer) AS n
    FROM analytics_fact f {source}
    WHERE f.kind IN (6, 7, 8, 9) AND f.{column} IS NOT NULL
    GROUP BY 1, 2, 3, 4, 5"""

    select = d.slices(
        f"{part('seconds', 'false')} UNION ALL {part('bh_seconds', 'true')}",
        ["day", "team", "kind", "bh", "bucket"],
        [("day", "team", "kind", "bh", "bucket"), ("day", "kind", "bh", "bucket")],
        lambda k: f"'{zone}', {k[0]}, {k[1]}, -1, {k[2]}, {k[3]}, {k[4]}, sum(n)",
    )
    return (
        "INSERT INTO analytics_durationhistogram "
        f"(zone, day, team_id, agent_id, kind, business_hours, bucket, count) {select}"
    )


# The duration kinds the agents table shows per agent (agent-level first response, reply
# wait, resolution): their values are kept per agent and day (``AgentDurations``).
AGENT_KINDS = (7, 8, 9)


def agent_durations_insert(d: Dialect, zone: str, source: str) -> str:
    """Each agent's durations of ``AGENT_KINDS`` per day in ``zone`` and team, packed
    (``Dialect.packed_doubles``; unordered, so the aggregate hashes instead of sorting every
    group: ~0.45 s of server CPU on the bench's 1.35M facts against ~0.7 s sorted). Only
    facts with an agent: the table feeds agent-level percentiles."""
    kinds = ", ".join(str(k) for k in AGENT_KINDS)
    return f"""
    INSERT INTO analytics_agentdurations (zone, day, kind, agent_id, team_id, seconds, bh_seconds)
    SELECT '{zone}', {d.local_day("f.at", zone)}, f.kind, f.agent_id, coalesce(f.team_id, 0),
        {d.packed_doubles("f.seconds")}, {d.packed_doubles("f.bh_seconds")}
    FROM analytics_fact f {source}
    WHERE f.kind IN ({kinds}) AND f.agent_id IS NOT NULL
    GROUP BY 2, 3, 4, 5"""


QUESTION_COLUMNS = "zone, day, team_id, kb_entry_id, topic_key, count"


def question_insert(d: Dialect, zone: str, source: str) -> str:
    """How often each knowledge-base entry / unmatched topic was asked per day in ``zone``."""
    select = question_select(d, zone, source)
    return f"INSERT INTO analytics_questiondaily ({QUESTION_COLUMNS}) {select}"


def question_select(d: Dialect, zone: str, source: str, *, named: bool = False) -> str:
    """The rows of ``analytics_questiondaily`` for the questions of ``source``."""
    inner = f"""
    SELECT {d.local_day("q.at", zone)} AS day, coalesce(q.team_id, 0) AS team,
        coalesce(q.kb_entry_id, 0) AS entry,
        CASE WHEN q.kb_entry_id IS NULL THEN q.topic_key ELSE '' END AS topic, count(*) AS n
    FROM analytics_questionfact q {source}
    GROUP BY 1, 2, 3, 4"""
    return d.slices(
        inner,
        ["day", "team", "entry", "topic"],
        [("day", "team", "entry", "topic"), ("day", "entry", "topic")],
        lambda k: _named([f"'{zone}'", *k, "sum(n)"], QUESTION_COLUMNS, named),
    )
