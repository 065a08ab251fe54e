"""The shop's report settings (``settings.REPORTS``): currency and time zone."""

from __future__ import annotations

import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def currency() -> str:
    """The ISO 4217 code order values are reported in (``REPORTS["CURRENCY"]``)."""
    code = str(getattr(settings, "REPORTS", {}).get("CURRENCY", "USD")).upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        raise ImproperlyConfigured(f"REPORTS['CURRENCY'] must be a 3-letter code, not {code!r}")
    return code


def time_zone_name() -> str:
    """The shop's IANA time zone (``REPORTS["TIME_ZONE"]``), checked."""
    name = str(getattr(settings, "REPORTS", {}).get("TIME_ZONE", "UTC"))
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ImproperlyConfigured(f"REPORTS['TIME_ZONE'] is no time zone: {name!r}") from error
    return name
