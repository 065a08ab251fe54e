"""The Content-Security-Policy middleware: django-csp's, plus this host's WebSockets.

``connect-src 'self'`` covers ``ws:``/``wss:`` to the same host in current browsers (CSP level
3), but not in every one still in use; naming ``ws://host`` and ``wss://host`` of the request
(a host ``ALLOWED_HOSTS`` already accepted) keeps the desk's and the widget's sockets working
everywhere without opening the policy to any other socket.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponseBase


class CSPMiddleware(BaseCSPMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        # An exempt response (a provider's webhook: no page) gets no header anyway; django-csp
        # would still build the policy first, a tenth of an email webhook's CPU.
        if getattr(response, "_csp_exempt", False) and not getattr(
            settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None
        ):
            return response
        return super().process_response(request, response)

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        try:
            host = request.get_host()
        except DisallowedHost:
            return parts
        update = dict(parts.update or {})
        sockets = [f"ws://{host}", f"wss://{host}"]
        existing = update.get("connect-src") or []
        update["connect-src"] = [*existing, *sockets]
        parts.update = update
        return parts
