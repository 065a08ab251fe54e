"""Agents: creating one, and what the desk does when a workspace socket comes and goes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from helpdesk.errors import is_busy, is_outage

from ..models import AgentProfile, Team

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)
UserModel = get_user_model()


def agent_create(
    *,
    username: str,
    password: str,
    teams: list[str] | None = None,
    capacity: int = 5,
    display_name: str = "",
    supervisor: bool = False,
) -> User:
    """Create or update an agent (used by ``create_agent`` and the demo data). Agents use the
    desk, not the admin: they are not staff (a manager is made staff with the permissions they
    need, docs/security.md)."""
    with transaction.atomic():
        user, _created = UserModel.objects.get_or_create(username=username)
        user.set_password(password)
        user.save()
        group, _ = Group.objects.get_or_create(name="Supervisors" if supervisor else "Agents")
        user.groups.add(group)
        profile, _ = AgentProfile.objects.get_or_create(user=user)
        profile.capacity = capacity
        if display_name:
            profile.display_name = display_name
        profile.save()
        for name in teams or []:
            team, _ = Team.objects.get_or_create(name=name)
            profile.teams.add(team)
    return user


# ``hook(event, user_id, channel_name)`` with event "connect", "ping" or "disconnect".
AgentSocketHook = Callable[[str, int, str], None]
_agent_socket_hooks: list[AgentSocketHook] = []


def agent_socket_hook_register(hook: AgentSocketHook) -> None:
    """Be told of every workspace socket's connect, heartbeat and disconnect (routing's
    presence registers here: sockets are how the desk knows an agent is reachable)."""
    if hook not in _agent_socket_hooks:
        _agent_socket_hooks.append(hook)


def agent_socket_hooks() -> list[AgentSocketHook]:
    """The registered hooks, in order (docs/architecture.md lists them)."""
    return list(_agent_socket_hooks)


def agent_socket_event(*, event: str, user_id: int, channel_name: str) -> None:
    """A workspace socket connected, sent its heartbeat or went away (the agent consumer calls
    this on its database thread). A failing hook is logged and the others still run: the
    socket itself must not fail for it. A database outage (or a pool that stayed busy) is not a
    failing hook: it goes to the caller (``guarded`` makes it ``unavailable``; the consumer
    logs one line, no traceback)."""
    for hook in _agent_socket_hooks:
        try:
            hook(event, user_id, channel_name)
        except Exception as exc:
            if is_outage(exc) or is_busy(exc):
                raise
            logger.exception("agent socket hook failed on %s", event)
