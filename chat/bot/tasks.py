"""Celery tasks of the bot: take ids, call a service (STYLE.md)."""

from __future__ import annotations

import logging

from celery import shared_task

from . import services

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
