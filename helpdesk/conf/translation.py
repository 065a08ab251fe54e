"""Automatic translation's provider and limits (docs/translation.md).

Star-imported by ``helpdesk.settings``.
"""

from __future__ import annotations

import os
from typing import Any

# Automatic translation (docs/translation.md): off unless a provider is set.
# TRANSLATION_PROVIDER: "libretranslate", "deepl" or "openai" (any OpenAI-compatible chat
# endpoint); TRANSLATION_URL its base URL; TRANSLATION_API_KEY its key (LibreTranslate's
# api_key, DeepL's auth key, the bearer token); TRANSLATION_MODEL the chat model.
HELPDESK_TRANSLATION: dict[str, Any] = {
    "PROVIDER": os.environ.get("TRANSLATION_PROVIDER", "").strip().lower(),
    "URL": os.environ.get("TRANSLATION_URL", "").strip().rstrip("/"),
    "API_KEY": os.environ.get("TRANSLATION_API_KEY", ""),
    "MODEL": os.environ.get("TRANSLATION_MODEL", ""),
    # Seconds one provider call may take before it counts as failed (then retried).
    "TIMEOUT": float(os.environ.get("TRANSLATION_TIMEOUT", "10")),
    # Retries after the first failure, with backoff BACKOFF_SECONDS * 2**n.
    "RETRIES": int(os.environ.get("TRANSLATION_RETRIES", "4")),
    "BACKOFF_SECONDS": float(os.environ.get("TRANSLATION_BACKOFF_SECONDS", "5")),
    # Shoppers' messages go into this language for an agent who set none in their profile.
    "DESK_LANGUAGE": os.environ.get("TRANSLATION_DESK_LANGUAGE", "en"),
}
