"""Checking a raw value against its attribute's type: one function per kind, each returning
the value as stored (a JSON string, number or boolean) or raising ``ValueError`` with the
message an agent reads under the field."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from ..models import AttributeDefinition

Kind = AttributeDefinition.Kind
MAX_TEXT = 500
MAX_LINK = 1000
_url = URLValidator(schemes=["http", "https"])


def _text(definition: AttributeDefinition, raw: Any) -> Any:
    if not isinstance(raw, str):
        raise ValueError(_("Enter text."))
    value = raw.strip()
    if len(value) > MAX_TEXT:
        raise ValueError(_("At most %(n)s characters.") % {"n": MAX_TEXT})
    return value


def _number(definition: AttributeDefinition, raw: Any) -> Any:
    if isinstance(raw, bool):
        raise ValueError(_("Enter a number."))
    if isinstance(raw, str):
        try:
            raw = float(raw.strip().replace(",", "")) if raw.strip() else None
        except ValueError:
            raise ValueError(_("Enter a number.")) from None
    if not isinstance(raw, int | float) or not math.isfinite(raw) or abs(raw) >= 1e15:
        raise ValueError(_("Enter a number."))
    return int(raw) if float(raw).is_integer() else raw


def _date(definition: AttributeDefinition, raw: Any) -> Any:
    try:
        return dt.date.fromisoformat(raw.strip()).isoformat()
    except (AttributeError, ValueError):
        raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None


def _list(definition: AttributeDefinition, raw: Any) -> Any:
    if raw not in definition.options:
        raise ValueError(
            _("Pick one of: %(options)s.") % {"options": ", ".join(definition.options)}
        )
    return raw


def _checkbox(definition: AttributeDefinition, raw: Any) -> Any:
    if raw in ("true", "false"):
        return raw == "true"
    if not isinstance(raw, bool):
        raise ValueError(_("Yes or no."))
    return raw


def _link(definition: AttributeDefinition, raw: Any) -> Any:
    value = raw.strip() if isinstance(raw, str) else ""
    try:
        if len(value) > MAX_LINK:
            raise ValidationError("long")
        _url(value)
    except ValidationError:
        raise ValueError(_("Enter a link starting with http:// or https://.")) from None
    return value


CLEANERS: dict[str, Callable[[AttributeDefinition, Any], Any]] = {
    Kind.TEXT: _text,
    Kind.NUMBER: _number,
    Kind.DATE: _date,
    Kind.LIST: _list,
    Kind.CHECKBOX: _checkbox,
    Kind.LINK: _link,
}


def value_clean(definition: AttributeDefinition, raw: Any) -> Any:
    """The value to store, or None to clear it (null or an empty string); ``ValueError`` with
    the agent's message when it does not fit the attribute's type."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return CLEANERS[definition.kind](definition, raw)
