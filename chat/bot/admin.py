"""The knowledge base in the admin: entries with their phrasings inline, feedback and the
questions the bot could not answer (read-only), and the learning loop's proposals (one click
accepts; nothing goes live unreviewed)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from chat.models import (
    BotFeedback,
    KnowledgeEntry,
    KnowledgeProposal,
    KnowledgeQuestion,
    SuggestionPick,
    UnmatchedQuestion,
)
from helpdesk.errors import BadRequest

from .learning import proposal_accept, proposal_reject


class PreviewForm(forms.Form):
    text = forms.CharField(
        label=_("Question"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("Detect")), ("en", _("English")), ("zh-hans", _("Simplified Chinese"))],
    )


DECISION_LABELS = {
    "answer": _("Answer"),
    "suggest": _("Did you mean…"),
    "handover": _("Hand over to a person"),
}


class KnowledgeQuestionInline(admin.TabularInline):
    model = KnowledgeQuestion
    extra = 3
    min_num = 1
    verbose_name = _("question phrasing")
    verbose_name_plural = _("ways shoppers ask it")


@admin.register(KnowledgeEntry)
class KnowledgeEntryAdmin(admin.ModelAdmin):
    list_display = ("title", "key", "language", "tags", "active", "phrasings", "updated_at")
    list_filter = ("language", "active")
    search_fields = ("title", "key", "answer", "tags", "questions__text")
    filter_horizontal = ("products",)
    inlines = [KnowledgeQuestionInline]
    actions = ["activate", "deactivate"]

    def get_urls(self) -> list[URLPattern]:
        preview = path(
            "preview/",
            self.admin_site.admin_view(self.preview_view),
            name="chat_knowledgeentry_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request: HttpRequest) -> HttpResponse:
        """ "Test your bot": what the bot would do with a question (the preview API's answer,
        drawn for people)."""
        from .selectors import bot_preview

        form = PreviewForm(request.POST or None)
        result = None
        if request.method == "POST" and form.is_valid():
            result = bot_preview(
                text=form.cleaned_data["text"], language=form.cleaned_data["language"] or None
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Test your bot"),
            "form": form,
            "result": result,
            "decision_label": DECISION_LABELS.get(result["decision"], "") if result else "",
        }
        return TemplateResponse(request, "admin/chat/knowledgeentry/preview.html", context)

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


@admin.register(SuggestionPick)
class SuggestionPickAdmin(ReadOnlyAdmin):
    list_display = ("question", "key", "language", "created_at")
    list_filter = ("language",)
    search_fields = ("question", "key")


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


@admin.register(KnowledgeProposal)
class KnowledgeProposalAdmin(admin.ModelAdmin):
    """Proposals from the desk's traffic. Pending ones can be edited, then accepted with one
    click (the list's *Accept* button, the form's *Accept and go live*, or the bulk action);
    the knowledge base changes only then."""

    change_form_template = "admin/chat/knowledgeproposal/change_form.html"
    list_display = (
        "question",
        "kind",
        "source",
        "entry",
        "title",
        "language",
        "status",
        "created_at",
    )
    list_filter = ("status", "kind", "source", "language")
    search_fields = ("question", "title", "answer")
    date_hierarchy = "created_at"
    raw_id_fields = ("entry",)
    fields = (
        "status",
        "kind",
        "source",
        "language",
        "question",
        "entry",
        "title",
        "answer",
        "conversation",
        "created_at",
        "decided_at",
        "decided_by",
        "result_entry",
    )
    actions = ["accept_selected", "reject_selected"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Proposals come from traffic; a new entry is added under Knowledge base entries.
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        decided = ("status", "source", "conversation", "created_at", "decided_at", "decided_by")
        if obj is not None and obj.status != KnowledgeProposal.Status.PENDING:
            return self.fields
        return (*decided, "result_entry")

    def get_list_display(self, request: HttpRequest) -> Any:
        if not self.has_change_permission(request):
            return self.list_display
        token = get_token(request)

        @admin.display(description=_("decide"))
        def decide(obj: KnowledgeProposal) -> str:
            if obj.status != KnowledgeProposal.Status.PENDING:
                return ""
            url = reverse("admin:chat_knowledgeproposal_accept", args=[obj.pk])
            return format_html(
                '<form method="post" action="{}"><input type="hidden" '
                'name="csrfmiddlewaretoken" value="{}"><button type="submit" class="button" '
                'data-accept="{}">{}</button></form>',
                url,
                token,
                obj.pk,
                gettext("Accept"),
            )

        return (*self.list_display, decide)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/accept/",
                self.admin_site.admin_view(self.accept_view),
                name="chat_knowledgeproposal_accept",
            ),
            *super().get_urls(),
        ]

    def accept_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        proposal = get_object_or_404(KnowledgeProposal, pk=pk)
        if not self.has_change_permission(request, proposal):
            raise PermissionDenied
        self._accept(request, proposal)
        return HttpResponseRedirect(reverse("admin:chat_knowledgeproposal_changelist"))

    def _accept(self, request: HttpRequest, proposal: KnowledgeProposal) -> bool:
        try:
            done = proposal_accept(proposal_id=proposal.pk, user=request.user)
        except BadRequest as exc:
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in (exc.fields or {}).items())
            self.message_user(
                request, f"{proposal}: {exc.detail} {details}".strip(), messages.ERROR
            )
            return False
        self.log_change(request, done, "Accepted")
        self.message_user(
            request,
            gettext("Accepted: “%(question)s” is live in “%(entry)s”.")
            % {"question": done.question[:80], "entry": done.result_entry},
            messages.SUCCESS,
        )
        return True

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        changelist = reverse("admin:chat_knowledgeproposal_changelist")
        if "_accept" in request.POST:
            if self._accept(request, obj):
                return HttpResponseRedirect(changelist)
            return HttpResponseRedirect(request.path)
        if "_reject" in request.POST:
            proposal_reject(proposal_id=obj.pk, user=request.user)
            self.log_change(request, obj, "Rejected")
            self.message_user(request, gettext("Rejected."), messages.SUCCESS)
            return HttpResponseRedirect(changelist)
        return super().response_change(request, obj)

    @admin.action(description=_("Accept the selected proposals (they go live)"))
    def accept_selected(self, request: HttpRequest, queryset: Any) -> None:
        for proposal in queryset.filter(status=KnowledgeProposal.Status.PENDING):
            self._accept(request, proposal)

    @admin.action(description=_("Reject the selected proposals"))
    def reject_selected(self, request: HttpRequest, queryset: Any) -> None:
        for proposal in queryset.filter(status=KnowledgeProposal.Status.PENDING):
            proposal_reject(proposal_id=proposal.pk, user=request.user)
