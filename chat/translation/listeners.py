"""How translation hears about the desk. ``connect()`` runs from ``chat.listeners``."""

from __future__ import annotations

from django.core import checks
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from chat import events
from helpdesk import dispatch
from helpdesk.pending import pending_delay
from helpdesk.storefront import widget_strings_register

from .providers import translation_enabled
from .services import message_translation_payload

# A public system line ("Ana has joined the conversation", a call's line, an order notice)
# is written in English or Chinese; the shopper of another language gets it translated.
TRANSLATED_SENDERS = {"visitor", "agent", "bot", "system"}


def on_message_created(event: dispatch.DomainEvent) -> None:
    """A public message from the shopper, an agent or the bot is translated after it commits,
    in Celery; the message path pays one on-commit callback and no query (whether the
    conversation has translation on is the task's question)."""
    data = event.data
    if not translation_enabled() or data.get("private"):
        return
    if data.get("sender_kind") not in TRANSLATED_SENDERS:
        return
    message_id = data.get("message_id")
    if not message_id:
        return
    from .tasks import translate_batch

    # robust: a broker that is down never fails the committed send; the message stays
    # untranslated.
    transaction.on_commit(lambda: translate_batch.add(message_id), robust=True)


def on_conversation_assigned(event: dispatch.DomainEvent) -> None:
    """The conversation went to an agent (or back to nobody: the desk's language, as for its
    new messages): after commit, in Celery, the shopper's messages are made again in that
    language where theirs differs (chat/translation/reassign.py). The assignment pays one
    on-commit callback and no query."""
    conversation_id = event.conversation_id
    if not translation_enabled() or conversation_id is None:
        return
    from .tasks import retranslate_conversation_task

    # Written down with the assignment: one the broker lost is queued again by the sweep
    # (helpdesk/pending.py); a conversation already in that language costs no provider call.
    pending_delay(retranslate_conversation_task, conversation_id=conversation_id)


def connect() -> None:
    from .checks import translation_settings_check

    dispatch.subscribe(dispatch.Event.MESSAGE_CREATED, on_message_created)
    dispatch.subscribe(dispatch.Event.CONVERSATION_ASSIGNED, on_conversation_assigned)
    checks.register(translation_settings_check)
    events.message_payload_register(message_translation_payload)
    widget_strings_register(
        "translation",
        {
            "translated": _("Translated"),
            "show_original": _("Show original"),
            "show_translation": _("Show translation"),
            "not_translated": _("Not translated"),
        },
    )
