"""Mentions' REST endpoints (mounted under /api/ by chat.urls)."""

from django.urls import path

from . import apis

api_urlpatterns = [
    path("v1/mentions/", apis.MentionListApi.as_view(), name="mention-list"),
    path("v1/mentions/read", apis.MentionReadApi.as_view(), name="mention-read"),
    path("v1/mentions/agents", apis.MentionAgentsApi.as_view(), name="mention-agents"),
]
