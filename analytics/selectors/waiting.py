"""Conversations still waiting for a person's first reply: a live count, not a rollup."""

from __future__ import annotations

from typing import Any

from helpdesk.db_routers import report_connection

from .. import dialects
from .filters import ReportFilter


def _where(f: ReportFilter) -> tuple[list[str], list[Any]]:
    d = dialects.current()
    where = [
        "t.first_response_at IS NULL",
        "t.awaiting_since IS NOT NULL",
        "t.opened_at >= %s",
        "t.opened_at < %s",
    ]
    params: list[Any] = [d.stamp(f.lo), d.stamp(f.hi)]
    if f.team_id:
        where.append("c.team_id = %s")
        params.append(f.team_id)
    if f.agent_id:
        where.append("c.assignee_id = %s")
        params.append(f.agent_id)
    if f.channel_id:
        where.append("c.channel_id = %s")
        params.append(f.channel_id)
    return where, params


def still_waiting_by_agent(f: ReportFilter) -> dict[int, int]:
    """``still_waiting`` per current assignee (the agents table's column)."""
    where, params = _where(f)
    sql = (
        "SELECT c.assignee_id, count(*) FROM analytics_conversationtrack t "
        "JOIN chat_conversation c ON c.id = t.conversation_id "
        f"WHERE {' AND '.join(where)} AND c.assignee_id IS NOT NULL GROUP BY c.assignee_id"
    )
    with report_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return {int(agent): int(count) for agent, count in cursor.fetchall()}


def still_waiting(f: ReportFilter) -> int:
    """Conversations opened in the range whose shopper is waiting for a reply right now and
    that no person has answered yet (docs/metrics.md). Read through the partial index
    ``track_waiting_first`` (only such conversations are in it), joined to their row for the
    team and assignee filters."""
    where, params = _where(f)
    sql = (
        "SELECT count(*) FROM analytics_conversationtrack t "
        "JOIN chat_conversation c ON c.id = t.conversation_id "
        f"WHERE {' AND '.join(where)}"
    )
    with report_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.fetchone()[0])
