"""The pre-chat form a shopper is shown, checking and storing their answers, and handing the
conversation attributes to the conversation their first message opens."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from helpdesk.errors import BadRequest

from ..attributes.values import value_clean
from ..models import (
    AttributeDefinition,
    AttributeValue,
    Conversation,
    PrechatForm,
    PrechatSubmission,
    Visitor,
)
from ..models.inbox import default_web_channel_id

STANDARD = ("name", "email", "phone")
MAX_FIELDS = 10
# A question's own label, when the manager gave one (else the field's or attribute's).
MAX_LABEL = 80
PHONE = re.compile(r"^\+?[0-9][0-9 ().\-]{4,24}$")
# The input type and browser autofill of each standard field.
STANDARD_KIND = {"name": ("text", "name"), "email": ("email", "email"), "phone": ("tel", "tel")}


def _definition(field: str) -> AttributeDefinition | None:
    scope, _dot, key = field.partition(".")
    return AttributeDefinition.objects.filter(applies_to=scope, key=key).first()


def check_form_fields(fields: Any) -> list[dict[str, Any]]:
    """The form's fields, or a ``ValidationError`` naming the wrong one (the admin shows it)."""
    if not isinstance(fields, list) or not 1 <= len(fields) <= MAX_FIELDS:
        raise ValidationError({"fields": f"A list of 1 to {MAX_FIELDS} fields."})
    seen = set()
    for n, spec in enumerate(fields, 1):
        field = spec.get("field") if isinstance(spec, dict) else None
        if not isinstance(field, str) or (field not in STANDARD and _definition(field) is None):
            raise ValidationError(
                {"fields": f"Field {n}: name, email, phone or <conversation|contact>.<key>."}
            )
        if not isinstance(spec.get("required", False), bool):
            raise ValidationError({"fields": f'Field {n}: "required" is true or false.'})
        label = spec.get("label", "")
        if not isinstance(label, str) or len(label) > MAX_LABEL:
            raise ValidationError(
                {"fields": f"Field {n}: a label of up to {MAX_LABEL} characters."}
            )
        if field in seen:
            raise ValidationError({"fields": f"Field {n}: {field} twice."})
        seen.add(field)
    return fields


def _channel_id(visitor: Visitor) -> int:
    # Never null in the table; the stubs read the callable default as optional.
    return visitor.channel_id or default_web_channel_id()


def _active_form(visitor: Visitor) -> PrechatForm | None:
    return PrechatForm.objects.filter(channel_id=_channel_id(visitor), enabled=True).first()


def _field_payload(spec: dict[str, Any]) -> dict[str, Any] | None:
    field = spec["field"]
    own = str(spec.get("label") or "").strip()
    labels = {"name": _("Your name"), "email": _("Email"), "phone": _("Phone")}
    if field in STANDARD:
        kind, autocomplete = STANDARD_KIND[field]
        return {
            "name": field,
            "label": own or labels[field],
            "kind": kind,
            "autocomplete": autocomplete,
            "required": bool(spec.get("required")),
            "options": [],
        }
    definition = _definition(field)
    if definition is None:
        return None  # the attribute was deleted since the form was saved
    return {
        "name": field,
        "label": own or definition.label,
        "kind": definition.kind,
        "autocomplete": "off",
        "required": bool(spec.get("required")),
        "options": definition.options if definition.kind == "list" else [],
    }


def prechat_form_for(*, visitor: Visitor) -> dict[str, Any] | None:
    """The form this shopper should fill in before their first message, or None: no enabled
    form for their channel, or they already answered it or already have a conversation."""
    form = _active_form(visitor)
    if form is None:
        return None
    if (
        PrechatSubmission.objects.filter(visitor=visitor).exists()
        or Conversation.objects.filter(visitor=visitor).exists()
    ):
        return None
    fields = [f for f in (_field_payload(spec) for spec in form.fields) if f is not None]
    if not fields:
        return None
    intro = form.intro or _("Before we start, please tell us a little about you.")
    return {"intro": intro, "fields": fields}


