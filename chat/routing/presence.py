"""Agent presence: the status an agent picks, and whether any workspace socket of theirs lives.

Each workspace socket is an ``AgentConnection`` row with a heartbeat (the socket's ``ping``).
An agent is *available* for new conversations when their status is online and at least one
connection has beaten within ``PRESENCE_TIMEOUT``. Rows of a crashed process simply stop
beating, so presence stays right across Daphne processes. When the last socket closes (or the
agent switches to offline) ``offline_since`` is stamped; the sweep hands their open
conversations back to the queue once ``OFFLINE_GRACE`` has passed.

Who is live and available are reads (``chat.routing.selectors``), which the queue's services use
too; this module holds the writes and builds on them, and on the queue's services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from chat import events
from chat.models import AgentConnection, AgentPresence
from helpdesk.errors import BadRequest

from .handback import conversations_hand_back
from .selectors import live_connections, offline_grace, presence_timeout
from .services import assign_for_agent


def presence_get(*, user_id: int) -> AgentPresence:
    presence, _created = AgentPresence.objects.get_or_create(user_id=user_id)
    return presence


def presence_state(*, user_id: int) -> dict[str, Any]:
    """What the workspace shows: the chosen status and whether a socket is live."""
    presence = presence_get(user_id=user_id)
    connected = live_connections().filter(user_id=user_id).exists()
    return {
        "status": presence.status,
        "connected": connected,
        "available": connected and presence.status == AgentPresence.Status.ONLINE,
        "offline_since": events.isoformat(presence.offline_since),
    }


def _publish_presence(user_id: int) -> None:
    def send() -> None:
        state = presence_state(user_id=user_id)
        events._send_now(
            [events.group_agents()],
            {"type": events.Frame.PRESENCE_CHANGED, "agent": user_id, **state},
            None,
        )

    transaction.on_commit(send)


def _after_available(user_id: int) -> None:
    """The agent can take conversations: fill their free slots from the queue."""
    transaction.on_commit(lambda: assign_for_agent(user_id=user_id))


def presence_connect(*, user_id: int, channel_name: str) -> None:
    """A workspace socket of ``user_id`` opened."""
    now = timezone.now()
    with transaction.atomic():
        AgentConnection.objects.update_or_create(
            channel_name=channel_name[:200], defaults={"user_id": user_id, "last_beat_at": now}
        )
        presence = AgentPresence.objects.select_for_update().get_or_create(user_id=user_id)[0]
        if presence.offline_since is not None and presence.status != AgentPresence.Status.OFFLINE:
            presence.offline_since = None
            presence.save(update_fields=["offline_since", "updated_at"])
        _publish_presence(user_id)
        if presence.status == AgentPresence.Status.ONLINE:
            _after_available(user_id)


def presence_heartbeat(*, user_id: int, channel_name: str) -> None:
    """The socket answered a ping; keep its connection alive."""
    now = timezone.now()
    updated = AgentConnection.objects.filter(channel_name=channel_name[:200]).update(
        last_beat_at=now
    )
    if not updated:
        # The sweep dropped a row of a socket that was only slow: it is back.
        presence_connect(user_id=user_id, channel_name=channel_name)


def presence_disconnect(*, user_id: int, channel_name: str) -> None:
    """A workspace socket closed. The last one starts the offline grace period."""
    now = timezone.now()
    with transaction.atomic():
        AgentConnection.objects.filter(channel_name=channel_name[:200]).delete()
        if live_connections(now=now).filter(user_id=user_id).exists():
            return
        AgentPresence.objects.get_or_create(user_id=user_id)
        AgentPresence.objects.filter(user_id=user_id, offline_since__isnull=True).update(
            offline_since=now, updated_at=now
        )
        _publish_presence(user_id)


def check_status(status: Any) -> str:
    if status not in AgentPresence.Status.values:
        raise BadRequest(
            "Unknown status.",
            fields={"status": [f"One of {', '.join(AgentPresence.Status.values)}."]},
        )
    return str(status)


def presence_set(*, user_id: int, status: Any) -> AgentPresence:
    """The agent's manual switch. Online takes new conversations; away keeps the current
    ones but takes no new; offline also hands the open ones back after the grace period."""
    status = check_status(status)
    now = timezone.now()
    with transaction.atomic():
        presence = AgentPresence.objects.select_for_update().get_or_create(user_id=user_id)[0]
        presence.status = status
        connected = live_connections(now=now).filter(user_id=user_id).exists()
        if status == AgentPresence.Status.OFFLINE or not connected:
            presence.offline_since = presence.offline_since or now
        else:
            presence.offline_since = None
        presence.save(update_fields=["status", "offline_since", "updated_at"])
        _publish_presence(user_id)
        if status == AgentPresence.Status.ONLINE and connected:
            _after_available(user_id)
    return presence


def presence_sweep(*, now: dt.datetime | None = None) -> list[int]:
    """Drop dead connections, stamp agents who lost their last one, and hand the open
    conversations of agents offline past the grace period back to the queue. Returns the
    ids of the conversations handed back."""
    now = now or timezone.now()
    cutoff = now - presence_timeout()
    stale_users = set(
        AgentConnection.objects.filter(last_beat_at__lt=cutoff).values_list("user_id", flat=True)
    )
    AgentConnection.objects.filter(last_beat_at__lt=cutoff).delete()
    live = live_connections(now=now).filter(user_id=OuterRef("user_id"))
    for user_id in stale_users:
        AgentPresence.objects.get_or_create(user_id=user_id)
    lost = AgentPresence.objects.filter(
        user_id__in=stale_users, offline_since__isnull=True
    ).exclude(Exists(live))
    lost_ids = list(lost.values_list("user_id", flat=True))
    if lost_ids:
        AgentPresence.objects.filter(user_id__in=lost_ids).update(offline_since=cutoff)
        for user_id in lost_ids:
            _publish_presence(user_id)
    handed: list[int] = []
    due = AgentPresence.objects.filter(offline_since__lte=now - offline_grace())
    for user_id in due.values_list("user_id", flat=True):
        handed += conversations_hand_back(user_id=user_id)
    return handed


def on_agent_socket(event: str, user_id: int, channel_name: str) -> None:
    """Registered with ``chat.services.agents.agent_socket_hook_register``: a workspace
    socket's connect, heartbeat and disconnect drive the agent's presence."""
    if event == "connect":
        presence_connect(user_id=user_id, channel_name=channel_name)
    elif event == "ping":
        presence_heartbeat(user_id=user_id, channel_name=channel_name)
    elif event == "disconnect":
        presence_disconnect(user_id=user_id, channel_name=channel_name)
