"""``Authorization: Token <key>`` for the shop's backend, with read or read-write scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from .models import ApiToken, token_hash

# last_used_at is written at most this often per token: a busy integration must not turn
# every read into a write.
TOUCH_EVERY = dt.timedelta(minutes=1)


class ShopPrincipal:
    """``request.user`` for a shop integration call."""

    is_authenticated = True
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None

    def __init__(self, token: ApiToken) -> None:
        self.token = token

    def __str__(self) -> str:
        return f"token:{self.token.pk}"


class ShopTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[ShopPrincipal, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2 or len(header[1]) > 200:
            raise exceptions.AuthenticationFailed("Malformed Token authorization header.")
        key = header[1].decode("ascii", "replace")
        token = ApiToken.objects.filter(key_hash=token_hash(key), active=True).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return ShopPrincipal(token), token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class TokenScope(permissions.BasePermission):
    """Read-only tokens may read; writes need a read-write token."""

    message = "This token is read-only."

    def has_permission(self, request: Request, view: Any) -> bool:
        principal = request.user
        if not isinstance(principal, ShopPrincipal):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return principal.token.can_write


class ShopTokenScheme(OpenApiAuthenticationExtension):
    target_class = "orders.auth.ShopTokenAuthentication"
    name = "shopToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: an API token created in the admin (read or read-write).",
        }
