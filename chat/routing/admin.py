from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from chat.models import (
    AgentPresence,
    Holiday,
    LeftMessage,
    ProactiveChatSettings,
    Schedule,
    ScheduleInterval,
    TeamRouting,
)


class IntervalInline(admin.TabularInline):
    model = ScheduleInterval
    extra = 1


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "team", "timezone"]
    inlines = [IntervalInline, HolidayInline]


@admin.register(TeamRouting)
class TeamRoutingAdmin(admin.ModelAdmin):
    list_display = ["team", "reply_target_seconds", "is_default"]


@admin.register(AgentPresence)
class AgentPresenceAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "offline_since", "last_assigned_at"]
    list_filter = ["status"]
    raw_id_fields = ["user"]


@admin.register(LeftMessage)
class LeftMessageAdmin(admin.ModelAdmin):
    list_display = ["conversation", "email", "phone", "created_at"]
    raw_id_fields = ["conversation"]
    search_fields = ["email", "phone", "body"]


@admin.register(ProactiveChatSettings)
class ProactiveChatSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "enabled", "delay_seconds"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A singleton: the one row is created on first read.
        return not ProactiveChatSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
