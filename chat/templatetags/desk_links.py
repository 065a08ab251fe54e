"""Links between the agent desk and the admin, shown only to people they open for."""

from __future__ import annotations

from typing import Any

from django import template

from chat.access import can_use_admin, is_agent

register = template.Library()


@register.filter
def opens_desk(user: Any) -> bool:
    """Whether ``user`` may open the agent desk (a link to it would not end in 403)."""
    return is_agent(user)


@register.filter
def opens_admin(user: Any) -> bool:
    """Whether the admin has anything for ``user`` (a link to it would not end in
    "no permission"); an anonymous visitor is sent to the admin's sign-in, so yes."""
    return not getattr(user, "is_authenticated", False) or can_use_admin(user)
