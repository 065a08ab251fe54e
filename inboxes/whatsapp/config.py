"""A WhatsApp channel's settings (``Channel.config``), checked when the admin saves them.

``phone_number_id``: the business number's id in the Cloud API (sends go to
``/<phone_number_id>/messages``); ``access_token``: a system user's token with
``whatsapp_business_messaging``; ``app_secret``: the Meta app's secret (it signs every webhook,
``X-Hub-Signature-256``); ``verify_token``: the word the webhook set-up echoes back
(``hub.verify_token``); ``api_version`` (``v21.0``) and ``graph_url``
(``https://graph.facebook.com``). ``templates``: the approved message templates agents may
send outside the 24-hour window, each ``{"name", "language", "body", "params"}`` — ``body`` is
the text agents see (``{{1}}`` … placeholders), ``params`` how many values it takes.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

from ..registry import config_strings

REQUIRED = ("phone_number_id", "access_token", "app_secret", "verify_token")
SECRET_KEYS = ("access_token", "app_secret")
_PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
_NAME = re.compile(r"^[a-z0-9_]{1,512}$")


def check_whatsapp_config(config: dict[str, Any]) -> dict[str, Any]:
    out, errors = config_strings(config, (*REQUIRED, "api_version", "graph_url"), required=REQUIRED)
    if out.get("phone_number_id") and not out["phone_number_id"].isdigit():
        errors["phone_number_id"] = "The Cloud API's phone number id (digits)."
    out["api_version"] = out.get("api_version") or "v21.0"
    if not re.fullmatch(r"v\d+\.\d+", out["api_version"]):
        errors["api_version"] = "A Graph API version such as v21.0."
    out["graph_url"] = (out.get("graph_url") or "https://graph.facebook.com").rstrip("/")
    if not out["graph_url"].startswith(("https://", "http://")):
        errors["graph_url"] = "An http(s) URL."
    templates = config.get("templates") or []
    checked: list[dict[str, Any]] = []
    if not isinstance(templates, list):
        errors["templates"] = "A list of templates."
    else:
        for index, item in enumerate(templates):
            try:
                checked.append(template_check(item))
            except ValueError as exc:
                errors["templates"] = f"Template {index + 1}: {exc}"
                break
    out["templates"] = checked
    if errors:
        raise ValidationError(errors)
    return out


def template_check(item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ValueError("must be an object.")
    name = str(item.get("name") or "").strip()
    if not _NAME.match(name):
        raise ValueError("name: lower-case letters, digits and _ (as in WhatsApp Manager).")
    language = str(item.get("language") or "").strip()
    if not re.fullmatch(r"[a-z]{2,3}(_[A-Za-z]{2,4})?", language):
        raise ValueError("language: a code such as en_US or zh_CN.")
    body = str(item.get("body") or "").strip()
    if not body:
        raise ValueError("body: the template's text, shown to agents.")
    used = {int(n) for n in _PLACEHOLDER.findall(body)}
    params = item.get("params", max(used, default=0))
    if not isinstance(params, int) or params < 0 or params > 20:
        raise ValueError("params: how many values the template takes (0–20).")
    if used and max(used) > params:
        raise ValueError("body uses more placeholders than params says.")
    return {"name": name, "language": language, "body": body, "params": params}


def template_render(template: dict[str, Any], params: list[str]) -> str:
    """The text of a template with its values, as the customer will read it."""

    def value(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        return params[index] if 0 <= index < len(params) else match.group(0)

    return _PLACEHOLDER.sub(value, template["body"])
