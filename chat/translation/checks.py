"""``manage.py check`` (and every server's start) refuses a translation setting that cannot
work, instead of every message failing in the worker later."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from .providers import TranslationError, provider
from .services import language_code


def translation_settings_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    try:
        provider()
    except TranslationError as exc:
        found.append(
            checks.Error(str(exc), hint="docs/translation.md, Configuration", id="helpdesk.T001")
        )
    desk = settings.HELPDESK_TRANSLATION["DESK_LANGUAGE"]
    if language_code(desk) is None:
        found.append(
            checks.Error(
                f"TRANSLATION_DESK_LANGUAGE {desk!r} is not one of the desk's languages.",
                hint="An ISO 639-1 code from chat/models/languages.py, e.g. en or zh.",
                id="helpdesk.T002",
            )
        )
    return found
