"""A WeChat Official Account channel's settings (``Channel.config``), checked on save.

``appid`` / ``secret``: the account's developer credentials (they fetch the access token);
``token``: the word the push signatures are made with (set in the account's server
configuration); ``encoding_aes_key``: the 43-character key of safe mode — when set, every push
must be encrypted (``encrypt_type=aes``) and is decrypted with it; ``api_url``
(``https://api.weixin.qq.com``).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

from ..registry import config_strings

SECRET_KEYS = ("secret", "encoding_aes_key")


def check_wechat_config(config: dict[str, Any]) -> dict[str, Any]:
    out, errors = config_strings(
        config,
        ("appid", "secret", "token", "encoding_aes_key", "api_url"),
        required=("appid", "secret", "token"),
    )
    if out.get("token") and not re.fullmatch(r"[A-Za-z0-9]{3,32}", out["token"]):
        errors["token"] = "3–32 letters or digits, as in the account's server configuration."
    key = out.get("encoding_aes_key", "")
    if key and not re.fullmatch(r"[A-Za-z0-9]{43}", key):
        errors["encoding_aes_key"] = "43 letters or digits (EncodingAESKey), or empty."
    out["api_url"] = (out.get("api_url") or "https://api.weixin.qq.com").rstrip("/")
    if not out["api_url"].startswith(("https://", "http://")):
        errors["api_url"] = "An http(s) URL."
    if errors:
        raise ValidationError(errors)
    return out
