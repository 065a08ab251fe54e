"""Links that come from data (a shopper's page, a shop's order, product or tracking URL).

Every URL that the desk later renders as a link is checked where it is stored: an absolute
URL must be http(s), a relative one (``/account/orders/7/``) resolves against the shop and is
kept. ``javascript:``, ``data:``, ``vbscript:`` … are refused with a 400 naming the field, so a
stored value can never become a live script link, whatever renders it. The browsers' own
parsing is mirrored (WHATWG URL): tabs and newlines are dropped anywhere and leading control
characters and spaces are ignored, so ``" java\\tscript:"`` is seen as the script URL it is.
The front ends render through one helper as well (``static/shared/href.js:safeHref``).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .errors import BadRequest

SAFE_SCHEMES = frozenset({"http", "https"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_DROPPED = re.compile(r"[\t\n\r]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_LEADING = "".join(chr(c) for c in range(0x21))  # C0 controls and the space
MESSAGE = _("Only http(s) links or paths on the shop are accepted.")


def link_problem(value: str) -> str | None:
    """Why ``value`` is not a safe link, or None when it is (the empty string is safe)."""
    if not value:
        return None
    cleaned = _DROPPED.sub("", value).lstrip(_LEADING)
    if _CONTROL.search(cleaned):
        return str(_("Control characters are not allowed in a link."))
    match = _SCHEME.match(cleaned)
    if match and match.group(1).lower() not in SAFE_SCHEMES:
        return str(MESSAGE)
    return None


def link_check(value: str, *, field: str) -> str:
    """``value`` if it is a safe link, else ``BadRequest`` naming ``field``."""
    problem = link_problem(value)
    if problem:
        raise BadRequest(f"{field}: {problem}", fields={field: [problem]})
    return value


def validate_link(value: str) -> None:
    """Model field validator (the admin's forms and ``full_clean``)."""
    problem = link_problem(value)
    if problem:
        raise ValidationError(problem, code="unsafe_link")


class LinkField(serializers.CharField):
    """A ``CharField`` that accepts only safe links (see the module's docstring)."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        problem = link_problem(value)
        if problem:
            raise serializers.ValidationError(problem, code="unsafe_link")
        return value
