"""Voice and video calls: STUN/TURN and the signalling's limits (docs/calls.md).

Star-imported by ``helpdesk.settings``.
"""

from __future__ import annotations

import os
from typing import Any

from helpdesk.conf.env import env_bool, env_list

# Voice and video calls (docs/calls.md): STUN/TURN servers the browsers use to reach each
# other. With none, calls work between browsers that reach each other directly (one network).
# CALL_TURN_SECRET is coturn's ``static-auth-secret``: the desk hands out credentials that
# expire after CALL_TURN_TTL_SECONDS (coturn's REST API scheme), never the secret.
HELPDESK_CALLS: dict[str, Any] = {
    "STUN_URLS": env_list("CALL_STUN_URLS", ""),
    "TURN_URLS": env_list("CALL_TURN_URLS", ""),
    "TURN_SECRET": os.environ.get("CALL_TURN_SECRET", ""),
    "TURN_TTL_SECONDS": int(os.environ.get("CALL_TURN_TTL_SECONDS", "3600")),
    # Media only through the TURN relays (``iceTransportPolicy: "relay"``): neither browser
    # learns the other's address, for shops that must not show agents a shopper's IP.
    "RELAY_ONLY": env_bool("CALL_RELAY_ONLY", False),
    # How long a call rings before it counts as missed.
    "RING_SECONDS": int(os.environ.get("CALL_RING_SECONDS", "45")),
    # Size limits of what one frame of signalling may carry (a browser's video offer with
    # every codec is ~10 KB; a candidate line ~200 characters).
    "MAX_SDP_CHARS": 32 * 1024,
    "MAX_CANDIDATE_CHARS": 1024,
    # Per call and side: candidates relayed (a browser gathers a handful per network path).
    "MAX_CANDIDATES": 100,
    # Per socket: at most this many rings (``call.invite``) in any window of that many seconds.
    "INVITE_LIMIT": 5,
    "INVITE_WINDOW_SECONDS": 60.0,
}
