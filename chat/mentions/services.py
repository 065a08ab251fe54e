"""Finding ``@username`` in agents' notes, storing and announcing the mentions, reading them."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Count, Max, Q
from django.utils import timezone

from helpdesk import dispatch

from .. import events
from ..access import Actor
from ..models import Conversation, Mention, Message
from ..search.messages import highlight
from ..selectors import agents_list
from ..statements import CONVERSATION_RELATED

# "@ana", "@ana.li", "@li-wei" — not the "@" inside an e-mail address (a word before it).
MENTION = re.compile(r"(?<![\w@])@([\w.+-]{1,150})")
FRAME_CREATED = "mention.created"
FRAME_READ = "mention.read"


def usernames_in(body: str) -> list[str]:
    """The names after ``@`` in ``body``, lowercased, in order, without a trailing dot."""
    seen: dict[str, None] = {}
    for match in MENTION.finditer(body or ""):
        seen[match.group(1).rstrip(".").lower()] = None
    return [name for name in seen if name]


def agent_choices() -> list[dict[str, Any]]:
    """Every active agent as the composer suggests them: id, username, display name."""
    return [
        {"id": user.pk, "username": user.username, "name": events.sender_name(Actor(user=user))}
        for user in agents_list()
    ]


def mention_payload(mention: Mention, message: Message | None) -> dict[str, Any]:
    by = None
    if mention.by_id:
        by = {"id": mention.by_id, "name": events.sender_name(Actor(user=mention.by))}
    return {
        "id": mention.pk,
        "conversation": mention.conversation_id,
        "message": mention.message_id,
        "seq": mention.seq,
        "by": by,
        "created_at": events.isoformat(mention.created_at),
        "read": mention.read_at is not None,
        **highlight(message.body if message else "", []),
    }


def on_message_created(event: dispatch.DomainEvent) -> None:
    """A note by an agent that names other agents records a mention for each, in the note's
    transaction, and tells each of them after commit. Other messages cost nothing."""
    data = event.data
    if not data.get("private") or data.get("sender_kind") != Message.SenderKind.AGENT:
        return
    message = (
        Message.objects.filter(pk=data["message_id"], conversation_created_at=data["created_at"])
        .only("pk", "body", "seq", "conversation_id", "created_at")
        .first()
    )
    if message is None or "@" not in message.body:
        return
    names = set(usernames_in(message.body))
    if not names:
        return
    author = data.get("sender_user_id")
    users = [u for u in agents_list() if u.username.lower() in names and u.pk != author]
    if not users:
        return
    mentions = Mention.objects.bulk_create(
        [
            Mention(
                conversation_id=message.conversation_id,
                message_id=message.pk,
                seq=message.seq,
                user=user,
                by_id=author,
                created_at=message.created_at,
            )
            for user in users
        ],
        ignore_conflicts=True,
    )
    conversation: Conversation = data["conversation"]
    staff_view = events.conversation_payload(conversation, staff=True)
    for mention in mentions:
        events.publish(
            [events.group_agent(mention.user_id)],
            {
                "type": FRAME_CREATED,
                "mention": mention_payload(mention, message),
                "conversation": staff_view,
            },
        )


def mentions_for(*, user: Any, limit: int = 50) -> dict[str, Any]:
    """The Mentions view: each conversation where ``user`` was mentioned, newest mention
    first, with that mention and whether any there is unread; and the unread count."""
    mine = Mention.objects.filter(user=user)
    per_conversation = list(
        mine.values("conversation_id")
        .annotate(last=Max("id"), unread=Count("id", filter=Q(read_at__isnull=True)))
        .order_by("-last")[: max(1, min(limit, 100))]
    )
    latest = {
        m.pk: m
        for m in Mention.objects.select_related("by__agent_profile").filter(
            pk__in=[row["last"] for row in per_conversation]
        )
    }
    conversations = Conversation.objects.select_related(*CONVERSATION_RELATED).in_bulk(
        [row["conversation_id"] for row in per_conversation]
    )
    messages = Message.objects.in_bulk([m.message_id for m in latest.values()])
    results = []
    for row in per_conversation:
        mention = latest[row["last"]]
        conversation = conversations.get(row["conversation_id"])
        if conversation is None:
            continue
        payload = mention_payload(mention, messages.get(mention.message_id))
        payload["read"] = row["unread"] == 0
        results.append(
            {
                "mention": payload,
                "conversation": events.conversation_payload(conversation, staff=True),
            }
        )
    return {"unread": unread_count(user=user), "results": results}


def unread_count(*, user: Any) -> int:
    return Mention.objects.filter(user=user, read_at__isnull=True).count()


def mentions_read(*, user: Any, conversation_id: int) -> int:
    """Mark ``user``'s mentions in a conversation read (they opened it); tells their other
    desks. Returns the unread count left."""
    changed = Mention.objects.filter(
        user=user, conversation_id=conversation_id, read_at__isnull=True
    ).update(read_at=timezone.now())
    left = unread_count(user=user)
    if changed:
        events.publish(
            [events.group_agent(user.pk)],
            {"type": FRAME_READ, "conversation": conversation_id, "unread": left},
        )
    return left
