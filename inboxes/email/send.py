"""Sending a reply by email: Django's email backends (the channel's own SMTP server, or the
desk's ``EMAIL_BACKEND`` — SMTP or any anymail ESP), with threading headers so the
shopper's mail client shows one thread and their answer finds its conversation again."""

from __future__ import annotations

import smtplib
from email.utils import formataddr, make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _

from chat.models import Channel, Message

from ..models import EmailDetail, ExternalMessage
from ..registry import SendContext, SendError
from .threading import reply_address

LOOP_HEADER = "X-Helpdesk-Loop"
REFERENCES_KEPT = 20


def connection_for(channel: Channel) -> Any:
    """The channel's SMTP server, or the desk's default backend."""
    config = channel.config
    timeout = float(getattr(settings, "EMAIL_TIMEOUT", None) or 30)
    if config.get("smtp_host"):
        security = config.get("smtp_security", "starttls")
        return get_connection(
            "django.core.mail.backends.smtp.EmailBackend",
            host=config["smtp_host"],
            port=int(config.get("smtp_port") or 587),
            username=config.get("smtp_username") or None,
            password=config.get("smtp_password") or None,
            use_tls=security == "starttls",
            use_ssl=security == "ssl",
            timeout=timeout,
        )
    return get_connection(timeout=timeout) if _takes_timeout() else get_connection()


def _takes_timeout() -> bool:
    return settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"


def from_header(channel: Channel, sender_name: str = "") -> str:
    address = channel.config.get("address", "")
    base = channel.config.get("from_name") or channel.name
    name = (
        _("%(agent)s at %(desk)s") % {"agent": sender_name, "desk": base} if sender_name else base
    )
    return formataddr((name, address))


def thread_headers(conversation_id: int, channel: Channel) -> tuple[str, str, str]:
    """(In-Reply-To, References, subject) continuing the conversation's email thread."""
    details = list(
        EmailDetail.objects.filter(message__conversation_id=conversation_id)
        .exclude(mail_id="")
        .order_by("-message__seq")
        .values_list("mail_id", "direction", "subject")[:REFERENCES_KEPT]
    )
    details.reverse()
    ids = [f"<{mid}>" for mid, _d, _s in details]
    inbound = [mid for mid, direction, _s in details if direction == ExternalMessage.Direction.IN]
    in_reply_to = f"<{inbound[-1]}>" if inbound else (ids[-1] if ids else "")
    from ..models import ConversationChannelState

    state = ConversationChannelState.objects.filter(conversation_id=conversation_id).first()
    subject = (state.subject if state else "") or (details[0][2] if details else "")
    if not subject:
        subject = _("Your conversation with %(desk)s") % {
            "desk": channel.config.get("from_name") or channel.name
        }
    elif not subject.lower().startswith(("re:", "aw:", "回复", "答复")):
        subject = f"Re: {subject}"
    return in_reply_to, " ".join(ids), subject


def _body(message: Message) -> str:
    text = message.body
    if message.kind == Message.Kind.CARD and message.card:
        card = message.card
        parts = [str(card.get(k, "")) for k in ("title", "status", "price", "url") if card.get(k)]
        text = (text + "\n\n" + "\n".join(parts)).strip()
    return text


def _attach(email: EmailMultiAlternatives, message: Message) -> None:
    attachment = (
        getattr(message, "attachment", None)
        if message.kind in ("image", "file", "audio", "video")
        else None
    )
    if attachment is None:
        return
    with attachment.file.open("rb") as handle:
        email.attach(attachment.name, handle.read(), attachment.content_type)


def email_send(ctx: SendContext) -> str:
    """The channel's sender: one message as one email. Returns our Message-ID."""
    message, conversation, channel = ctx.message, ctx.conversation, ctx.channel
    to = conversation.visitor.address or conversation.visitor.email
    if not to:
        raise SendError(_("The shopper has no email address."), retry=False)
    detail = EmailDetail.objects.filter(message=message).first()
    domain = channel.config.get("address", "desk.invalid").rpartition("@")[2] or "desk.invalid"
    # The same Message-ID on every try: a mail that did go out before a time-out is then
    # shown once by the shopper's mail client.
    message_id = detail.mail_id if detail else make_msgid(domain=domain).strip("<>")
    in_reply_to, references, subject = thread_headers(conversation.pk, channel)
    text = _body(message)
    headers = {
        "Message-ID": f"<{message_id}>",
        "Reply-To": reply_address(channel, conversation.pk),
        LOOP_HEADER: channel.config.get("address", ""),
    }
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
    if references:
        headers["References"] = references
    if message.sender_kind != Message.SenderKind.AGENT:
        # The bot's and the greeting's mail: other auto-responders must not answer it (RFC 3834).
        headers["Auto-Submitted"] = "auto-replied"
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=from_header(
            channel, message.sender_name if message.sender_kind == "agent" else ""
        ),
        to=[to],
        headers=headers,
    )
    email.attach_alternative(linebreaks(escape(text)), "text/html")
    _attach(email, message)
    if detail is None:
        EmailDetail.objects.create(
            message=message,
            direction=ExternalMessage.Direction.OUT,
            mail_id=message_id,
            in_reply_to=in_reply_to.strip("<>"),
            references=references,
            subject=subject,
            from_address=channel.config.get("address", ""),
            to=to,
            text=text,
        )
    try:
        sent = _send_with(channel, email)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _m in exc.recipients.values()]
        permanent = all(500 <= int(code) < 600 for code in codes)
        raise SendError(_refusal(exc), retry=not permanent) from exc
    except smtplib.SMTPResponseException as exc:
        raise SendError(
            f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}", retry=not 500 <= exc.smtp_code < 600
        ) from exc
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        raise SendError(f"{type(exc).__name__}: {exc}") from exc
    except Exception as exc:
        raise _anymail_error(exc) from exc
    if not sent:
        raise SendError(_("The mail server did not accept the message."))
    esp_id = getattr(getattr(email, "anymail_status", None), "message_id", None)
    if esp_id:
        # The ESP's own id: its tracking webhooks (delivered, bounced, opened) name it.
        ExternalMessage.objects.get_or_create(
            channel=channel,
            external_id=str(esp_id)[:200],
            defaults={"direction": "out", "message": message, "conversation": conversation},
        )
    return message_id


def _send_with(channel: Channel, email: EmailMultiAlternatives) -> int:
    connection = connection_for(channel)
    email.connection = connection
    return email.send(fail_silently=False)


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _refusal(exc: smtplib.SMTPRecipientsRefused) -> str:
    parts = [f"{addr}: {code} {_text(msg)}" for addr, (code, msg) in exc.recipients.items()]
    return ("Refused: " + "; ".join(parts))[:500]


def _anymail_error(exc: Exception) -> SendError:
    """anymail's errors: refused recipients are final; an API outage is retried."""
    try:
        from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
    except ImportError:  # pragma: no cover - anymail is a dependency
        return SendError(str(exc))
    if isinstance(exc, AnymailRecipientsRefused):
        return SendError(str(exc)[:500], retry=False)
    if isinstance(exc, AnymailAPIError):
        status = getattr(exc, "status_code", None) or 0
        return SendError(
            str(exc)[:500], retry=not (400 <= int(status) < 500 and status not in (408, 429))
        )
    return SendError(f"{type(exc).__name__}: {exc}"[:500])
