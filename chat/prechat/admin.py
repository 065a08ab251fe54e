from django.contrib import admin

from chat.models import PrechatForm, PrechatSubmission


@admin.register(PrechatForm)
class PrechatFormAdmin(admin.ModelAdmin):
    """The form shoppers of a web channel fill in before their first message: ``fields`` as
    JSON, e.g. ``[{"field": "name", "required": true}, {"field": "email", "required": true},
    {"field": "phone"}, {"field": "conversation.topic"}]`` (checked on save)."""

    list_display = ["channel", "enabled", "updated_at"]


@admin.register(PrechatSubmission)
class PrechatSubmissionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "visitor", "channel", "conversation"]
    raw_id_fields = ["visitor", "conversation"]
    readonly_fields = ["visitor", "channel", "values", "conversation", "created_at"]
