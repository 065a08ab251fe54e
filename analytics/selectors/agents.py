"""The agents table: workload, speed, quality and conversion per agent."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from helpdesk.db_routers import report_connection

from .. import dialects
from ..models import Fact
from .common import Stat, durations, ratio, rollup_sums
from .filters import ReportFilter
from .waiting import still_waiting_by_agent

KINDS = [Fact.Kind.AGENT_FIRST_RESPONSE, Fact.Kind.REPLY_WAIT, Fact.Kind.RESOLVED]


def _starting_loads(agent_ids: list[int], f: ReportFilter) -> dict[int, int]:
    """Each agent's open assigned conversations when the range starts (last load fact before)."""
    if not agent_ids:
        return {}
    d = dialects.current()
    source, ids = d.rows("a", [("id", "bigint")], [(agent_id,) for agent_id in agent_ids])
    sql = (
        "SELECT a.id, (SELECT f.value FROM analytics_fact f WHERE f.kind = %s "
        "AND f.agent_id = a.id AND f.at < %s ORDER BY f.at DESC, f.id DESC LIMIT 1) "
        f"FROM {source}"
    )
    with report_connection().cursor() as cursor:
        cursor.execute(sql, [int(Fact.Kind.LOAD), d.stamp(f.lo), *ids])
        return {agent_id: int(value or 0) for agent_id, value in cursor.fetchall()}


def _named(users: Any) -> list[tuple[int, str]]:
    """(id, name) of these users, the name as ``AgentProfile.name`` gives it (display name,
    else full name, else username; the username without a profile), read as values: no
    model instances for the page's ~50 agents."""
    rows = users.values_list(
        "pk",
        get_user_model().USERNAME_FIELD,
        "first_name",
        "last_name",
        "agent_profile__pk",
        "agent_profile__display_name",
    )
    out = []
    for pk, username, first, last, profile, display in rows:
        full = f"{first} {last}".strip()
        out.append((pk, (display or full or username) if profile else username))
    return out


def _names(agent_ids: list[int]) -> dict[int, str]:
    return dict(_named(get_user_model().objects.filter(pk__in=agent_ids)))


def agent_choices() -> list[tuple[int, str]]:
    """The report filter's agents (the Agents and Supervisors groups): (id, name) by
    username."""
    users = (
        get_user_model()
        .objects.filter(groups__name__in=["Agents", "Supervisors"])
        .distinct()
        .order_by(get_user_model().USERNAME_FIELD)
    )
    return _named(users)


def agents_table(f: ReportFilter) -> list[dict[str, Any]]:
    """One row per agent with any attributed fact in the range, busiest first."""
    sums = {row["key"]: row for row in rollup_sums(f, by_agent=True)}
    stats = durations(f, [int(k) for k in KINDS], sums)
    waiting = still_waiting_by_agent(f)
    ids = sorted(sums)
    starting = _starting_loads(ids, f)
    names = _names(ids)
    rows = []
    for agent_id in ids:
        s = sums[agent_id]
        afr = stats.get((int(Fact.Kind.AGENT_FIRST_RESPONSE), agent_id), Stat())
        rw = stats.get((int(Fact.Kind.REPLY_WAIT), agent_id), Stat())
        res = stats.get((int(Fact.Kind.RESOLVED), agent_id), Stat())
        rows.append(
            {
                "agent_id": agent_id,
                "agent": names.get(agent_id, f"#{agent_id}"),
                "handled": s["assignments"],
                "transfers_in": s["transfers"],
                "concurrent_peak": max(int(s["peak_load"]), starting.get(agent_id, 0)),
                "messages": s["msg_agent"],
                "first_response_median": afr.median,
                "first_response_p90": afr.p90,
                "unanswered": s["unanswered"],
                "still_waiting": waiting.get(agent_id, 0),
                "reply_wait_median": rw.median,
                "reply_wait_p90": rw.p90,
                "handling_time": s["handled_bh_sum" if f.business_hours else "handled_sum"],
                "resolved": s["resolved"],
                "resolution_median": res.median,
                "csat_average": ratio(s["csat_sum"], s["csat_count"]),
                "csat_count": s["csat_count"],
                # Per conversation the agent held, not per assignment: a transfer away and
                # back does not halve the rate.
                "conversion_24h": ratio(s["conv24"], s["agent_conversations"]),
                "conversion_24h_value": s["conv24_amount"],
                "conversion_7d": ratio(s["conv7"], s["agent_conversations"]),
                "conversion_7d_value": s["conv7_amount"],
            }
        )
    rows.sort(key=lambda r: (-r["handled"], -r["messages"], r["agent"]))
    return rows
