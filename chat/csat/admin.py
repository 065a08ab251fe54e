from django.contrib import admin

from chat.models import SatisfactionRating


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(admin.ModelAdmin):
    list_display = ["conversation", "rating", "assignee", "team", "created_at"]
    list_filter = ["rating", "team"]
    raw_id_fields = ["conversation", "assignee"]
    readonly_fields = ["conversation", "resolved_at", "rating", "comment", "created_at"]
