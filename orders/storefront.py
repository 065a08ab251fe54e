"""The demo shop's backend role in identity verification.

A real shop's server signs its logged-in customer's ``external_id`` with the storefront
identity secret and hands the signature to the widget. The demo storefront does the same for
a demo customer chosen with the "sign in as a demo customer" switch: the choice lives in the
Django session, and the page renders the widget with the signed identity. Only demo customers
(``demo-…``) can be chosen, so this is never a signing service for real customers.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .demo import DEMO_PREFIX, demo_customers
from .models import Customer
from .services import identity_signature

SESSION_KEY = "demo_customer"


def demo_identity(external_id: str) -> dict[str, Any] | None:
    customer = (
        Customer.objects.filter(external_id=external_id, erased_at__isnull=True)
        .only("external_id", "name", "email")
        .first()
    )
    if customer is None or not external_id.startswith(DEMO_PREFIX):
        return None
    return {
        "external_id": customer.external_id,
        "signature": identity_signature(external_id),
        "name": customer.name,
        "email": customer.email,
    }


def storefront_context(request: HttpRequest) -> dict[str, Any]:
    """Storefront template context: the switch's choices and the signed widget identity."""
    chosen = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    identity = demo_identity(chosen) if isinstance(chosen, str) else None
    return {
        "demo_customers": demo_customers(),
        "demo_customer": identity,
        "widget_identity": identity,
    }


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    return HttpResponseRedirect(target)


@require_POST
def sign_in(request: HttpRequest) -> HttpResponse:
    external_id = request.POST.get("customer", "")
    if demo_identity(external_id) is not None:
        request.session[SESSION_KEY] = external_id
    return _back(request)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    return _back(request)


urlpatterns = [
    path("demo/sign-in", sign_in, name="demo-sign-in"),
    path("demo/sign-out", sign_out, name="demo-sign-out"),
]