def _clean(field: str, raw: Any) -> Any:
    if field == "name":
        if not isinstance(raw, str) or len(raw.strip()) > 200:
            raise ValueError(_("Enter a name of up to 200 characters."))
        return raw.strip()
    if field == "email":
        try:
            validate_email(raw.strip() if isinstance(raw, str) else "")
        except ValidationError:
            raise ValueError(_("Enter a valid email address.")) from None
        return raw.strip()
    if field == "phone":
        if not isinstance(raw, str) or not PHONE.match(raw.strip()):
            raise ValueError(_("Enter a phone number: digits, spaces and + ( ) -."))
        return raw.strip()
    definition = _definition(field)
    if definition is None:
        raise ValueError(_("This field is no longer asked."))
    return value_clean(definition, raw)


def _empty(raw: Any) -> bool:
    return raw is None or raw is False or (isinstance(raw, str) and not raw.strip())


def prechat_submit(*, visitor: Visitor, values: Any) -> PrechatSubmission:
    """Check a shopper's answers against their channel's form (required fields, each type)
    and store them: name and email on the visitor, phone and contact attributes on the
    contact (the customer when known, else the visitor), conversation attributes kept for the
    conversation their first message opens. ``BadRequest`` with every wrong field in
    ``fields`` (by field name), in the shopper's language; nothing is stored then."""
    form = _active_form(visitor)
    if form is None:
        raise BadRequest(_("There is no form to fill in."))
    if not isinstance(values, dict):
        raise BadRequest(_("Please check the form."), fields={"values": ["Invalid."]})
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for spec in form.fields:
        field = spec["field"]
        raw = values.get(field)
        if _empty(raw):
            if spec.get("required"):
                errors[field] = [_("This field is required.")]
            continue
        try:
            cleaned[field] = _clean(field, raw)
        except ValueError as error:
            errors[field] = [str(error)]
    if errors:
        raise BadRequest(_("Please check the form."), fields=errors)
    with transaction.atomic():
        locked = Visitor.objects.select_for_update().get(pk=visitor.pk)
        changed = [f for f in ("name", "email") if f in cleaned]
        for field in changed:
            setattr(locked, field, cleaned[field])
        if changed:
            locked.save(update_fields=changed)
        target = {"customer_id": locked.customer_id} if locked.customer_id else {"visitor": locked}
        for field, value in cleaned.items():
            definition: AttributeDefinition | None
            if field == "phone":
                definition, _made = AttributeDefinition.objects.get_or_create(
                    applies_to=AttributeDefinition.AppliesTo.CONTACT,
                    key="phone",
                    defaults={"label": "Phone", "kind": AttributeDefinition.Kind.TEXT},
                )
            elif field.startswith("contact."):
                definition = _definition(field)
            else:
                continue
            if definition is not None:
                AttributeValue.objects.update_or_create(
                    definition=definition, **target, defaults={"value": value}
                )
        return PrechatSubmission.objects.create(
            visitor=locked, channel_id=_channel_id(locked), values=cleaned
        )


def prechat_conversation_opened(*, conversation_id: int, visitor_id: int) -> None:
    """A conversation opened: the visitor's answers waiting for one give it their
    conversation attributes (inside the opening transaction)."""
    submission = (
        PrechatSubmission.objects.filter(visitor_id=visitor_id, conversation__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if submission is None:
        return
    for field, value in submission.values.items():
        if not field.startswith("conversation."):
            continue
        definition = _definition(field)
        if definition is not None:
            AttributeValue.objects.update_or_create(
                definition=definition, conversation_id=conversation_id, defaults={"value": value}
            )
    submission.conversation_id = conversation_id
    submission.save(update_fields=["conversation"])


def prechat_form_validate(form: PrechatForm) -> None:
    """``PrechatForm.clean()`` (the admin on save, ``full_clean()``): ``check_form_fields``."""
    check_form_fields(form.fields)
