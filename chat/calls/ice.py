"""The STUN/TURN servers a browser is told to use for a call (``RTCPeerConnection``'s
``iceServers``).

TURN credentials follow coturn's REST API scheme (``use-auth-secret`` with
``static-auth-secret``): the username is ``<expiry unix time>:<user>`` and the credential is
``base64(HMAC-SHA1(secret, username))``. coturn recomputes it and refuses it after the expiry,
so a credential that leaks from a browser is worth an hour at most and the secret never
leaves the desk.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from django.conf import settings


def turn_credential(
    *, secret: str, user: str, ttl_seconds: int, now: float | None = None
) -> dict[str, str]:
    """A time-limited TURN username and credential for ``user``."""
    expiry = int(now if now is not None else time.time()) + ttl_seconds
    username = f"{expiry}:{user}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return {"username": username, "credential": base64.b64encode(digest).decode("ascii")}


def ice_policy() -> str:
    """``RTCPeerConnection``'s ``iceTransportPolicy``: ``relay`` with ``CALL_RELAY_ONLY`` (the
    browsers gather and use TURN relay candidates only, so neither side's address reaches
    the other: the agent never learns the shopper's IP), else ``all``."""
    return "relay" if settings.HELPDESK_CALLS.get("RELAY_ONLY") else "all"


def candidate_allowed(line: str) -> bool:
    """Whether an ICE candidate line may be relayed: in relay-only mode, relay candidates
    only (a browser that ignored the policy would otherwise send its host and server-
    reflexive addresses: the shopper's IP); otherwise all. The empty end-of-candidates
    marker always passes."""
    if not line or ice_policy() != "relay":
        return True
    fields = line.split()
    return "typ" in fields[:-1] and fields[fields.index("typ") + 1] == "relay"


def ice_servers(*, user: str) -> list[dict[str, Any]]:
    """The ``iceServers`` for ``user`` (``agent-3``, ``visitor-17``) from settings: STUN as
    they are, TURN with fresh credentials. Empty when none are set: the browsers then connect
    only where they reach each other directly (one network)."""
    conf = settings.HELPDESK_CALLS
    servers: list[dict[str, Any]] = []
    if conf["STUN_URLS"]:
        servers.append({"urls": list(conf["STUN_URLS"])})
    if conf["TURN_URLS"] and conf["TURN_SECRET"]:
        credential = turn_credential(
            secret=conf["TURN_SECRET"], user=user, ttl_seconds=conf["TURN_TTL_SECONDS"]
        )
        servers.append({"urls": list(conf["TURN_URLS"]), **credential})
    return servers
