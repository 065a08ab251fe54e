"""The page a locked-out sign-in gets (django-axes calls ``lockout_response``; docs/security.md)."""

from __future__ import annotations

import math
from typing import Any

from axes.helpers import get_cool_off, get_failure_limit
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

# The longest username an account can have (django.contrib.auth's User).
USERNAME_MAX = 150


def client_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    """The username a sign-in tried, as django-axes counts it: cut to the longest an account
    can have. Django's sign-in form passes a longer one on to the backends, and axes would
    store it in a 255-character column (a 5,000-character name answered 500)."""
    if credentials is not None:
        value = credentials.get("username")
    else:
        value = request.POST.get("username")
    return str(value or "")[:USERNAME_MAX]


def lockout_response(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """429 with a page that says what happened, for how long and who can lift it (JSON for
    scripted clients)."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else 0
    context = {"failure_limit": get_failure_limit(request, credentials), "minutes": minutes}
    status = settings.AXES_HTTP_RESPONSE_CODE
    if "application/json" in request.headers.get("Accept", ""):
        return JsonResponse(
            {
                "code": "rate_limited",
                "detail": "Too many failed sign-ins: locked.",
                "retry_after_minutes": minutes,
            },
            status=status,
        )
    return render(request, "registration/locked_out.html", context, status=status)
