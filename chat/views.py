"""The agent workspace pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie

from . import services
from .access import Actor, is_agent, is_supervisor


@login_required
@ensure_csrf_cookie
def desk(request: HttpRequest) -> HttpResponse:
    if not is_agent(request.user):
        raise PermissionDenied
    return render(
        request,
        "workspace/desk.html",
        {
            "agent_name": services._sender_name(Actor(user=request.user)),
            "is_supervisor": is_supervisor(request.user),
        },
    )
