"""The message listener: counts messages and ends waits (first response, reply wait).

It runs on every chat message, inside the chat transaction that holds the conversation's row
lock (so writes per conversation are serialised), and is kept to as few statements as
possible:

- a message is counted by upserting its ``MessageCount`` row (``count = count + 1``), not by
  a fact of its own;
- the conversation's team (and, for a missing track, assignee, customer and start) come from
  the event (``team_id``, ``assignee_id``, ``customer_id``, ``created_at``); only when the
  event lacks them is the conversation read;
- a shopper's or the bot's message changes the track with a conditional ``UPDATE … WHERE``
  that writes only when the waiting state really changes; on PostgreSQL it travels in the
  counter upsert's statement (a data-modifying CTE), so a shopper's message on a conversation
  already awaiting a reply costs one statement;
- an agent's public message reads the track in the upsert's statement, then writes the facts
  it ends and the track fields that changed (none when nothing did).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.utils import timezone

from helpdesk import dispatch

from .. import dialects
from ..models import ConversationTrack, Fact
from .base import SENDERS, _conversation, _duration, _human_wait_start, _track
from .pauses import sla_due_refresh

# What the listener needs to know of the conversation; chat's ``message.created`` carries it.
CONVERSATION_KEYS = ("team_id", "assignee_id", "customer_id", "created_at")

_KEY = "hour, conversation_id, team_id, agent_id, sender, private"
_UPSERT = (
    f"INSERT INTO analytics_messagecount ({_KEY}, count, recorded_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, 1, %s) "
    f"ON CONFLICT ({_KEY}) DO UPDATE SET count = analytics_messagecount.count + 1, "
    "recorded_at = excluded.recorded_at, seq = {seq}"
)
# Every upsert takes a fresh seq (the rollup's watermark column).
UPSERT = {
    d: _UPSERT.format(seq=d.next_seq("analytics_messagecount", "seq"))
    for d in (dialects.POSTGRESQL, dialects.SQLITE)
}

# The waiting state a public message moves, as (SET, WHERE): written only when it changes.
# A shopper's message starts a wait unless one is running (later messages do not restart it),
# and the bot's answer is no longer the last word.
VISITOR_WAITS = (
    "awaiting_since = coalesce(awaiting_since, %s), bot_last_word = FALSE",
    "(awaiting_since IS NULL OR bot_last_word)",
)
# The bot replied to what was waiting; until a hand-over nobody waits for a person. Its
# message is the last word only when it answers (a knowledge-base entry, an order answer),
# not when it asks again ("I'm not sure I understood", "Did you mean…").
BOT_ANSWERS = (
    "bot_answered = TRUE, bot_last_word = %s, "
    "awaiting_since = CASE WHEN handover_at IS NULL THEN NULL ELSE awaiting_since END",
    "(NOT bot_answered OR bot_last_word <> %s "
    "OR (handover_at IS NULL AND awaiting_since IS NOT NULL))",
)


def bot_message_answers(data: dict[str, Any]) -> bool:
    """A bot message that answers the shopper: a knowledge-base entry's answer (``bot_entry``)
    or an order answer (``bot_intent`` ``order``), as the bot writes them (docs/bot.md)."""
    return bool(data.get("bot_entry")) or data.get("bot_intent") == "order"


# Ends the conversation's open SLA pause (analytics.listeners.pauses) when the shopper writes.
RESUME = (
    "UPDATE analytics_slapause SET ended_at = %s WHERE conversation_id = %s AND ended_at IS NULL"
)

_TRACK_COLUMNS = [f.attname for f in ConversationTrack._meta.concrete_fields]


def on_message(event: dispatch.DomainEvent) -> None:
    conversation_id = event.conversation_id or 0
    data = event.data
    conv = _conversation_of(event)
    if conv is None:
        return
    sender_kind = str(data.get("sender_kind", ""))
    private = bool(data.get("private"))
    sender_user_id = data.get("sender_user_id")
    d = dialects.current()
    counter = [
        d.stamp(event.at.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)),
        conversation_id,
        conv["team_id"] or 0,
        # An agent's message counts for its sender; a shopper's or the bot's for the agent
        # assigned then (the agent filter's shopper messages).
        (sender_user_id or 0) if sender_kind == "agent" else (conv.get("assignee_id") or 0),
        int(SENDERS.get(sender_kind, Fact.Sender.SYSTEM)),
        private,
        d.stamp(timezone.now()),
    ]
    if private or sender_kind not in ("visitor", "agent", "bot"):
        with connection.cursor() as cursor:
            cursor.execute(UPSERT[d], counter)
        return
    if sender_kind == "agent":
        track = _count_and_read_track(counter, conversation_id)
        if track is None:
            track = _track(conversation_id, _complete(conv, conversation_id))
        facts, changes = _agent_reply(track, conv["team_id"], sender_user_id, event.at)
        if facts:
            Fact.objects.bulk_create(facts)
        if changes:
            ConversationTrack.objects.filter(pk=conversation_id).update(**changes)
        if "awaiting_since" in changes or "first_response_at" in changes:
            sla_due_refresh(conversation_id)  # a wait ended: its SLA clock stops
        return
    resumes = None
    if sender_kind == "visitor":
        change, params = VISITOR_WAITS, [d.stamp(event.at)]
        # The shopper wrote: a pending or snoozed conversation is open again, so its SLA
        # pause ends (docs/metrics.md, "SLA"); in the same statement.
        resumes = d.stamp(event.at)
    else:
        answers = bot_message_answers(data)
        change, params = BOT_ANSWERS, [answers, answers]
    found, moved = _count_and_move(counter, conversation_id, change, params, resumes)
    if not found:
        # A conversation older than analytics: make its track, then move it.
        _track(conversation_id, _complete(conv, conversation_id))
        _move(conversation_id, change, params)
        moved = True
    if moved:
        # A wait started or ended, or a pause ended: the SLA clocks moved.
        sla_due_refresh(conversation_id)


def _conversation_of(event: dispatch.DomainEvent) -> dict[str, Any] | None:
    """The conversation's team etc. from the event, else from its row (None: no such row)."""
    if "team_id" in event.data:
        return {key: event.data.get(key) for key in CONVERSATION_KEYS}
    return _conversation(event.conversation_id or 0)


