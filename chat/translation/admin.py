"""Translation in Django's admin: the shop's glossary (editable), stored translations and the
conversations' switches (read-only: they are the record of what was sent)."""

from django.contrib import admin
from django.http import HttpRequest

from chat.models import ConversationTranslation, GlossaryTerm, MessageTranslation


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ["term", "case_sensitive", "created_at"]
    search_fields = ["term"]


@admin.register(MessageTranslation)
class MessageTranslationAdmin(admin.ModelAdmin):
    list_display = [
        "message_id",
        "conversation",
        "status",
        "source_language",
        "target_language",
        "attempts",
        "updated_at",
    ]
    list_filter = ["status", "target_language"]
    raw_id_fields = ["conversation"]
    readonly_fields = [f.name for f in MessageTranslation._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ConversationTranslation)
class ConversationTranslationAdmin(admin.ModelAdmin):
    list_display = ["conversation", "enabled", "shopper_language", "updated_at"]
    list_filter = ["enabled", "shopper_language"]
    raw_id_fields = ["conversation"]
