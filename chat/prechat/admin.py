from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from chat.models import PrechatForm, PrechatSubmission

from .forms import PrechatFormAdminForm


@admin.register(PrechatForm)
class PrechatFormAdmin(admin.ModelAdmin):
    """The form shoppers of a web channel fill in before their first message: its questions
    as a table (question, label, required, order), checked on save with the row named."""

    form = PrechatFormAdminForm
    list_display = ["channel", "enabled", "questions", "updated_at"]

    @admin.display(description=_("questions"))
    def questions(self, form: PrechatForm) -> str:
        return ", ".join(
            str(spec.get("label") or spec.get("field")) + ("*" if spec.get("required") else "")
            for spec in form.fields
            if isinstance(spec, dict)
        )


@admin.register(PrechatSubmission)
class PrechatSubmissionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "visitor", "channel", "conversation"]
    raw_id_fields = ["visitor", "conversation"]
    readonly_fields = ["visitor", "channel", "values", "conversation", "created_at"]
