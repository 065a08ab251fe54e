from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from chat.models import AutomationRule, AutomationRun


@admin.register(AutomationRule)
class AutomationRuleAdmin(admin.ModelAdmin):
    """When / if / then: ``conditions`` and ``actions`` as JSON lists, checked on save
    (docs/automation.md lists every type)."""

    list_display = ["name", "event", "active", "position", "updated_at"]
    list_filter = ["event", "active"]
    list_editable = ["active", "position"]
    search_fields = ["name", "description"]


@admin.register(AutomationRun)
class AutomationRunAdmin(admin.ModelAdmin):
    """Every run of a rule, read only: the log of what automation did."""

    list_display = ["at", "rule", "conversation", "event", "outcome", "actions_done"]
    list_filter = ["outcome", "event", "rule"]
    raw_id_fields = ["conversation"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
