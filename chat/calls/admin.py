from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import pgettext_lazy

from chat.models import Call


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    """Calls as they happened: read only (the signalling writes them, docs/calls.md)."""

    list_display = [
        "started_at",
        "conversation",
        "media",
        "caller",
        "agent",
        "answered_by",
        "status",
        "end_reason",
        "duration",
    ]
    list_filter = ["media", "caller", "status", "end_reason"]
    date_hierarchy = "started_at"
    raw_id_fields = ["conversation", "agent"]
    exclude = ["agent_channel", "visitor_channel"]

    @admin.display(description=pgettext_lazy("call", "duration (seconds)"))
    def duration(self, call: Call) -> int | None:
        return call.duration_seconds

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
