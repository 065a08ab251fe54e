"""REST authentication for shoppers: ``Authorization: Visitor <token>`` (never a query string)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.functional import cached_property
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request


class VisitorPrincipal:
    """``request.user`` for a shopper authenticated by visitor token."""

    is_authenticated = True
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, visitor: Any) -> None:
        self.visitor = visitor

    @cached_property
    def groups(self) -> Any:
        from django.contrib.auth.models import Group

        return Group.objects.none()

    def __str__(self) -> str:
        return f"visitor:{self.visitor.pk}"


class DeskSessionAuthentication(authentication.SessionAuthentication):
    """Django's session login (agents, managers), answering ``401`` when there is none.

    DRF answers ``403`` for a missing login when the first authentication class names no
    ``WWW-Authenticate`` challenge, which session authentication does not; the contract's
    ``unauthorized`` is ``401`` (docs/protocol.md), and a 401 must carry a challenge.
    """

    def authenticate_header(self, request: Request) -> str:
        return 'Session realm="helpdesk"'


class VisitorTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Visitor"

    def authenticate(self, request: Request) -> tuple[VisitorPrincipal, str] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Visitor authorization header.")
        from chat.services.visitors import visitor_from_token
        from helpdesk.errors import HelpdeskError

        token = header[1].decode("ascii", "replace")
        try:
            visitor = visitor_from_token(token)
        except HelpdeskError as error:
            raise exceptions.AuthenticationFailed(str(error.detail)) from None
        return VisitorPrincipal(visitor), token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class VisitorTokenScheme(OpenApiAuthenticationExtension):
    target_class = "helpdesk.auth.VisitorTokenAuthentication"
    name = "visitorToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Visitor <token>` from POST /api/widget/session",
        }


class DeskSessionScheme(OpenApiAuthenticationExtension):
    target_class = "helpdesk.auth.DeskSessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "cookie",
            "name": settings.SESSION_COOKIE_NAME,
            "description": "An agent's or manager's login (/accounts/login/); without one: 401",
        }
