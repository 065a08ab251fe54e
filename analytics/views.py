"""Report pages for managers, inside the admin (staff with ``analytics.view_reports``).

Each view parses the filter, calls selectors and renders; ``?format=csv&table=NAME`` returns
the same table as CSV.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin, messages
from django.db import connection, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from helpdesk.db_routers import report_reads
from helpdesk.dispatch import DomainEvent, Event, dispatch
from helpdesk.errors import HelpdeskError

from . import charts, selectors, tables
from .forms import RebuildForm
from .selectors.heatmap import daily_series
from .shop import report_zones

PERM = "analytics.view_reports"

View = Callable[..., HttpResponse]


def reports_permission(perm: str) -> Callable[[View], View]:
    """Staff without ``perm`` get the admin's page saying so (403), not an exception: a
    manager missing a permission is no server error, and the log keeps one line for it."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_perm(perm):
                return _forbidden(request)
            return view(request, *args, **kwargs)

        return guarded

    return decorate


def _forbidden(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(
        request,
        "reports/forbidden.html",
        {**admin.site.each_context(request), "title": _("Reports")},
        status=403,
    )


def _options(rows: Any, chosen: int | None) -> list[tuple[str, str, bool]]:
    """A filter's choices as (value, label, selected): plain strings, so the page's three
    selects (~50 agents) cost no model instances or number formatting."""
    return [(str(pk), str(label), pk == chosen) for pk, label in rows]


def _filter_context(request: HttpRequest, f: selectors.ReportFilter) -> dict[str, Any]:
    from chat.models import Channel, Team

    from .selectors.agents import agent_choices

    return {
        **admin.site.each_context(request),
        "f": f,
        "previous": f.previous(),
        "teams": _options(Team.objects.order_by("name").values_list("pk", "name"), f.team_id),
        "channels": _options(
            Channel.objects.order_by("name").values_list("pk", "name"), f.channel_id
        ),
        "agents": _options(agent_choices(), f.agent_id),
        "zone": _zone_name(f),
        "zones": report_zones(),
    }


def _render(
    request: HttpRequest, page: str, build: Callable[[selectors.ReportFilter], dict[str, Any]]
) -> HttpResponse:
    try:
        f = selectors.report_filter_from_query(request.GET)
    except HelpdeskError as error:
        return TemplateResponse(
            request,
            "reports/error.html",
            {**admin.site.each_context(request), "error": error.detail, "title": _("Reports")},
            status=error.http_status,
        )
    if connection.vendor == "sqlite":
        # The embedded default runs no Celery beat: the page brings the rollups up to date
        # (one process, so nothing commits late; a tick over a demo's facts takes ms).
        from .services import histograms_refresh, rollup_tick
        from .sla import sla_tick

        rollup_tick(lag=dt.timedelta(0))
        histograms_refresh()
        sla_tick(lag=dt.timedelta(0))
    # Report reads go to the replica when one is configured (helpdesk/db_routers.py).
    with (
        report_reads() as alias,
        transaction.atomic(using=alias),
        connections[alias].cursor() as cursor,
    ):
        # One snapshot for every number of the page; report queries are short, and JIT
        # compilation (chosen from generous row estimates) would cost more than they do.
        # Always planned for the page's own range: with server-side binding psycopg prepares
        # a statement from its fifth run, and PostgreSQL's generic plan for a date range it
        # cannot see made the 30-day agents page 60 % slower (docs/performance.md).
        if connections[alias].vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL plan_cache_mode = force_custom_plan")
        context = build(f)
    table_list: list[tables.Table] = context["tables"]
    if request.GET.get("format") == "csv":
        name = request.GET.get("table") or table_list[0].name
        chosen = next((t for t in table_list if t.name == name), None)
        if chosen is None:
            return HttpResponse(_("Unknown table."), status=404, content_type="text/plain")
        response = HttpResponse(chosen.csv(), content_type="text/csv; charset=utf-8")
        zone_slug = _zone_name(f).replace("/", "_")
        _exported(request, page=page, table=chosen.name, f=f)
        response["Content-Disposition"] = (
            f'attachment; filename="{page}-{chosen.name}-{f.start}-{f.end}-{zone_slug}.csv"'
        )
        return response
    return TemplateResponse(
        request, f"reports/{page}.html", {**_filter_context(request, f), **context, "page": page}
    )


def _zone_name(f: selectors.ReportFilter) -> str:
    """The time zone the filter's days and hours are in, as shown to the manager."""
    return f.time_zone


Build = Callable[[HttpRequest, selectors.ReportFilter], dict[str, Any]]


def report_page(page: str, build: Build) -> View:
    """One report page (``reports/<page>.html``): the permission, the filter from the query,
    the numbers ``build`` reads for it in one snapshot, and the page or one of its tables as
    CSV (``_render``). Every report page is this shape; only ``build`` differs."""

    def view(request: HttpRequest) -> HttpResponse:
        return _render(request, page, lambda f: build(request, f))

    view.__name__ = view.__qualname__ = page
    view.__doc__ = build.__doc__
    return reports_permission(PERM)(view)


def _overview(request: HttpRequest, f: selectors.ReportFilter) -> dict[str, Any]:
    """The overview: the period's numbers, per day, calls, volume and CSAT charts."""
    data = selectors.overview(f)
    series = daily_series(f)
    labels = [d["day"].strftime("%m-%d") for d in series]
    previous_series = daily_series(f.previous()) if f.compare else None
    dist = data["csat_distribution"]
    return {
        "title": _("Overview"),
        "data": data,
        "tables": [
            tables.overview_table(data, f.compare),
            tables.daily_table(series, zone=_zone_name(f)),
            tables.calls_table(selectors.calls_summary(f), f.compare),
        ],
        "volume_chart": charts.bar_chart(
            "volume",
            labels,
            [d["conversations"] for d in series],
            previous=[d["conversations"] for d in previous_series] if previous_series else None,
            title=_("Conversations per day"),
            series=_("This period"),
            previous_series=_("Previous period"),
        ),
        "csat_chart": charts.bar_chart(
            "csat",
            [f"{i} ★" for i in range(1, 6)],
            dist,
            previous=data["previous_csat_distribution"],
            title=_("CSAT distribution (1–5)"),
            series=_("Ratings"),
            previous_series=_("Previous period"),
        ),
    }


def _questions(request: HttpRequest, f: selectors.ReportFilter) -> dict[str, Any]:
    """Hot questions: unmatched clusters and matched entries."""
    data = selectors.hot_questions(f)
    top = data["clusters"][:10]
    return {
        "title": _("Hot questions"),
        "data": data,
        "tables": [
            tables.clusters_table(data["clusters"], f.compare),
            tables.matched_table(data["matched"], f.compare),
        ],
        "clusters_chart": charts.bar_chart(
            "clusters",
            [c["title"] for c in top],
            [c["count"] for c in top],
            previous=[c["previous"] or 0 for c in top] if f.compare else None,
            title=_("Most asked unmatched questions"),
            series=_("Asked"),
            previous_series=_("Previous period"),
            horizontal=True,
        ),
        "matched_chart": charts.bar_chart(
            "matched",
            [m["title"] for m in data["matched"][:10]],
            [m["count"] for m in data["matched"][:10]],
            title=_("Most matched knowledge-base entries"),
            series=_("Asked"),
            horizontal=True,
        ),
        "can_create_entry": request.user.has_perm("chat.add_knowledgeentry"),
    }


def _volume(request: HttpRequest, f: selectors.ReportFilter) -> dict[str, Any]:
    """The volume heat map by weekday and hour of the report's zone."""
    data = selectors.volume_heatmap(f)
    return {
        "title": _("Volume"),
        "data": data,
        "tables": [tables.heatmap_table(data, zone=_zone_name(f))],
        "heatmap_chart": charts.heatmap(
            "heatmap",
            data["grid"],
            title=_("Conversations started, by weekday and hour (%(zone)s)")
            % {"zone": _zone_name(f)},
            series=_("Conversations"),
        ),
    }


def _agents(request: HttpRequest, f: selectors.ReportFilter) -> dict[str, Any]:
    """One row per agent, and the conversations each handled."""
    rows = selectors.agents_table(f)
    top = rows[:15]
    return {
        "title": _("Agents"),
        "rows": rows,
        "tables": [tables.agents_table(rows)],
        "agents_chart": charts.bar_chart(
            "agents",
            [r["agent"] for r in top],
            [r["handled"] for r in top],
            title=_("Conversations handled"),
            series=_("Conversations handled"),
            horizontal=True,
        ),
    }


def _labels(request: HttpRequest, f: selectors.ReportFilter) -> dict[str, Any]:
    """Conversations per label, and per day."""
    data = selectors.labels_report(f)
    top = data["rows"][:15]
    return {
        "title": _("Labels"),
        "data": data,
        "tables": [
            tables.labels_table(data["rows"], f.compare),
            tables.labels_daily_table(data["days"], data["columns"], zone=_zone_name(f)),
        ],
        "labels_chart": charts.bar_chart(
            "labels",
            [r["label"] for r in top],
            [r["count"] for r in top],
            previous=[r["previous"] or 0 for r in top] if f.compare else None,
            title=_("Conversations per label"),
            series=_("This period"),
            previous_series=_("Previous period"),
            horizontal=True,
        ),
    }


def _sla(request: HttpRequest, f: selectors.ReportFilter) -> dict[str, Any]:
    """SLA clocks judged met and breached, and the breached conversations."""
    summary = selectors.sla_summary(f)
    breaches = selectors.sla_breaches(f)
    return {
        "title": _("SLA"),
        "summary": summary,
        "tables": [
            tables.sla_table(summary, f.compare),
            tables.sla_breaches_table(breaches, zone=_zone_name(f)),
        ],
        "sla_chart": charts.bar_chart(
            "sla",
            [r["clock"] for r in summary],
            [r["met"] for r in summary],
            previous=[r["breached"] for r in summary],
            title=_("SLA targets met and breached"),
            series=_("Met"),
            previous_series=_("Breached"),
        ),
    }


overview = report_page("overview", _overview)
questions = report_page("questions", _questions)
volume = report_page("volume", _volume)
agents = report_page("agents", _agents)
labels = report_page("labels", _labels)
sla = report_page("sla", _sla)


@require_POST
@reports_permission(PERM)
def question_to_entry(request: HttpRequest) -> HttpResponse:
    """One click: the cluster's question and examples become a new knowledge-base entry."""
    if not request.user.has_perm("chat.add_knowledgeentry"):
        return _forbidden(request)
    from .services import knowledge_entry_create_from_cluster

    examples = [e for e in request.POST.getlist("example") if isinstance(e, str)]
    try:
        entry = knowledge_entry_create_from_cluster(
            title=request.POST.get("title", ""), examples=examples[:10]
        )
    except HelpdeskError as error:
        messages.error(request, str(error.detail))
        return redirect(reverse("analytics:questions"))
    messages.success(request, _("Created the entry; write its answer and activate it."))
    return redirect(reverse("admin:chat_knowledgeentry_change", args=[entry.pk]))


@reports_permission("analytics.rebuild_reports")
def rebuild(request: HttpRequest) -> HttpResponse:
    """Rebuild any period's aggregates from the facts (runs as a Celery task)."""
    from .tasks import rollup_rebuild

    form = RebuildForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        start, end = form.period()
        rollup_rebuild.delay(start.isoformat() if start else None, end.isoformat() if end else None)
        messages.success(request, _("The rebuild has been queued."))
        return redirect(reverse("analytics:rebuild"))
    return TemplateResponse(
        request,
        "reports/rebuild.html",
        {**admin.site.each_context(request), "form": form, "title": _("Rebuild reports")},
    )


@reports_permission(PERM)
def definitions(request: HttpRequest) -> HttpResponse:
    """What every report number means (docs/metrics.md, rendered with an anchor per number;
    docs/metrics.zh.md for the Chinese desk)."""
    from django.utils.translation import get_language

    from .definitions import definitions as rendered

    language = get_language()
    found = rendered(language)
    translated = found is not rendered() or language.startswith("en")
    return TemplateResponse(
        request,
        "reports/definitions.html",
        {
            **admin.site.each_context(request),
            "title": _("Definitions of the report numbers"),
            "definitions": found,
            "definitions_language": language if translated else "en",
            "translated": translated,
        },
    )


def _exported(request: HttpRequest, *, page: str, table: str, f: Any) -> None:
    """A report left the desk as CSV: the audit log keeps who took which table and range."""
    from django.utils import timezone

    dispatch(
        DomainEvent(
            name=Event.REPORT_EXPORTED,
            at=timezone.now(),
            data={
                "page": page,
                "table": table,
                "start": str(f.start),
                "end": str(f.end),
                "zone": _zone_name(f),
                "by_user_id": request.user.pk,
            },
        )
    )
