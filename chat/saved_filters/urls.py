"""Saved filters' REST endpoints (mounted under /api/ by chat.urls)."""

from django.urls import path

from . import apis

api_urlpatterns = [
    path("v1/saved-filters/", apis.SavedFilterListApi.as_view(), name="saved-filter-list"),
    path(
        "v1/saved-filters/<int:saved_id>",
        apis.SavedFilterDetailApi.as_view(),
        name="saved-filter-detail",
    ),
]
