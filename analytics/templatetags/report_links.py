"""Report tables with a link from each number to its definition (analytics/definitions.py)."""

from __future__ import annotations

from typing import Any

from django import template

from analytics.definitions import linked

register = template.Library()


@register.simple_tag
def linked_table(table: Any) -> dict[str, Any]:
    return linked(table)
