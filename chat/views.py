"""The agent workspace pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.csrf import ensure_csrf_cookie

from .access import Actor, can_use_admin, is_agent, is_supervisor
from .events import sender_name

# Parts of the workspace (docs/frontend.md): every file here is included by the desk page, so
# adding a feature is adding a file, never editing a shared list.
PARTS_DIR = Path(settings.BASE_DIR) / "static" / "workspace" / "parts"


STATIC_DIR = Path(settings.BASE_DIR) / "static"


def workspace_modules() -> list[str]:
    """Static URLs of the workspace's own script modules and the shared ones, for
    ``modulepreload``: the browser fetches them all at once instead of discovering them import
    by import."""
    return [
        static(path.relative_to(STATIC_DIR).as_posix())
        for folder in ("workspace", "shared")
        for path in sorted((STATIC_DIR / folder).glob("*.js"))
        if path.name != "main.js"
    ]


def workspace_parts(suffix: str) -> list[str]:
    """Static URLs of the workspace part files ending in ``suffix``, sorted by name."""
    if not PARTS_DIR.is_dir():
        return []
    return [
        static(f"workspace/parts/{path.name}")
        for path in sorted(PARTS_DIR.glob(f"*{suffix}"))
        if path.is_file() and not path.name.startswith(".")
    ]


def desk_config(request: HttpRequest) -> dict[str, Any]:
    """Page data for the workspace scripts (rendered with ``json_script``)."""
    user: Any = request.user
    return {
        "agent": {"id": user.pk, "name": sender_name(Actor(user=user))},
        "is_supervisor": is_supervisor(user),
        "can_admin": can_use_admin(user),
        "language": get_language(),
        "parts": workspace_parts(".js"),
        "urls": {
            "socket": "/ws/agent/",
            "conversations": reverse("conversation-list"),
            "agents": reverse("agent-list"),
            "admin": reverse("admin:index"),
            "login": settings.LOGIN_URL,
            "catalog": reverse("javascript-catalog"),
        },
    }


@login_required
@ensure_csrf_cookie
def desk(request: HttpRequest) -> HttpResponse:
    if not is_agent(request.user):
        raise PermissionDenied
    config = desk_config(request)
    return render(
        request,
        "workspace/desk.html",
        {
            "agent_name": config["agent"]["name"],
            "is_supervisor": config["is_supervisor"],
            "desk_config": config,
            "modules": workspace_modules(),
            "part_scripts": config["parts"],
            "part_styles": workspace_parts(".css"),
        },
    )
