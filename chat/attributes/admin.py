from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from chat.models import AttributeDefinition


class ChoiceLinesField(forms.CharField):
    """A list attribute's choices typed one per line (blank lines dropped), stored as the
    JSON list the model checks."""

    widget = forms.Textarea(attrs={"rows": 5, "cols": 40})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value)
        return [line.strip() for line in str(text).splitlines() if line.strip()]

    def has_changed(self, initial: Any, data: Any) -> bool:
        return (initial or []) != self.to_python(data)


class AttributeDefinitionForm(forms.ModelForm):
    options = ChoiceLinesField(
        label=_("Choices"),
        required=False,
        help_text=_(
            "For a list (a topic, say): one choice per line, as shoppers and agents see it."
        ),
    )

    class Meta:
        model = AttributeDefinition
        fields = ["applies_to", "key", "label", "kind", "options", "description", "position"]


@admin.register(AttributeDefinition)
class AttributeDefinitionAdmin(admin.ModelAdmin):
    """Custom attributes for conversations and contacts: the key names it in the API and in
    automation rules; a list attribute needs its choices, one per line (checked on save)."""

    form = AttributeDefinitionForm
    list_display = ["label", "key", "applies_to", "kind", "position"]
    list_filter = ["applies_to", "kind"]
    search_fields = ["label", "key"]
    list_editable = ["position"]
