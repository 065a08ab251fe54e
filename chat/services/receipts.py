"""Read and delivered cursors, and the ``receipt`` frames that tell the other side.

Each side of a conversation has a delivered and a read cursor on the conversation row (the
shopper's, and the staff's shared one); each agent also has a read cursor of their own. Cursors
only move forward, and read never passes delivered.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest

from helpdesk.errors import BadRequest

from .. import events
from ..access import Actor, access_conversation
from ..events import Frame
from ..models import AgentReadCursor, Conversation


def check_seq(seq: object) -> int:
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 0 or seq > 2**31 - 1:
        raise BadRequest("seq must be a non-negative integer.", fields={"seq": ["Invalid."]})
    return seq


def _read_move(conversation: Conversation, *, actor: Actor, seq: int) -> bool:
    """Move the actor's read cursor forward (never back); True if it moved."""
    seq = min(seq, conversation.last_seq)
    # One UPDATE moves read and delivered together: read never passes delivered, since only
    # this function moves read (and delivered_mark only delivered). Saves a query per message.
    if actor.user is None:
        moved = Conversation.objects.filter(pk=conversation.pk, visitor_read_seq__lt=seq).update(
            visitor_read_seq=seq,
            visitor_delivered_seq=Greatest(F("visitor_delivered_seq"), Value(seq)),
        )
        if moved:
            conversation.visitor_read_seq = seq
            conversation.visitor_delivered_seq = max(conversation.visitor_delivered_seq, seq)
        return bool(moved)
    cursor, _created = AgentReadCursor.objects.get_or_create(
        user=actor.user, conversation=conversation
    )
    moved = AgentReadCursor.objects.filter(pk=cursor.pk, read_seq__lt=seq).update(read_seq=seq)
    shared = Conversation.objects.filter(pk=conversation.pk, agent_read_seq__lt=seq).update(
        agent_read_seq=seq,
        agent_delivered_seq=Greatest(F("agent_delivered_seq"), Value(seq)),
    )
    if shared:
        conversation.agent_read_seq = seq
        conversation.agent_delivered_seq = max(conversation.agent_delivered_seq, seq)
    return bool(moved or shared)


def read_cursors_to_latest(*, conversation: Conversation, actor: Actor) -> list[str]:
    """The sender of the conversation's newest message has read and received everything: move
    its side's cursors in memory and return the fields to save. The caller holds the row lock
    and saves them with its own UPDATE (``message_create``), so a message costs no receipt
    write of its own; for an agent, the agent's own cursor is upserted here."""
    seq = conversation.last_seq
    if actor.user is None:
        conversation.visitor_read_seq = seq
        conversation.visitor_delivered_seq = max(conversation.visitor_delivered_seq, seq)
        return ["visitor_read_seq", "visitor_delivered_seq"]
    # Nobody's cursor can be past the newest seq, so this never moves one back.
    AgentReadCursor.objects.bulk_create(
        [AgentReadCursor(user=actor.user, conversation=conversation, read_seq=seq)],
        update_conflicts=True,
        unique_fields=["user", "conversation"],
        update_fields=["read_seq"],
    )
    conversation.agent_read_seq = seq
    conversation.agent_delivered_seq = max(conversation.agent_delivered_seq, seq)
    return ["agent_read_seq", "agent_delivered_seq"]


def _publish_receipt(
    *, conversation_id: int, reader: str, delivered_seq: int, read_seq: int
) -> None:
    """A receipt goes to the other side only: the shopper's ticks to the staff watching the
    conversation, the agents' to the shopper (one receipt per message delivered, so a copy
    to the side that made it would double the fan-out for nothing)."""
    frame = {
        "type": Frame.RECEIPT,
        "conversation": conversation_id,
        "reader": reader,
        "delivered_seq": delivered_seq,
        "read_seq": read_seq,
    }
    if reader == "visitor":
        events.publish([events.group_conversation(conversation_id)], frame)
    else:
        events.publish([events.group_conversation_shopper(conversation_id)], frame)


def read_mark(*, actor: Actor, conversation_id: int, seq: int) -> Conversation:
    """The actor has read up to ``seq``. Cursors only move forward. The agent's other
    workspace tabs hear of it (``conversation.read``) to clear their unread badge."""
    seq = check_seq(seq)
    with transaction.atomic():
        # An agent's read writes their own cursor row as well as the conversation's: lock the
        # conversation first, the message path's order (an agent's reply locks it, then
        # upserts that cursor). Cursor first deadlocked a read racing a reply from another
        # tab (tests/faults/test_lock_order.py). A shopper's read writes the one row.
        conversation = access_conversation(
            actor=actor, conversation_id=conversation_id, for_update=actor.user is not None
        )
        if _read_move(conversation, actor=actor, seq=seq):
            reader = "agent" if actor.user else "visitor"
            _publish_receipt(
                conversation_id=conversation.pk,
                reader=reader,
                delivered_seq=getattr(conversation, f"{reader}_delivered_seq"),
                read_seq=getattr(conversation, f"{reader}_read_seq"),
            )
            if actor.user is not None:
                events.publish(
                    [events.group_agent(actor.user.pk)],
                    {
                        "type": Frame.CONVERSATION_READ,
                        "conversation": conversation.pk,
                        "read_seq": seq,
                    },
                )
    return conversation


