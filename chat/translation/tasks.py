"""Celery tasks of translation: take ids, call the service (STYLE.md)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from helpdesk.task_batch import TaskBatch

from .providers import TranslationError
from .services import message_translate


def retry_countdown(retries: int) -> float:
    """Seconds before retry number ``retries + 1``: BACKOFF_SECONDS doubling each time."""
    return float(settings.HELPDESK_TRANSLATION["BACKOFF_SECONDS"]) * (2**retries)


@shared_task(name="chat.translation.message", ignore_result=True, bind=True)
def translate_message_task(self, message_id: int) -> None:  # type: ignore[no-untyped-def]
    """Retry ``number`` of one message's translation (the batch made the first attempt): while
    the provider fails, retried up to ``RETRIES`` in all with a doubling pause, then left
    "not translated" (the original was delivered all along)."""
    retries = int(settings.HELPDESK_TRANSLATION["RETRIES"])
    number = self.request.retries + 1
    try:
        message_translate(message_id=message_id, final=number >= retries)
    except TranslationError as exc:
        raise self.retry(
            exc=exc, countdown=retry_countdown(number), max_retries=max(retries - 1, 0)
        ) from exc


@shared_task(name="chat.translation.messages", ignore_result=True)
def translate_messages_task(message_ids: list[int]) -> None:
    """First attempt for a batch of messages (one task per batch: helpdesk/task_batch.py);
    a message whose provider call failed gets its own retrying task."""
    retries = int(settings.HELPDESK_TRANSLATION["RETRIES"])
    for message_id in message_ids:
        try:
            message_translate(message_id=message_id, final=retries == 0)
        except TranslationError:
            translate_message_task.apply_async((message_id,), countdown=retry_countdown(0))


@shared_task(name="chat.translation.retarget", ignore_result=True)
def retranslate_conversation_task(conversation_id: int, before_seq: int | None = None) -> None:
    """A conversation changed hands (or its agent changed language): one batch of the
    shopper's messages in the agent's language now, newest first from ``before_seq``
    (chat/translation/reassign.py); the next batch is its own task. A message whose provider
    call failed gets its own retrying task."""
    from .reassign import conversation_retranslate

    retries = int(settings.HELPDESK_TRANSLATION["RETRIES"])
    done = conversation_retranslate(
        conversation_id=conversation_id, before_seq=before_seq, final=retries == 0
    )
    for message_id in done.failed:
        translate_message_task.apply_async((message_id,), countdown=retry_countdown(0))
    if done.before_seq is not None:
        retranslate_conversation_task.delay(conversation_id, done.before_seq)


@shared_task(name="chat.translation.agent_language", ignore_result=True)
def agent_language_changed_task(user_id: int) -> None:
    """An agent picked another language: their open conversations follow it."""
    from .reassign import agent_open_conversations

    for conversation_id in agent_open_conversations(user_id=user_id):
        retranslate_conversation_task.delay(conversation_id)


# Messages waiting for translation, sent as one task every 50 ms.
translate_batch = TaskBatch(translate_messages_task, window=0.05)
