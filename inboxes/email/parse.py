"""An email as the desk needs it, from its MIME bytes (Python's ``email`` package, modern
policy): addresses, threading headers, the text and HTML bodies, attachments, and the
headers that say a machine sent it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

_ID = re.compile(r"<([^<>\s]+)>")


@dataclass
class MailAttachment:
    name: str
    content: bytes
    content_type: str


@dataclass
class ParsedMail:
    message_id: str
    in_reply_to: list[str]
    references: list[str]
    subject: str
    from_name: str
    from_address: str
    to: list[str]
    cc: list[str]
    delivered_to: list[str]
    text: str
    html: str
    attachments: list[MailAttachment] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    report: EmailMessage | None = None
    raw: bytes = b""


def message_ids(value: str | None) -> list[str]:
    """The ids in a Message-ID / In-Reply-To / References header, without brackets."""
    if not value:
        return []
    found = _ID.findall(str(value))
    if not found and str(value).strip() and " " not in str(value).strip():
        found = [str(value).strip().strip("<>")]
    return [f[:900] for f in found if f]


def _header(msg: EmailMessage, name: str) -> str:
    try:
        value = msg.get(name)
    except Exception:  # a header the policy cannot parse: keep nothing rather than fail
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _addresses(msg: EmailMessage, name: str) -> list[str]:
    try:
        values = msg.get_all(name) or []
    except Exception:
        return []
    out = []
    for _name, address in getaddresses([str(v) for v in values]):
        if "@" in address:
            out.append(address.strip().lower())
    return out


def _decoded_text(part: EmailMessage) -> str:
    try:
        return str(part.get_content())
    except Exception:
        payload = part.get_payload(decode=True) or b""
        return payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""


def parse_mail(raw: bytes) -> ParsedMail:
    """Parse MIME bytes. Never raises on a damaged message: what cannot be read is empty."""
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    from_name, from_address = parseaddr(_header(msg, "From"))
    text_parts: list[str] = []
    html_parts: list[str] = []
    attachments: list[MailAttachment] = []
    report = None
    if msg.get_content_type() == "multipart/report":
        report = msg
    for part in msg.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if (
            disposition == "attachment"
            or (filename and disposition != "inline")
            or (filename and not content_type.startswith("text/"))
        ):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload:
                attachments.append(
                    MailAttachment(
                        name=filename or "attachment", content=payload, content_type=content_type
                    )
                )
            continue
        if content_type == "text/plain":
            text_parts.append(_decoded_text(part))
        elif content_type == "text/html":
            html_parts.append(_decoded_text(part))
        elif content_type.startswith(("image/", "audio/", "video/", "application/")):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload and disposition != "inline":
                attachments.append(
                    MailAttachment(
                        name=filename or "attachment", content=payload, content_type=content_type
                    )
                )
    message_id_list = message_ids(_header(msg, "Message-ID"))
    # A message without a Message-ID still needs a stable id for dedupe: its bytes' digest.
    message_id = (
        message_id_list[0] if message_id_list else "sha256-" + hashlib.sha256(raw).hexdigest()
    )
    headers = {
        name.lower(): _header(msg, name)
        for name in (
            "Auto-Submitted",
            "Precedence",
            "Return-Path",
            "List-Id",
            "List-Unsubscribe",
            "X-Autoreply",
            "X-Autorespond",
            "X-Auto-Response-Suppress",
            "X-Loop",
            "X-Helpdesk-Loop",
            "Content-Type",
            "Date",
        )
        if msg.get(name) is not None
    }
    return ParsedMail(
        message_id=message_id,
        in_reply_to=message_ids(_header(msg, "In-Reply-To")),
        references=message_ids(_header(msg, "References")),
        subject=_header(msg, "Subject")[:998],
        from_name=from_name.strip()[:200],
        from_address=from_address.strip().lower(),
        to=_addresses(msg, "To"),
        cc=_addresses(msg, "Cc"),
        delivered_to=_addresses(msg, "Delivered-To") + _addresses(msg, "X-Original-To"),
        text="\n".join(text_parts),
        html="\n".join(html_parts),
        attachments=attachments,
        headers=headers,
        report=report,
        raw=raw,
    )
