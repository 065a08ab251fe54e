"""The demo storefront (a small shop with the chat widget in the corner) and the widget's
server side: its translated strings and part manifest (``GET /api/widget/config``) and CORS for
the widget's REST calls from other shops' origins.

Other parts of the desk add widget strings with :func:`widget_strings_register` and storefront
template context with :func:`storefront_context_register`; see docs/frontend.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from orders.models import Product

# --- widget strings --------------------------------------------------------------------------

# The core's strings: the key is the English text itself, so the widget still reads well if
# the config request fails. Parts register namespaced keys ("queue.position").
CORE_STRINGS = [
    N_("Open chat"),
    N_("Open chat (%(n)s unread)"),
    N_("Close chat"),
    N_("Chat with us"),
    N_("We typically reply in a few minutes"),
    N_("%(name)s is replying"),
    N_("%(name)s is typing…"),
    N_("Support"),
    N_("Messages"),
    N_("Message"),
    N_("Type a message…"),
    N_("Send"),
    N_("Hi there!"),
    N_("Ask us anything about products, orders or delivery."),
    N_("Powered by Helpdesk"),
    N_("Sending…"),
    N_("Sent"),
    N_("Delivered"),
    N_("Read"),
    N_("Not sent"),
    N_("Connection lost. Reconnecting…"),
    N_("You are sending messages too fast. Retrying…"),
    N_("That message is too long."),
    N_("That message could not be sent."),
    N_("The chat is temporarily unavailable. Retrying…"),
    N_("This conversation is no longer available."),
    N_("Your session expired. Reconnecting…"),
    N_("Something went wrong."),
]

_registry: dict[str, Any] = {key: key for key in CORE_STRINGS}


def widget_strings_register(part: str, strings: Mapping[str, Any]) -> None:
    """Add a widget part's UI strings; ``strings`` maps keys to ``gettext_lazy`` values (or
    ``gettext_noop``-marked text). In the widget they are ``api.t("<part>.<key>")``."""
    for key, value in strings.items():
        _registry[f"{part}.{key}" if part else key] = value


def widget_strings(language: str) -> dict[str, str]:
    """Every registered widget string translated into ``language``."""
    with translation.override(language):
        return {
            key: gettext(value) if isinstance(value, str) else str(value)
            for key, value in _registry.items()
        }


# The widget's languages: the desk's two, and the shoppers' languages it ships words for
# (locale/widget/<lang>/); a browser in any other language gets English.
WIDGET_LANGUAGES = ("en", "zh-hans", "de", "ja")


def widget_language(raw: str) -> str:
    """A supported language code for a browser tag: ``zh*`` is Simplified Chinese, ``de-AT``
    German, ``ja-JP`` Japanese, anything else English."""
    base = raw.strip().lower().replace("_", "-").split("-")[0]
    if base == "zh":
        return "zh-hans"
    return base if base in WIDGET_LANGUAGES else "en"


def _find_parts() -> list[str]:
    found: set[str] = set()
    for finder in finders.get_finders():
        for path, _storage in finder.list([]):
            path = path.replace("\\", "/")
            if path.startswith("widget/parts/") and path.endswith(".js") and path.count("/") == 2:
                found.add(path)
    return [static(path) for path in sorted(found)]


_find_parts_cached = lru_cache(maxsize=1)(_find_parts)


def widget_parts() -> list[str]:
    """URLs of the part files the widget loads: every ``static/widget/parts/*.js``."""
    # Re-scan on each request while developing, so a new part shows up without a restart.
    return _find_parts() if settings.DEBUG else list(_find_parts_cached())


class WidgetConfigApi(APIView):
    """The widget's boot data: translated strings and the part files to load. Public and
    cacheable; readable from any origin (it carries nothing secret)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("lang", OpenApiTypes.STR, enum=list(WIDGET_LANGUAGES))],
        responses=inline_serializer(
            "WidgetConfig",
            {
                "language": serializers.CharField(),
                "strings": serializers.DictField(child=serializers.CharField()),
                "parts": serializers.ListField(child=serializers.CharField()),
                "limits": serializers.DictField(child=serializers.IntegerField()),
            },
        ),
        tags=["widget"],
    )
    def get(self, request: Request) -> Response:
        language = widget_language(str(request.query_params.get("lang", ""))[:16])
        limits = {
            "max_body_chars": settings.HELPDESK["MAX_BODY_CHARS"],
            "max_frame_bytes": settings.HELPDESK["MAX_FRAME_BYTES"],
        }
        response = Response(
            {
                "language": language,
                "strings": widget_strings(language),
                "parts": widget_parts(),
                "limits": limits,
            }
        )
        response["Access-Control-Allow-Origin"] = "*"
        response["Cache-Control"] = "public, max-age=300"
        return response


# --- CORS for the widget's REST calls -----------------------------------------------------------

# Everything the widget calls from a shop's own origin: session, config, bot feedback, CSAT,
# availability, browsing events (/api/widget/…), history, and media uploads and downloads.
WIDGET_API_PREFIXES = (
    "/api/widget/",
    "/api/v1/conversations/",
    "/api/v1/uploads",
    "/api/v1/files/",
)


def cors_origin_allowed(origin: str) -> bool:
    allowed = settings.STOREFRONT_ORIGINS
    return "*" in allowed or origin.rstrip("/") in {o.rstrip("/") for o in allowed}


class WidgetCorsMiddleware:
    """Lets storefronts in ``STOREFRONT_ORIGINS`` call the widget's endpoints from the shop's
    own origin. No credentials are allowed: the widget authenticates with the
    ``Authorization: Visitor`` header, never with cookies, so a cross-origin page can never
    ride an agent's session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        origin = request.headers.get("Origin", "")
        if not origin or not request.path.startswith(WIDGET_API_PREFIXES):
            return self.get_response(request)
        if not cors_origin_allowed(origin):
            return self.get_response(request)
        response: HttpResponseBase
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            response["Access-Control-Max-Age"] = "600"
        else:
            response = self.get_response(request)
        response["Access-Control-Allow-Origin"] = origin
        patch_vary_headers(response, ["Origin"])
        return response


# --- the demo shop ------------------------------------------------------------------------------

StorefrontContext = Callable[[HttpRequest], dict[str, Any]]
_storefront_context_parts: list[StorefrontContext] = []


def storefront_context_register(part: StorefrontContext) -> None:
    """Add template context to every storefront page: ``part(request)`` returns a dict (the
    orders app's ``widget_identity``: a signed identity the widget passes to
    /api/widget/session). Registering one twice changes nothing."""
    if part not in _storefront_context_parts:
        _storefront_context_parts.append(part)


def storefront_context_parts() -> list[StorefrontContext]:
    """The registered parts, in order (docs/architecture.md lists them)."""
    return list(_storefront_context_parts)


def _decorate(products: Iterable[Product]) -> list[Product]:
    items = list(products)
    for item in items:
        # No product photos in the demo data: a monogram tile in a per-product colour.
        item.monogram = (item.name.strip()[:1] or "?").upper()  # type: ignore[attr-defined]
        item.hue = (item.pk * 47) % 360  # type: ignore[attr-defined]
    return items


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "widget_src": request.build_absolute_uri(static("widget/widget.js")),
    }
    for part in _storefront_context_parts:
        context.update(part(request))
    identity = context.get("widget_identity")
    context["widget_identity_json"] = json.dumps(identity) if identity else ""
    context.update(extra)
    return context


def home(request: HttpRequest) -> HttpResponse:
    products = _decorate(Product.objects.filter(active=True).order_by("name")[:60])
    return render(request, "storefront/index.html", _context(request, products=products))


def product(request: HttpRequest, slug: str) -> HttpResponse:
    item = get_object_or_404(Product, slug=slug, active=True)
    related = _decorate(Product.objects.filter(active=True).exclude(pk=item.pk).order_by("?")[:4])
    return render(
        request,
        "storefront/product.html",
        _context(request, product=_decorate([item])[0], related=related),
    )
