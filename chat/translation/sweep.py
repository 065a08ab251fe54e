"""The beat's safety net for translation: messages whose translation task was lost.

A message's translation is queued after commit through a batch (helpdesk/task_batch.py); a
broker that is down when the batch is sent, or a server killed within the batch's window,
loses it, and the message would stay untranslated for good (no "not translated" either: the
clients were never told anything). Every translatable message gets a ``MessageTranslation``
row once its task ran (``done``, ``skipped`` or ``failed``), so a message without one, past a
grace for its task to arrive, is one whose task was lost. ``message_translate`` makes a
translation once, so a message the task did reach meanwhile costs no second provider call.

The assignment's re-translation (``chat.translation.retarget``) is not swept: a lost one
leaves the earlier agent's language on the shopper's older messages, and the agent still
reads the originals.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from ..models import Conversation, Message
from .listeners import TRANSLATED_SENDERS
from .providers import translation_enabled


def translation_lost_messages(
    *, grace_seconds: float = 60, window_seconds: float = 3600, limit: int = 500
) -> list[int]:
    """Public messages of the senders translation follows, written between ``window_seconds``
    and ``grace_seconds`` ago, with text, in conversations whose translation is not switched
    off, and with no translation row: oldest first."""
    now = timezone.now()
    since = now - dt.timedelta(seconds=window_seconds)
    active = Conversation.objects.filter(last_activity_at__gte=since).exclude(
        translation_settings__enabled=False
    )
    return list(
        Message.objects.filter(
            conversation__in=active.values("pk"),
            created_at__gte=since,
            created_at__lte=now - dt.timedelta(seconds=grace_seconds),
            private=False,
            sender_kind__in=TRANSLATED_SENDERS,
            body__regex=r"\S",
            translation__isnull=True,
        )
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


@shared_task(name="chat.translation.sweep", ignore_result=True)
def translation_sweep_task(grace_seconds: float = 60) -> int:
    """Queue the translation of every message whose task was lost, in batches of 50 (what
    the batch would have sent); how many. Nothing while translation is off."""
    from .tasks import translate_messages_task

    if not translation_enabled():
        return 0
    ids = translation_lost_messages(grace_seconds=grace_seconds)
    for start in range(0, len(ids), 50):
        translate_messages_task.delay(ids[start : start + 50])
    return len(ids)
