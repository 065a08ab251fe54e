"""The shop's report settings (``settings.REPORTS``): currency and time zone."""

from __future__ import annotations

import datetime as dt
import functools
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
        return checked_zone(name)
    except ValueError as error:
        raise ImproperlyConfigured(f"REPORTS['TIME_ZONE']: {error}") from error


# Zone names go into SQL as literals (``AT TIME ZONE 'Asia/Shanghai'``): only IANA-shaped
# names that zoneinfo knows pass.
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-/]{0,63}")


def checked_zone(name: str) -> str:
    """``name`` if it is an IANA time zone safe to write into SQL, else ``ValueError``."""
    if not _ZONE_NAME.fullmatch(name):
        raise ValueError(f"not a time zone name: {name!r}")
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone: {name!r}") from error
    return name


def report_zones() -> list[str]:
    """The zones the rollups are kept in: the shop's first, then ``REPORTS["TIME_ZONES"]``
    (extra zones a report may choose; each costs one more set of daily rows)."""
    extra = getattr(settings, "REPORTS", {}).get("TIME_ZONES", []) or []
    out = [time_zone_name()]
    for name in extra:
        try:
            zone = checked_zone(str(name))
        except ValueError as error:
            raise ImproperlyConfigured(f"REPORTS['TIME_ZONES']: {error}") from error
        if zone not in out:
            out.append(zone)
    return out


@functools.lru_cache(maxsize=32)
def sql_zone(zone: str) -> str:
    """How PostgreSQL is told ``zone`` in ``AT TIME ZONE``: a fixed offset
    (``INTERVAL '+08:00'``) when the zone's offset is the same all year from 2000 to 2100
    (Asia/Shanghai, UTC), else its name. Converting through a named zone looks up its rules
    for every row: on the bench's 1.25M facts it cost the full rebuild +13 % CPU against UTC
    (docs/performance.md, "Report time zone")."""
    tz = zoneinfo.ZoneInfo(checked_zone(zone))
    offsets = {
        dt.datetime(year, month, 15, tzinfo=tz).utcoffset()
        for year in range(2000, 2101)
        for month in (1, 4, 7, 10)
    }
    if len(offsets) != 1:
        return f"'{zone}'"
    (offset,) = offsets
    assert offset is not None
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"INTERVAL '{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}'"
