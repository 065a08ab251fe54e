"""Slow-reply guard: how long a shopper has waited for a person, and the alert past target.

``waiting_since`` is the first shopper message nobody answered yet (or the hand-over to a
person); an agent's public reply clears it. A bot reply clears it only while no person is
involved (not queued, not assigned): once a shopper asked for a person, a bot line does not
count as an answer. The beat task ``slow_reply_scan`` flags conversations waiting past their
team's target once, through a partial index, and notifies the assignee and the supervisors.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from chat import events
from chat.models import Conversation, ConversationRouting, Message

from .selectors import DEFAULT_REPLY_TARGET, reply_target_seconds

User = get_user_model()
SCAN_LIMIT = 500


def waiting_start(*, conversation_id: int, at: dt.datetime) -> None:
    """A shopper wrote: start the clock unless it already runs. One upsert."""
    table = ConversationRouting._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (conversation_id, queue_priority, queue_reason, waiting_since) "
            "VALUES (%s, 0, '', %s) ON CONFLICT (conversation_id) DO UPDATE SET "
            f"waiting_since = COALESCE({table}.waiting_since, EXCLUDED.waiting_since)",
            [conversation_id, at],
        )


def waiting_stop(*, conversation_id: int, by_bot: bool = False) -> None:
    """Someone answered: stop the clock (a bot only while no person is involved)."""
    qs = ConversationRouting.objects.filter(
        conversation_id=conversation_id, waiting_since__isnull=False
    )
    if by_bot:
        qs = qs.filter(queued_at__isnull=True, conversation__assignee__isnull=True)
    qs.update(waiting_since=None, overdue_notified_at=None)


_UNKNOWN = object()


def _cached_routing(conversation: Conversation | None) -> Any:
    """The conversation's routing row if it was loaded with it (``None`` when it has none),
    else ``_UNKNOWN``: the message path loads it, so the clock's state is known for free."""
    if conversation is None or not Conversation.routing.is_cached(conversation):
        return _UNKNOWN
    try:
        return conversation.routing
    except ConversationRouting.DoesNotExist:
        return None


def on_message_created(event: Any) -> None:
    """Listener for ``message.created``. Costs no query when the clock's state does not change
    (a shopper writing again while already waiting, an agent replying twice)."""
    data = event.data
    if data.get("private") or event.conversation_id is None:
        return
    kind = data.get("sender_kind")
    conversation = data.get("conversation")
    routing = _cached_routing(conversation)
    if kind == Message.SenderKind.VISITOR:
        if routing is not _UNKNOWN and routing is not None and routing.waiting_since is not None:
            return
        waiting_start(conversation_id=event.conversation_id, at=event.at)
        if routing is not _UNKNOWN and routing is not None:
            routing.waiting_since = event.at
        elif conversation is not None:
            # A row was just made: the payload reads it afresh.
            conversation._state.fields_cache.pop("routing", None)
    elif kind in (Message.SenderKind.AGENT, Message.SenderKind.BOT):
        if routing is None or (routing is not _UNKNOWN and routing.waiting_since is None):
            return
        by_bot = kind == Message.SenderKind.BOT
        waiting_stop(conversation_id=event.conversation_id, by_bot=by_bot)
        if routing is not _UNKNOWN and not (
            by_bot and (routing.queued_at is not None or conversation.assignee_id is not None)
        ):
            routing.waiting_since = None
            routing.overdue_notified_at = None


def is_overdue(routing: ConversationRouting | None, team_id: int | None, now: dt.datetime) -> bool:
    if routing is None or routing.waiting_since is None:
        return False
    target = reply_target_seconds(team_id)
    return (now - routing.waiting_since).total_seconds() >= target


def _supervisor_ids() -> list[int]:
    return list(
        User.objects.filter(is_active=True, groups__name="Supervisors").values_list("pk", flat=True)
    )


def slow_reply_scan(*, now: dt.datetime | None = None) -> list[int]:
    """Flag and announce conversations whose shopper has waited past the team's target.
    Each waiting spell is announced once. Returns the flagged conversation ids."""
    now = now or timezone.now()
    # The smallest target any team has bounds the scan; the partial index serves it.
    from chat.models import TeamRouting

    targets = list(TeamRouting.objects.values_list("reply_target_seconds", flat=True))
    shortest = min([DEFAULT_REPLY_TARGET, *[t for t in targets if t]])
    candidates = (
        ConversationRouting.objects.filter(
            waiting_since__lte=now - dt.timedelta(seconds=shortest),
            overdue_notified_at__isnull=True,
            conversation__status=Conversation.Status.OPEN,
        )
        .select_related("conversation")
        .order_by("waiting_since")[:SCAN_LIMIT]
    )
    flagged: list[int] = []
    supervisors: list[int] | None = None
    for routing in candidates:
        conversation = routing.conversation
        in_care = routing.queued_at is not None or conversation.assignee_id is not None
        if not in_care or not is_overdue(routing, conversation.team_id, now):
            continue
        with transaction.atomic():
            # A conditional update: with two scanners running, only one announces.
            won = ConversationRouting.objects.filter(
                pk=routing.pk, overdue_notified_at__isnull=True, waiting_since=routing.waiting_since
            ).update(overdue_notified_at=now)
            if not won:
                continue
            if supervisors is None:
                supervisors = _supervisor_ids()
            recipients = set(supervisors)
            if conversation.assignee_id:
                recipients.add(conversation.assignee_id)
            waited = int((now - routing.waiting_since).total_seconds())  # type: ignore[operator]
            events.publish(
                [events.group_agent(uid) for uid in sorted(recipients)],
                {
                    "type": events.Frame.CONVERSATION_OVERDUE,
                    "conversation": conversation.pk,
                    "assignee": conversation.assignee_id,
                    "waited_seconds": waited,
                    "target_seconds": reply_target_seconds(conversation.team_id),
                },
            )
            events.publish_conversation(conversation, shopper=False)
            flagged.append(conversation.pk)
    return flagged
