"""The SLA report: clocks judged met or breached in the range, and the breached ones listed."""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from ..models import SlaOutcome
from .common import ratio
from .filters import ReportFilter

LIST_LIMIT = 500

CLOCK_LABELS = {
    SlaOutcome.Clock.FIRST_RESPONSE: _("First response"),
    SlaOutcome.Clock.NEXT_RESPONSE: _("Next response"),
    SlaOutcome.Clock.RESOLUTION: _("Resolution"),
}


def _outcomes(f: ReportFilter) -> Any:
    rows = SlaOutcome.objects.using(_alias()).filter(at__gte=f.lo, at__lt=f.hi)
    if f.team_id:
        rows = rows.filter(team_id=f.team_id)
    if f.agent_id:
        rows = rows.filter(agent_id=f.agent_id)
    return rows


def _alias() -> str:
    from helpdesk.db_routers import report_alias

    return report_alias()


def sla_summary(f: ReportFilter) -> list[dict[str, Any]]:
    """Per clock: targets judged, met, breached and the breach rate (and the previous
    period's rate when comparing)."""

    def counts(filt: ReportFilter) -> dict[int, tuple[int, int]]:
        found = (
            _outcomes(filt)
            .values("clock")
            .annotate(judged=Count("id"), breached=Count("id", filter=Q(breached=True)))
        )
        return {row["clock"]: (row["judged"], row["breached"]) for row in found}

    now = counts(f)
    before = counts(f.previous()) if f.compare else {}
    rows = []
    for clock, label in CLOCK_LABELS.items():
        judged, breached = now.get(int(clock), (0, 0))
        prev_judged, prev_breached = before.get(int(clock), (0, 0))
        rows.append(
            {
                "clock": str(label),
                "judged": judged,
                "met": judged - breached,
                "breached": breached,
                "breach_rate": ratio(breached, judged),
                "previous_breach_rate": ratio(prev_breached, prev_judged) if f.compare else None,
            }
        )
    return rows


def sla_breaches(f: ReportFilter) -> list[dict[str, Any]]:
    """The clocks breached in the range, latest due first (at most ``LIST_LIMIT``)."""
    from chat.models import Team

    zone = zoneinfo.ZoneInfo(f.time_zone)
    found = list(_outcomes(f).filter(breached=True).order_by("-at", "-id")[:LIST_LIMIT])
    teams = dict(
        Team.objects.using(_alias())
        .filter(pk__in={o.team_id for o in found if o.team_id})
        .values_list("pk", "name")
    )
    users = (
        get_user_model()
        .objects.using(_alias())
        .filter(pk__in={o.agent_id for o in found if o.agent_id})
    )
    names = {
        u.pk: getattr(getattr(u, "agent_profile", None), "name", "") or u.get_username()
        for u in users.select_related("agent_profile")
    }

    def local(moment: Any) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    return [
        {
            "conversation": f"#{o.conversation_id}",
            "clock": str(CLOCK_LABELS.get(o.clock, o.clock)),
            "team": teams.get(o.team_id or 0, "—"),
            "agent": names.get(o.agent_id or 0, "—"),
            "started": local(o.started_at),
            "due": local(o.due_at),
            "ended": local(o.ended_at) if o.ended_at else str(_("still running")),
            "target_seconds": o.target_seconds,
        }
        for o in found
    ]
