"""An email channel's settings (``Channel.config``), checked when the admin saves them.

``address``: the mailbox shoppers write to (replies are sent from it, with a signed
``+c<conversation>.<signature>`` Reply-To on the same mailbox). ``from_name``: the display
name of sent mail. Outbound: ``smtp_host`` (with ``smtp_port``, ``smtp_username``,
``smtp_password``, ``smtp_security``: ``starttls`` / ``ssl`` / ``none``) sends through that
server; without it, through the desk's ``EMAIL_BACKEND`` (SMTP or an anymail ESP).
Inbound: the ESP's inbound webhook (anymail) for ``address``, and/or IMAP polling when
``imap_host`` is set (``imap_port``, ``imap_username``, ``imap_password``,
``imap_security``: ``ssl`` / ``starttls`` / ``none``, ``imap_folder``). ``transcripts``:
this channel mails web-chat transcripts.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from ..registry import config_strings

STRING_KEYS = (
    "address",
    "from_name",
    "smtp_host",
    "smtp_username",
    "smtp_password",
    "smtp_security",
    "imap_host",
    "imap_username",
    "imap_password",
    "imap_security",
    "imap_folder",
)
SECRET_KEYS = ("smtp_password", "imap_password")


def check_email_config(config: dict[str, Any]) -> dict[str, Any]:
    out, errors = config_strings(config, STRING_KEYS)
    address = out.get("address", "").lower()
    try:
        validate_email(address)
    except ValidationError:
        errors["address"] = "A valid email address is required."
    out["address"] = address
    for key, default in (("smtp_port", 587), ("imap_port", 993)):
        value = config.get(key) or default
        try:
            port = int(value)
        except (TypeError, ValueError):
            errors[key] = "A port number."
            continue
        if not 1 <= port <= 65535:
            errors[key] = "A port number."
        out[key] = port
    out["smtp_security"] = out.get("smtp_security") or "starttls"
    out["imap_security"] = out.get("imap_security") or "ssl"
    if out["smtp_security"] not in ("starttls", "ssl", "none"):
        errors["smtp_security"] = "starttls, ssl or none."
    if out["imap_security"] not in ("starttls", "ssl", "none"):
        errors["imap_security"] = "ssl, starttls or none."
    out["imap_folder"] = out.get("imap_folder") or "INBOX"
    if out.get("imap_host") and not out.get("imap_username"):
        errors["imap_username"] = "Required with an IMAP server."
    out["transcripts"] = bool(config.get("transcripts", False))
    if errors:
        raise ValidationError({"config": [f"{k}: {v}" for k, v in sorted(errors.items())]})
    return out
