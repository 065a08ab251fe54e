"""Search's REST endpoints (mounted under /api/ by chat.urls)."""

from django.urls import path

from . import apis

api_urlpatterns = [
    path("v1/search/messages", apis.MessageSearchApi.as_view(), name="message-search"),
]
