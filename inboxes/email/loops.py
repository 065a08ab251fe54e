"""Mail that a machine sent: auto-replies, bounces, mailing lists and our own mail coming back.

None of them opens a conversation, gets a bot reply or an auto-acknowledgement, so two
auto-responders can never answer each other (RFC 3834). The headers read are the ones
mail software sets in practice: ``Auto-Submitted`` (RFC 3834), ``Precedence`` (bulk, junk,
list, auto_reply), ``X-Autoreply`` / ``X-Autorespond`` / ``X-Auto-Response-Suppress``
(Exchange and others), the null ``Return-Path`` and MAILER-DAEMON senders of bounces,
``multipart/report`` delivery-status notifications (RFC 3464), ``List-Id`` /
``List-Unsubscribe`` (RFC 2919 / 2369), and our own ``X-Helpdesk-Loop`` marker.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from .parse import ParsedMail, message_ids

AUTO_REPLY = "auto-reply"
BOUNCE = "bounce"
MAILING_LIST = "mailing-list"
LOOP = "loop"

_BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@", "mail-daemon@")


def machine_mail(mail: ParsedMail, *, own_addresses: set[str]) -> str:
    """Why this mail is a machine's (one of the constants above), or "" for a person's."""
    h = mail.headers
    content_type = h.get("content-type", "").lower()
    if "multipart/report" in content_type and "delivery-status" in content_type:
        return BOUNCE
    if h.get("return-path", "").strip() in ("<>", "") and "return-path" in h:
        return BOUNCE
    if mail.from_address.startswith(_BOUNCE_SENDERS):
        return BOUNCE
    if h.get("x-helpdesk-loop") or mail.from_address in own_addresses:
        return LOOP
    if any(a in own_addresses for a in _split(h.get("x-loop", ""))):
        return LOOP
    auto = h.get("auto-submitted", "").strip().lower()
    if auto and auto != "no":
        return AUTO_REPLY
    if h.get("x-autoreply") or h.get("x-autorespond"):
        return AUTO_REPLY
    suppress = h.get("x-auto-response-suppress", "").lower()
    if any(word in suppress for word in ("oof", "autoreply", "all")):
        return AUTO_REPLY
    precedence = h.get("precedence", "").strip().lower()
    if precedence in ("auto_reply", "auto-reply"):
        return AUTO_REPLY
    if precedence in ("bulk", "junk", "list"):
        return MAILING_LIST
    if h.get("list-id") or h.get("list-unsubscribe"):
        return MAILING_LIST
    return ""


def _split(value: str) -> list[str]:
    return [part.strip().strip("<>").lower() for part in value.replace(";", ",").split(",") if part]


def bounced_message_ids(mail: ParsedMail) -> list[str]:
    """The Message-IDs of our mail a delivery report is about (its returned headers), so the
    agent's message is marked failed with the report's reason."""
    ids: list[str] = []
    report = mail.report
    if report is not None:
        for part in report.walk():
            if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
                inner = part.get_payload()
                if isinstance(inner, list) and inner and isinstance(inner[0], EmailMessage):
                    ids += message_ids(str(inner[0].get("Message-ID", "")))
                else:
                    text = part.get_payload(decode=True) or b""
                    if isinstance(text, bytes):
                        for line in text.decode("utf-8", "replace").splitlines():
                            if line.lower().startswith("message-id:"):
                                ids += message_ids(line.split(":", 1)[1])
    return ids + mail.in_reply_to + mail.references


def bounce_reason(mail: ParsedMail) -> str:
    """The report's status and diagnostic, shown to the agent."""
    report = mail.report
    if report is not None:
        for part in report.walk():
            if part.get_content_type() == "message/delivery-status":
                text = ""
                blocks: Any = part.get_payload()
                for block in blocks if isinstance(blocks, list) else []:
                    for key in ("Status", "Diagnostic-Code"):
                        value = block.get(key) if hasattr(block, "get") else None
                        if value:
                            text += f"{key}: {value} "
                if text:
                    return ("Bounced: " + text.strip())[:500]
    first = (mail.text or "").strip().splitlines()
    return ("Bounced: " + (first[0] if first else mail.subject))[:500]
