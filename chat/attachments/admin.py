"""Admin for the media limits (a singleton) and a read-only view of attachments."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from chat.models import Attachment, MediaLimits

from .selectors import limits_get


@admin.register(MediaLimits)
class MediaLimitsAdmin(admin.ModelAdmin):
    fieldsets = [
        (None, {"fields": ["image_max_mb", "file_max_mb"]}),
        (None, {"fields": ["audio_max_mb", "audio_max_seconds"]}),
        (None, {"fields": ["video_max_mb", "video_max_seconds"]}),
        (None, {"fields": ["allowed_types"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        # One row: the list is the form.
        limits = limits_get()
        return HttpResponseRedirect(reverse("admin:chat_medialimits_change", args=[limits.pk]))


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "content_type", "size", "message", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "public_id"]
    readonly_fields = [f.name for f in Attachment._meta.fields]
    list_select_related = ["message"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
