from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.cache import patch_cache_control
from django.views.i18n import JSONCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from chat.urls import api_urlpatterns as chat_api
from inboxes.urls import api_urlpatterns as inboxes_api
from orders.urls import api_urlpatterns as orders_api

from . import storefront


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask every site for /favicon.ico: send them to the static file (its hashed,
    long-cached URL in production), remembered for a day."""
    response = HttpResponseRedirect(static("favicon.ico"))
    patch_cache_control(response, public=True, max_age=86400)
    return response


urlpatterns = [
    path("favicon.ico", favicon, name="favicon"),
    path("", storefront.home, name="storefront-home"),
    path("p/<slug:slug>/", storefront.product, name="storefront-product"),
    path("admin/reports/", include("analytics.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The translations of every script (the djangojs domain) as JSON: static/shared/i18n.js.
    path("jsi18n/", JSONCatalog.as_view(), name="javascript-catalog"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file: the docs page keeps the strict CSP.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("api/widget/config", storefront.WidgetConfigApi.as_view(), name="widget-config"),
    path("", include("chat.attachments.urls")),
    path("api/", include("chat.bot.urls")),
    path("api/", include(chat_api)),
    path("api/", include("analytics.api_urls")),  # SLA marks of the desk's list
    path("api/", include(orders_api)),
    path("api/", include(inboxes_api)),  # API channel, channels, contacts (docs/channels.md)
    path("", include("inboxes.urls")),  # shops' integration API (orders/urls.py)
    path("api/", include("chat.sidebar_api")),  # agent sidebar, cards, widget browsing
    path("", include("orders.storefront")),  # demo storefront's "sign in as a demo customer"
    path("", include("chat.urls")),
]

# A database outage anywhere is a JSON 503, an API path's failure a JSON 500 (helpdesk/edge.py).
handler500 = "helpdesk.edge.server_error"
