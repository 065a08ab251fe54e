"""The admin's editor of a pre-chat form's questions: a table of rows (question, the label
shoppers see, required, order) instead of JSON. A question is a standard field (name, email,
phone) or a custom attribute, whose type and choices (a topic's list) come from its
definition. Whatever the manager typed is shown again with the errors, nothing lost."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import AttributeDefinition, PrechatForm
from .services import MAX_FIELDS, MAX_LABEL, check_form_fields

# Empty rows shown under the questions, to add more without code.
SPARE_ROWS = 3
MIN_ROWS = 4


def question_choices() -> list[tuple[str, str]]:
    """The questions a form can ask: the standard fields, then every custom attribute with
    its type (and a list's choices) in the name, so the manager sees what the shopper gets."""
    kinds = dict(AttributeDefinition.Kind.choices)
    choices = [("", "—"), ("name", _("Name")), ("email", _("Email")), ("phone", _("Phone"))]
    for d in AttributeDefinition.objects.order_by("applies_to", "position", "label"):
        kind = str(kinds.get(d.kind, d.kind))
        if d.kind == AttributeDefinition.Kind.LIST and d.options:
            kind = f"{kind}: {', '.join(d.options)}"
        scope = d.get_applies_to_display()
        choices.append((f"{d.applies_to}.{d.key}", f"{d.label} ({scope}, {kind})"))
    return choices


def _rows(value: Any) -> list[dict[str, Any]]:
    """The rows to show: the saved questions, or the rows just submitted (strings)."""
    if not isinstance(value, list):
        return []
    rows = []
    for n, spec in enumerate(value, 1):
        if isinstance(spec, dict):
            rows.append(
                {
                    "field": str(spec.get("field") or ""),
                    "label": str(spec.get("label") or ""),
                    "required": spec.get("required") in (True, "on", "true"),
                    "order": str(spec.get("order") or n),
                }
            )
    return rows


Picked = tuple[int, int, dict[str, Any]]


def check_rows(rows: list[dict[str, Any]]) -> tuple[dict[int, str], list[Picked]]:
    """Each wrong row's message by its number (from 1), and the good rows as (order, row,
    the model's spec). Empty rows are skipped."""
    problems: dict[int, str] = {}
    seen: dict[str, int] = {}
    picked: list[Picked] = []
    known = {key for key, _label in question_choices() if key}
    for n, row in enumerate(rows, 1):
        field, label = str(row.get("field") or ""), str(row.get("label") or "").strip()
        order = str(row.get("order") or "").strip()
        if not field:
            if label or row.get("required"):
                problems[n] = _("Row %(n)d: choose a question.") % {"n": n}
        elif field not in known:
            problems[n] = _("Row %(n)d: no such question; choose another.") % {"n": n}
        elif field in seen:
            problems[n] = _("Row %(n)d: this question is already asked in row %(first)d.") % {
                "n": n,
                "first": seen[field],
            }
        elif len(label) > MAX_LABEL:
            problems[n] = _("Row %(n)d: a label of up to %(max)d characters.") % {
                "n": n,
                "max": MAX_LABEL,
            }
        elif order and not (order.isdigit() and 1 <= int(order) <= 99):
            problems[n] = _("Row %(n)d: the order is a number from 1 to 99.") % {"n": n}
        else:
            spec: dict[str, Any] = {"field": field, "required": bool(row.get("required"))}
            if label:
                spec["label"] = label
            picked.append((int(order) if order else n, n, spec))
        if field and field not in seen:
            seen[field] = n
    return problems, picked


class QuestionsWidget(forms.Widget):
    """One table row per question; ``value_from_datadict`` gives the rows as typed."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        rows = _rows(value)
        count = max(len(rows), min(MAX_FIELDS, max(len(rows) + SPARE_ROWS, MIN_ROWS)))
        rows += [{"field": "", "label": "", "required": False, "order": ""}] * (count - len(rows))
        choices = question_choices()
        known = {key for key, _label in choices}
        problems, _picked = check_rows(rows)
        body = []
        for n, row in enumerate(rows):
            prefix = f"{name}-{n}"
            problem = problems.get(n + 1)
            options = list(choices)
            if row["field"] and row["field"] not in known:
                options.append((row["field"], _("%(field)s (no such attribute)") % row))
            select = format_html(
                '<select name="{}-field" id="id_{}-field" aria-label="{}"{}>{}</select>',
                prefix,
                prefix,
                _("Question %(n)d") % {"n": n + 1},
                format_html(' aria-invalid="true" aria-describedby="id_{}-error"', prefix)
                if problem
                else "",
                format_html_join(
                    "",
                    '<option value="{}"{}>{}</option>',
                    (
                        (key, " selected" if key == row["field"] else "", label)
                        for key, label in options
                    ),
                ),
            )
            body.append(
                format_html(
                    '<tr data-row="{}"{}><td>{}</td><td>{}</td>'
                    '<td><input type="text" name="{}-label" id="id_{}-label" value="{}" '
                    'maxlength="{}" aria-label="{}" placeholder="{}"></td>'
                    '<td><input type="checkbox" name="{}-required" id="id_{}-required"{} '
                    'aria-label="{}"></td>'
                    '<td><input type="number" name="{}-order" id="id_{}-order" value="{}" '
                    'min="1" max="99" style="width:4em" aria-label="{}"></td></tr>',
                    n + 1,
                    SafeString(' class="prechat-wrong"') if problem else "",
                    n + 1,
                    select,
                    prefix,
                    prefix,
                    row["label"],
                    MAX_LABEL,
                    _("Label of question %(n)d") % {"n": n + 1},
                    _("Default label"),
                    prefix,
                    prefix,
                    " checked" if row["required"] else "",
                    _("Question %(n)d required") % {"n": n + 1},
                    prefix,
                    prefix,
                    row["order"],
                    _("Order of question %(n)d") % {"n": n + 1},
                )
            )
            if problem:
                body.append(
                    format_html(
                        '<tr class="prechat-wrong"><td></td><td colspan="4">'
                        '<p class="prechat-row-error" id="id_{}-error">{}</p></td></tr>',
                        prefix,
                        problem,
                    )
                )
        head = format_html(
            "<thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>",
            _("Question"),
            _("Label shoppers see (blank: the default)"),
            _("Required"),
            _("Order"),
        )
        add_url = reverse("admin:chat_attributedefinition_add")
        hint = format_html(
            '<p class="help">{} <a href="{}?applies_to=conversation&amp;kind=list">{}</a></p>',
            _(
                "A question with choices (a topic, say) or of another type is a custom "
                "attribute: its type and choices are shown to the shopper as they are "
                "defined. Save this form first, then"
            ),
            add_url,
            _("add a custom attribute"),
        )
        return format_html(
            "<style>{}</style>"
            '<table id="id_{}" class="prechat-questions">{}<tbody>{}</tbody></table>'
            '<input type="hidden" name="{}-rows" value="{}">{}',
            # The admin outlines every control of a field with errors: only the wrong rows.
            ".prechat-questions tr:not(.prechat-wrong) :is(input, select)"
            "{border-color: var(--border-color)}"
            ".prechat-row-error{margin:0;color:var(--error-fg);font-weight:600}",
            name,
            head,
            SafeString("".join(body)),
            name,
            count,
            hint,
        )

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[dict[str, Any]]:
        try:
            count = min(MAX_FIELDS + SPARE_ROWS, int(data.get(f"{name}-rows", 0)))
        except ValueError:
            count = 0
        return [
            {
                "field": data.get(f"{name}-{n}-field", ""),
                "label": data.get(f"{name}-{n}-label", ""),
                "required": data.get(f"{name}-{n}-required") == "on",
                "order": data.get(f"{name}-{n}-order", ""),
            }
            for n in range(count)
        ]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return f"{name}-rows" not in data


class QuestionsField(forms.Field):
    """The rows as typed, checked row by row (the messages name the row), then as a whole by
    ``check_form_fields``; cleaned to the model's ``fields``, in the rows' order."""

    widget = QuestionsWidget

    def __init__(self, *, encoder: Any = None, decoder: Any = None, **kwargs: Any) -> None:
        # The model's JSONField hands its encoder and decoder over; the rows need neither.
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            return []
        problems, picked = check_rows(value)
        if problems:
            raise ValidationError(list(problems.values()))
        if not picked:
            raise ValidationError(_("Choose at least one question."))
        return [spec for _order, _n, spec in sorted(picked, key=lambda p: (p[0], p[1]))]

    def validate(self, value: Any) -> None:
        try:
            check_form_fields(value)
        except ValidationError as error:
            raise ValidationError(
                [m for messages in error.message_dict.values() for m in messages]
            ) from None

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != initial
        except ValidationError:
            return True


class PrechatFormAdminForm(forms.ModelForm):
    def _post_clean(self) -> None:
        # Rows already refused say what is wrong; the model's check of the list it still
        # holds (none yet, when adding) would only add a second, vaguer message.
        refused = [str(message) for message in self.errors.get("fields", [])]
        super()._post_clean()  # type: ignore[misc]  # Django's, not in the stubs
        if refused:
            self.errors["fields"] = self.error_class(refused)

    class Meta:
        model = PrechatForm
        fields = ["channel", "enabled", "intro", "fields"]
        field_classes = {"fields": QuestionsField}
        labels = {"fields": gettext_lazy("Questions")}
        help_texts = {
            "fields": gettext_lazy(
                "Asked in this order before the shopper's first message. Name and email go "
                "to the contact; the answers show in the agent's sidebar."
            )
        }
