"""The audit log in the admin: read by those with ``audit.view_auditentry``, never edited."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.models import DELETION, LogEntry
from django.http import HttpRequest

from .listeners import on_admin_log
from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_name", "actor_kind", "action", "target_type", "target_id"]
    list_filter = ["action", "actor_kind", "target_type"]
    search_fields = ["actor_name", "target_id", "=actor_id"]
    date_hierarchy = "at"
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@wraps(django_delete_selected)
def delete_selected(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: Any) -> Any:
    """Django's "Delete selected" with every deleted object in the audit log. Django writes the
    admin's log of two or more deletions as one bulk insert (``ModelAdmin.log_deletions``), which
    sends no ``post_save``, so the listener that copies each admin log entry
    (``listeners.on_admin_log``) never saw a bulk delete; a single deletion is saved row by row
    and reaches it already."""
    last = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = django_delete_selected(modeladmin, request, queryset)
    logged = list(
        LogEntry.objects.filter(pk__gt=last, user_id=request.user.pk or 0, action_flag=DELETION)
        .select_related("content_type")
        .order_by("pk")
    )
    if len(logged) > 1:
        for entry in logged:
            on_admin_log(LogEntry, entry, created=True)
    return response


admin.site.add_action(delete_selected, "delete_selected")
