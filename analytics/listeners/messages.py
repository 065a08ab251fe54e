"""The message listener: counts messages and ends waits (first response, reply wait)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from helpdesk import dispatch

from ..models import ConversationTrack, Fact
from .base import SENDERS, _conversation, _duration, _human_wait_start, _track


def on_message(event: dispatch.DomainEvent) -> None:
    conv = _conversation(event.conversation_id or 0)
    if conv is None:
        return
    data = event.data
    sender_kind = str(data.get("sender_kind", ""))
    private = bool(data.get("private"))
    sender_user_id = data.get("sender_user_id")
    facts = [
        Fact(
            kind=Fact.Kind.MESSAGE,
            at=event.at,
            conversation_id=event.conversation_id,
            team_id=conv["team_id"],
            agent_id=sender_user_id if sender_kind == "agent" else None,
            value=SENDERS.get(sender_kind, Fact.Sender.SYSTEM),
            flag=private,
        )
    ]
    if not private and sender_kind in ("visitor", "agent", "bot"):
        track = _track(event.conversation_id or 0, conv)
        facts += _advance(track, conv, sender_kind, sender_user_id, event.at)
    Fact.objects.bulk_create(facts)


def _advance(
    track: ConversationTrack,
    conv: dict[str, Any],
    sender_kind: str,
    sender_user_id: int | None,
    at: dt.datetime,
) -> list[Fact]:
    """Move the conversation's waiting state on a public message; the facts it ends."""
    facts: list[Fact] = []
    team_id = conv["team_id"]
    if sender_kind == "visitor":
        if track.awaiting_since is not None:
            return facts
        track.awaiting_since = at
    elif sender_kind == "bot":
        # The bot answered what was waiting; until a hand-over nobody waits for a person.
        track.bot_answered = True
        if track.handover_at is None:
            track.awaiting_since = None
    else:
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
            track.first_response_at = at
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
            track.agent_replied = True
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
            track.awaiting_since = None
        track.human_replied = True
    track.save()
    return facts
