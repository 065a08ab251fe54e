"""Routing's REST endpoints (mounted under /api/ by chat.urls)."""

from django.urls import path

from chat.canned import apis as canned_apis
from chat.csat import apis as csat_apis

from . import apis

api_urlpatterns = [
    path("v1/presence", apis.PresenceApi.as_view(), name="presence"),
    path("v1/queue/", apis.QueueOverviewApi.as_view(), name="queue-overview"),
    path("widget/availability", apis.AvailabilityApi.as_view(), name="widget-availability"),
    path("widget/leave-message", apis.LeaveMessageApi.as_view(), name="widget-leave-message"),
    path("widget/proactive", apis.ProactiveApi.as_view(), name="widget-proactive"),
    path("widget/csat", csat_apis.CsatSubmitApi.as_view(), name="widget-csat"),
    path("v1/canned/", canned_apis.CannedListApi.as_view(), name="canned-list"),
    path("v1/canned/<int:canned_id>", canned_apis.CannedDetailApi.as_view(), name="canned-detail"),
    path(
        "v1/canned/<int:canned_id>/render",
        canned_apis.CannedRenderApi.as_view(),
        name="canned-render",
    ),
]
