"""Reads of analytics: every report table, shared by the page and its CSV export."""

from .agents import agents_table
from .calls import calls_summary
from .filters import ReportFilter, report_filter_from_query
from .heatmap import volume_heatmap
from .labels import labels_report
from .overview import overview
from .questions import hot_questions
from .sla import sla_breaches, sla_summary

__all__ = [
    "ReportFilter",
    "agents_table",
    "calls_summary",
    "hot_questions",
    "labels_report",
    "overview",
    "report_filter_from_query",
    "sla_breaches",
    "sla_summary",
    "volume_heatmap",
]
