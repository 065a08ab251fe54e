from django.contrib import admin

from chat.models import AttributeDefinition


@admin.register(AttributeDefinition)
class AttributeDefinitionAdmin(admin.ModelAdmin):
    """Custom attributes for conversations and contacts: the key names it in the API and in
    automation rules; a list attribute needs its choices (checked on save)."""

    list_display = ["label", "key", "applies_to", "kind", "position"]
    list_filter = ["applies_to", "kind"]
    search_fields = ["label", "key"]
    list_editable = ["position"]