def _complete(conv: dict[str, Any], conversation_id: int) -> dict[str, Any]:
    """Every key a new track needs (reads the conversation if the event lacked some)."""
    if any(key not in conv for key in CONVERSATION_KEYS) or conv["created_at"] is None:
        return _conversation(conversation_id) or conv
    if isinstance(conv["created_at"], str):
        return {**conv, "created_at": dt.datetime.fromisoformat(conv["created_at"])}
    return conv


def _move_sql(change: tuple[str, str]) -> str:
    return (
        f"UPDATE analytics_conversationtrack SET {change[0]} "
        f"WHERE {change[1]} AND conversation_id = %s"
    )


def _returning(sql: str) -> str:
    return f"{sql} RETURNING 1"


def _move(conversation_id: int, change: tuple[str, str], params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(_move_sql(change), [*params, conversation_id])


def _count_and_move(
    counter: list[Any],
    conversation_id: int,
    change: tuple[str, str],
    params: list[Any],
    resumes: Any = None,
) -> tuple[bool, bool]:
    """Count the message and move the track's waiting state, and with ``resumes`` (a stamp)
    end the conversation's open SLA pause then; (whether there is a track, whether the
    waiting state or a pause changed)."""
    with connection.cursor() as cursor:
        if dialects.current().sqlite:
            # No data-modifying CTEs: the same statements one after the other.
            cursor.execute(UPSERT[dialects.SQLITE], counter)
            resumed = False
            if resumes is not None:
                cursor.execute(RESUME, [resumes, conversation_id])
                resumed = cursor.rowcount > 0
            cursor.execute(_move_sql(change), [*params, conversation_id])
            if cursor.rowcount:
                return True, True
            cursor.execute(
                "SELECT 1 FROM analytics_conversationtrack WHERE conversation_id = %s",
                [conversation_id],
            )
            return cursor.fetchone() is not None, resumed
        # One statement: the data-modifying CTEs all run; EXISTS sees the track as it was.
        pause, pause_params, paused = "", [], "FALSE"
        if resumes is not None:
            pause, pause_params = f", p AS ({_returning(RESUME)})", [resumes, conversation_id]
            paused = "EXISTS (SELECT 1 FROM p)"
        cursor.execute(
            f"WITH c AS ({UPSERT[dialects.POSTGRESQL]}), t AS ({_returning(_move_sql(change))})"
            f"{pause} SELECT EXISTS (SELECT 1 FROM analytics_conversationtrack "
            f"WHERE conversation_id = %s), EXISTS (SELECT 1 FROM t) OR {paused}",
            [*counter, *params, conversation_id, *pause_params, conversation_id],
        )
        found, moved = cursor.fetchone()
        return bool(found), bool(moved)


def _count_and_read_track(counter: list[Any], conversation_id: int) -> ConversationTrack | None:
    """Count the message and read the conversation's track (None when it has none)."""
    select = (
        f"SELECT {', '.join(_TRACK_COLUMNS)} FROM analytics_conversationtrack "
        "WHERE conversation_id = %s"
    )
    if dialects.current().sqlite:
        with connection.cursor() as cursor:
            cursor.execute(UPSERT[dialects.SQLITE], counter)
        return ConversationTrack.objects.filter(pk=conversation_id).first()
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH c AS ({UPSERT[dialects.POSTGRESQL]}) {select}", [*counter, conversation_id]
        )
        row = cursor.fetchone()
    return None if row is None else ConversationTrack.from_db(connection.alias, _TRACK_COLUMNS, row)


def _agent_reply(
    track: ConversationTrack, team_id: int | None, sender_user_id: int | None, at: dt.datetime
) -> tuple[list[Fact], dict[str, Any]]:
    """A person's public reply: the facts it ends, and the track fields it changes."""
    facts: list[Fact] = []
    changes: dict[str, Any] = {}
    if track.first_response_at is None:
        facts.append(
            _duration(
                Fact.Kind.FIRST_RESPONSE,
                track=track,
                team_id=team_id,
                agent_id=sender_user_id,
                start=_human_wait_start(track),
                end=at,
            )
        )
        changes["first_response_at"] = at
    if (
        not track.agent_replied
        and sender_user_id is not None
        and sender_user_id == track.agent_id
        and track.agent_started_at is not None
    ):
        start = max(track.agent_started_at, _human_wait_start(track))
        facts.append(
            _duration(
                Fact.Kind.AGENT_FIRST_RESPONSE,
                track=track,
                team_id=team_id,
                agent_id=sender_user_id,
                start=start,
                end=at,
            )
        )
        changes["agent_replied"] = True
    if track.awaiting_since is not None:
        facts.append(
            _duration(
                Fact.Kind.REPLY_WAIT,
                track=track,
                team_id=team_id,
                agent_id=sender_user_id,
                start=track.awaiting_since,
                end=at,
            )
        )
        changes["awaiting_since"] = None
    if not track.human_replied:
        changes["human_replied"] = True
    if track.bot_last_word:
        changes["bot_last_word"] = False
    return facts, changes
