"""The API channel's credentials: a bearer token for the shop's app (stored as a digest and
shown once), and the secret that signs the webhooks the desk posts to the app."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from chat.models import Channel

PREFIX = "hdc"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_issue(channel: Channel) -> str:
    """A new token for the channel (the old one stops working); returned once."""
    secret = secrets.token_urlsafe(32)
    config = dict(channel.config)
    config["token_hash"] = _digest(secret)
    Channel.objects.filter(pk=channel.pk).update(config=config)
    channel.config = config
    return f"{PREFIX}_{channel.public_id.hex}_{secret}"


def channel_for_token(token: str) -> Channel | None:
    """The active API channel a token opens, or None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[2]) > 200:
        return None
    try:
        public_id = uuid.UUID(hex=parts[1])
    except ValueError:
        return None
    channel = Channel.objects.filter(
        public_id=public_id, kind=Channel.Kind.API, active=True
    ).first()
    if channel is None:
        return None
    stored = str(channel.config.get("token_hash", ""))
    if not stored or not hmac.compare_digest(stored, _digest(parts[2])):
        return None
    return channel


def webhook_secret_issue(channel: Channel, url: str) -> str:
    """Register the app's webhook URL with a new signing secret (returned once)."""
    secret = "whsec_" + secrets.token_urlsafe(32)
    config = dict(channel.config)
    config.update({"webhook_url": url, "webhook_secret": secret})
    Channel.objects.filter(pk=channel.pk).update(config=config)
    channel.config = config
    return secret


def check_api_config(config: dict[str, Any]) -> dict[str, Any]:
    out = dict(config)
    url = str(config.get("webhook_url") or "").strip()
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise ValidationError({"config": ["webhook_url: an http(s) URL."]}) from None
    out["webhook_url"] = url
    for key in ("token_hash", "webhook_secret"):
        if key in out and not isinstance(out[key], str):
            raise ValidationError({"config": [f"{key}: must be text."]})
    return out
