"""The chat models in Django's admin. Each area registers its own models in its ``admin``
module, imported here so the admin's autodiscovery (which imports ``chat.admin``) finds them."""

from django.contrib import admin
from django.http import HttpRequest

from .attachments import admin as attachments_admin  # noqa: F401
from .attributes import admin as attributes_admin  # noqa: F401
from .automation import admin as automation_admin  # noqa: F401
from .bot import admin as bot_admin  # noqa: F401
from .calls import admin as calls_admin  # noqa: F401
from .canned import admin as canned_admin  # noqa: F401
from .csat import admin as csat_admin  # noqa: F401
from .models import AgentProfile, Conversation, Label, Macro, Message, Team, Visitor
from .prechat import admin as prechat_admin  # noqa: F401
from .routing import admin as routing_admin  # noqa: F401
from .translation import admin as translation_admin  # noqa: F401


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    """Labels agents put on conversations: a name and a #RRGGBB colour."""

    list_display = ["name", "color"]
    search_fields = ["name"]
    exclude = ["conversations"]


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    """One click, several actions: ``actions`` as JSON (the model's docstring lists them)."""

    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(AgentProfile)
class AgentProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "capacity", "language"]
    filter_horizontal = ["teams"]
    search_fields = ["user__username", "display_name"]


@admin.register(Visitor)
class VisitorAdmin(admin.ModelAdmin):
    list_display = ["public_id", "customer", "language", "created_at", "last_seen_at"]
    raw_id_fields = ["customer"]
    search_fields = ["public_id", "name", "email"]


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("seq", "sender_kind", "sender_name", "kind", "private", "body", "created_at")
    readonly_fields = ("seq", "sender_kind", "sender_name", "kind", "private", "body", "created_at")
    extra = 0
    can_delete = False
    ordering = ["seq"]

    def has_add_permission(self, request: HttpRequest, obj: Conversation | None = None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["id", "visitor", "customer", "status", "assignee", "team", "last_activity_at"]
    list_filter = ["status", "team"]
    raw_id_fields = ["visitor", "customer", "assignee"]
    readonly_fields = ["last_seq", "created_at", "resolved_at"]
    inlines = [MessageInline]
