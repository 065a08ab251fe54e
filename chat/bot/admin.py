"""The knowledge base in the admin: entries with their phrasings inline, feedback and the
questions the bot could not answer (read-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chat.models import BotFeedback, KnowledgeEntry, KnowledgeQuestion, UnmatchedQuestion


class KnowledgeQuestionInline(admin.TabularInline):
    model = KnowledgeQuestion
    extra = 3
    min_num = 1
    verbose_name = _("question phrasing")
    verbose_name_plural = _("ways shoppers ask it")


@admin.register(KnowledgeEntry)
class KnowledgeEntryAdmin(admin.ModelAdmin):
    list_display = ("title", "language", "tags", "active", "phrasings", "updated_at")
    list_filter = ("language", "active")
    search_fields = ("title", "answer", "tags", "questions__text")
    filter_horizontal = ("products",)
    inlines = [KnowledgeQuestionInline]
    actions = ["activate", "deactivate"]

    def get_queryset(self, request: HttpRequest) -> Any:
        from django.db.models import Count

        return super().get_queryset(request).annotate(phrasing_count=Count("questions"))

    @admin.display(description=_("phrasings"), ordering="phrasing_count")
    def phrasings(self, obj: Any) -> int:
        return int(getattr(obj, "phrasing_count", 0))

    @admin.action(description=_("Activate the selected entries"))
    def activate(self, request: HttpRequest, queryset: Any) -> None:
        from .matching.index import kb_changed

        queryset.update(active=True)
        kb_changed()

    @admin.action(description=_("Deactivate the selected entries"))
    def deactivate(self, request: HttpRequest, queryset: Any) -> None:
        from .matching.index import kb_changed

        queryset.update(active=False)
        kb_changed()


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(UnmatchedQuestion)
class UnmatchedQuestionAdmin(ReadOnlyAdmin):
    list_display = ("text", "language", "best_entry", "best_score", "created_at")
    list_filter = ("language",)
    search_fields = ("text",)
    date_hierarchy = "created_at"


@admin.register(BotFeedback)
class BotFeedbackAdmin(ReadOnlyAdmin):
    list_display = ("message", "entry", "choice", "updated_at")
    list_filter = ("choice",)