def delivered_mark(*, actor: Actor, conversation_id: int, seq: int) -> bool:
    """A socket of ``actor``'s side received messages up to ``seq``. Cheap: one conditional
    UPDATE; a receipt goes out only when the cursor moved."""
    return bool(delivered_mark_many(actor=actor, cursors={conversation_id: seq}))


def delivered_mark_many(*, actor: Actor, cursors: dict[int, int]) -> int:
    """Delivered receipts of ``actor``'s side for several conversations (id -> seq); returns
    how many cursors moved."""
    reader = "agent" if actor.user is not None else "visitor"
    return delivered_mark_sides(cursors={reader: cursors})


# Every conversation of a batch, both sides, in one statement: ``l`` locks the rows in id order
# (a ``SELECT … ORDER BY … FOR NO KEY UPDATE`` locks as it sorts, so two batches never wait on
# each other in a cycle) and reads the cursors as they stand once locked; a side's cursor moves
# where its seq is past it and not past the conversation's last message. The flags tell which
# side moved, for the receipt frames. (NULL: no receipt of that side for that conversation.)
DELIVERED_BATCH_SQL = """
WITH v (id, visitor_seq, agent_seq) AS (
  SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[])
), l AS MATERIALIZED (
  SELECT c.id, c.visitor_delivered_seq, c.agent_delivered_seq, c.last_seq
  FROM chat_conversation c JOIN v ON v.id = c.id
  ORDER BY c.id FOR NO KEY UPDATE OF c
), m AS (
  SELECT l.id, v.visitor_seq, v.agent_seq,
    COALESCE(v.visitor_seq > l.visitor_delivered_seq AND v.visitor_seq <= l.last_seq, FALSE)
      AS visitor_moves,
    COALESCE(v.agent_seq > l.agent_delivered_seq AND v.agent_seq <= l.last_seq, FALSE)
      AS agent_moves
  FROM l JOIN v ON v.id = l.id
)
UPDATE chat_conversation c SET
  visitor_delivered_seq
    = CASE WHEN m.visitor_moves THEN m.visitor_seq ELSE c.visitor_delivered_seq END,
  agent_delivered_seq = CASE WHEN m.agent_moves THEN m.agent_seq ELSE c.agent_delivered_seq END
FROM m WHERE c.id = m.id AND (m.visitor_moves OR m.agent_moves)
RETURNING c.id, m.visitor_moves, c.visitor_delivered_seq, c.visitor_read_seq,
  m.agent_moves, c.agent_delivered_seq, c.agent_read_seq"""


def delivered_mark_sides(*, cursors: dict[str, dict[int, int]]) -> int:
    """Delivered receipts, by side (``visitor`` / ``agent`` -> conversation id -> seq), in
    one transaction; returns how many cursors moved. A socket's receipts need no access
    check: it only marks what it was sent. Receipts are hints the next one supersedes, so
    this transaction does not wait for the disk (synchronous_commit off, for it alone): a
    message costs one durable commit, not two (docs/performance.md).

    On PostgreSQL the whole batch is one statement (``DELIVERED_BATCH_SQL``): a process's
    batch holds about one receipt per message it delivered in the last ``DELAY`` (the receipt
    writer's), and an ``UPDATE`` each cost a statement per message. Elsewhere (SQLite, no
    row locks) one ``UPDATE … RETURNING`` per conversation and side."""
    for reader in cursors:
        if reader not in ("visitor", "agent"):
            raise ValueError(f"unknown reader {reader!r}")
    if connection.vendor != "postgresql":
        return _delivered_mark_each(cursors)
    visitor, agent = cursors.get("visitor", {}), cursors.get("agent", {})
    ids = sorted({*visitor, *agent})
    if not ids:
        return 0
    moved: list[tuple[int, str, int, int]] = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(
            DELIVERED_BATCH_SQL,
            [ids, [visitor.get(pk) for pk in ids], [agent.get(pk) for pk in ids]],
        )
        for pk, v_moved, v_delivered, v_read, a_moved, a_delivered, a_read in cursor.fetchall():
            if a_moved:
                moved.append((pk, "agent", a_delivered, a_read))
            if v_moved:
                moved.append((pk, "visitor", v_delivered, v_read))
        for conversation_id, reader, delivered_seq, read_seq in sorted(moved):
            _publish_receipt(
                conversation_id=conversation_id,
                reader=reader,
                delivered_seq=delivered_seq,
                read_seq=read_seq,
            )
    return len(moved)


def _delivered_mark_each(cursors: dict[str, dict[int, int]]) -> int:
    table = Conversation._meta.db_table
    rows = sorted(
        (conversation_id, reader, seq)
        for reader, side in cursors.items()
        for conversation_id, seq in side.items()
    )
    moved_count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for conversation_id, reader, seq in rows:
            field = f"{reader}_delivered_seq"
            cursor.execute(
                f"UPDATE {table} SET {field} = %s WHERE id = %s AND {field} < %s "
                f"AND last_seq >= %s RETURNING {field}, {reader}_read_seq",
                [seq, conversation_id, seq, seq],
            )
            row = cursor.fetchone()
            if row is None:
                continue
            moved_count += 1
            _publish_receipt(
                conversation_id=conversation_id,
                reader=reader,
                delivered_seq=row[0],
                read_seq=row[1],
            )
    return moved_count
