"""Celery tasks of the bot: take ids, call a service (STYLE.md)."""

from __future__ import annotations

import logging

from celery import shared_task

from helpdesk.task_batch import TaskBatch

from . import batch, services

logger = logging.getLogger(__name__)


@shared_task(name="chat.bot.reply", ignore_result=True)
def bot_reply_task(message_id: int) -> None:
    """Answer (or hand over) after a shopper's message committed. A bot that fails hands the
    conversation to people rather than leaving the shopper unanswered."""
    try:
        services.bot_reply(message_id=message_id)
    except Exception:
        logger.exception("bot failed on message %s; handing over", message_id)
        services.bot_fail_safe(message_id=message_id)


@shared_task(name="chat.bot.reply_many", ignore_result=True)
def bot_reply_many_task(message_ids: list[int]) -> None:
    """``bot_reply_task`` for a batch of shopper messages, in the order they committed (the
    servers queue one task per batch: helpdesk/task_batch.py). Where the bot is silent the
    batch costs a few statements in all (``batch.bot_reply_batch``); the messages where it
    may speak, or the whole batch if that fails, go one by one."""
    try:
        left = batch.bot_reply_batch(message_ids)
    except Exception:
        logger.exception("bot batch failed on %d messages; one by one", len(message_ids))
        left = message_ids
    for message_id in left:
        bot_reply_task(message_id)


# Shopper messages waiting for the bot, sent as one task every 200 ms: the task costs a few
# statements per batch where the bot is silent, so its batches' size is what one worker can
# keep up with (at 50 messages a second over two servers, 50 ms made batches of ~3.5 and the
# soak's worker fell behind on a loaded box). The bot's answer waits up to that much longer.
bot_batch = TaskBatch(bot_reply_many_task, window=0.2)


@shared_task(name="chat.bot.reply_sweep", ignore_result=True)
def bot_reply_sweep_task(grace_seconds: float = 60) -> int:
    """The beat's safety net: shopper messages whose bot task was lost (the broker was down
    when it was queued) are answered once the broker is back. Returns how many."""
    ids = services.bot_unseen_messages(grace_seconds=grace_seconds)
    for start in range(0, len(ids), 50):
        bot_reply_many_task.delay(ids[start : start + 50])
    return len(ids)


@shared_task(
    name="chat.bot.kb_vectors",
    ignore_result=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    max_retries=5,
)
def kb_vectors_task(entry_ids: list[int]) -> None:
    """Embed the saved entries' new texts (chat/bot/vectors.py); retried while the embedding
    endpoint is down, and until then the bot matches those entries on words alone."""
    from .vectors import kb_vectors_compute

    kb_vectors_compute(entry_ids=entry_ids)


# Entries saved in one admin form or import arrive as many saves: one task per window.
kb_vectors_batch = TaskBatch(kb_vectors_task, window=0.2)


@shared_task(name="chat.bot.kb_vectors_sweep", ignore_result=True)
def kb_vectors_sweep_task() -> int:
    """The beat's safety net: entries whose vectors task was lost (the broker was down when
    their save committed) or failed for good get it queued again. Returns how many entries."""
    from .matching.embedder import current_embedder
    from .vectors import kb_vectors_missing

    embedder = current_embedder()
    if embedder is None:
        return 0
    entry_ids, scope = kb_vectors_missing(embedder.name)
    if entry_ids or scope:
        logger.info("%d knowledge-base entries without vectors: queued again", len(entry_ids))
        kb_vectors_task.delay(entry_ids)
    return len(entry_ids)


@shared_task(name="chat.bot.kb_vectors_prune", ignore_result=True)
def kb_vectors_prune_task() -> int:
    """Delete the stored vectors no active knowledge-base text uses any more (edited or
    deleted phrasings leave theirs behind); scheduled daily (helpdesk/settings.py)."""
    from .vectors import kb_vectors_prune

    removed = kb_vectors_prune()
    if removed:
        logger.info("pruned %d unused knowledge-base vectors", removed)
    return removed
