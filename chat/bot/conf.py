"""The bot's knobs. Override any of them with ``HELPDESK_BOT = {...}`` in the settings."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # The name on the bot's messages; empty: "Assistant", translated.
    "NAME": "",
    # The old TF-IDF matcher's rule (score ≥ THRESHOLD, MARGIN over the runner-up), kept for
    # the benchmark's comparison; the bot's own thresholds are per language in
    # chat/bot/matching/calibration.json (docs/bot.md).
    "THRESHOLD": 0.40,
    "MARGIN": 0.05,
    # Not confident this many times in a row (or "No" clicks) → hand over.
    "LOW_CONFIDENCE_HANDOVER": 2,
    # One message at or below NEGATIVE_STRONG, or two in a row at or below NEGATIVE → hand over.
    "NEGATIVE_STRONG": -0.6,
    "NEGATIVE": -0.3,
    # Sentence embeddings: "local" (in process), "openai" (an OpenAI-compatible endpoint, see
    # chat/bot/matching/embedder.py) or "off". HELPDESK_EMBEDDER in the environment wins.
    "EMBEDDER": "local",
    # A question's embedding slower than this (seconds) is dropped: words alone decide.
    "EMBED_TIMEOUT": 0.3,
}


def _enabled_from_env() -> bool:
    """``HELPDESK_BOT_ENABLED=0`` switches the bot off (the test suite does, except for the
    bot's own tests); read on every call so a test server's environment counts."""
    value = os.environ.get("HELPDESK_BOT_ENABLED", "1").strip().lower()
    return value not in {"0", "false", "no", "off"}


def bot_setting(name: str) -> Any:
    conf = {**DEFAULTS, "ENABLED": _enabled_from_env(), **getattr(settings, "HELPDESK_BOT", {})}
    return conf[name]
