"""``manage.py check`` (and every server start) on the calls' settings: a relay-only desk with
no TURN relay would ring and never connect, and half a TURN configuration is silently
ignored by ``ice.ice_servers``. Say so at start-up, not in a shopper's failed call."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


def calls_settings_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    conf = settings.HELPDESK_CALLS
    found: list[checks.CheckMessage] = []
    turn = bool(conf["TURN_URLS"]) and bool(conf["TURN_SECRET"])
    if conf["RELAY_ONLY"] and not turn:
        found.append(
            checks.Error(
                "CALL_RELAY_ONLY is on but no TURN relay is set (CALL_TURN_URLS and "
                "CALL_TURN_SECRET): the browsers may use relay candidates only, so no call "
                "can connect.",
                hint="Set both TURN variables, or turn CALL_RELAY_ONLY off (docs/calls.md).",
                id="helpdesk.C001",
            )
        )
    if bool(conf["TURN_URLS"]) != bool(conf["TURN_SECRET"]):
        missing = "CALL_TURN_SECRET" if conf["TURN_URLS"] else "CALL_TURN_URLS"
        found.append(
            checks.Warning(
                f"Half a TURN configuration: {missing} is empty, so the TURN relay is not "
                "offered and calls connect only where the browsers reach each other directly.",
                hint="Set CALL_TURN_URLS and CALL_TURN_SECRET together (docs/calls.md).",
                id="helpdesk.C002",
            )
        )
    if conf["TURN_TTL_SECONDS"] <= 0 or conf["RING_SECONDS"] <= 0:
        found.append(
            checks.Error(
                "CALL_TURN_TTL_SECONDS and CALL_RING_SECONDS must be positive.",
                id="helpdesk.C003",
            )
        )
    return found
