"""Every write of a call: ring, accept, decline, hang up, time out, drop with a socket. The
check that lets one socket's offer, answer or ICE candidate through to the other side is in
``relay.py``; the call object of the frames and the timeline's line in ``timeline.py``.

Each call has two parties, the agent and the shopper, and on each side one socket that carries
its signalling (``agent_channel`` / ``visitor_channel``): the caller's from the ring, the
callee's from the answer. Only those two sockets may relay; anyone else's signalling is
``not_found`` (a call in a conversation one may not see looks like no call at all).

Locks are taken conversation first, then call (``access_conversation(for_update=True)``),
the order the message path uses, so a call ending while a message is stored cannot deadlock.
Frames to sockets of a side (ringing, "answered elsewhere") are published to groups after
commit; frames to the two bound sockets are returned (``CallResult.direct``) for the consumer
to send once the service has returned, i.e. committed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from helpdesk.errors import BadRequest, NotFound

from .. import events
from ..access import LOCK_SQL, Actor, access_conversation, conversation_locked_load
from ..models import Call, Conversation
from ..statements import row_lock
from .common import (
    ACCEPTED,
    BUSY,
    ENDED,
    INVITED,
    LIVE,
    RING,
    CallBusy,
    CallResult,
    as_pk,
    check_id,
    check_media,
    conf,
    ice_user,
    is_party,
    party_channel,
    shopper_locale,
    side_of,
)
from .ice import ice_policy, ice_servers
from .timeline import call_payload, call_timeline


def _stale_before() -> dt.datetime:
    # A ring outlives its timer only when the socket that rang vanished without a disconnect
    # (a killed process); a few seconds' grace keeps a timer that is just firing in charge.
    return timezone.now() - dt.timedelta(seconds=conf()["RING_SECONDS"] + 5)


def _expire_stale(query: Q) -> list[CallResult]:
    """End the rings matching ``query`` that no timer ended (see ``_stale_before``)."""
    results = []
    stale = Call.objects.filter(query, status=Call.Status.RINGING, started_at__lt=_stale_before())
    for call_id in stale.values_list("pk", flat=True):
        result = call_expire(call_id=call_id)
        if result is not None:
            results.append(result)
    return results


def _agent_busy(user_id: int, *, other_than: int | None = None) -> bool:
    live = Call.objects.filter(agent_id=user_id, status__in=LIVE)
    if other_than is not None:
        live = live.exclude(pk=other_than)
    return live.exists()


def call_invite(*, actor: Actor, conversation_id: Any, media: object, channel: str) -> CallResult:
    """Ring the other side of a conversation: an agent calls the shopper, or a shopper asks
    for a call (it rings the staff watching the conversation and its assignee).

    Refused with ``CallBusy`` while the conversation has a live call, or while the calling
    agent is in one. A shopper whose assigned agent is in another call gets a polite ``busy``
    answer and the attempt is kept as a missed call (reason ``busy``).
    """
    media = check_media(media)
    calls_conf = conf()
    _expire_stale(Q(conversation_id=as_pk(conversation_id)))
    if actor.user is not None:
        _expire_stale(Q(agent_id=actor.user.pk))
    with transaction.atomic():
        conversation = access_conversation(
            actor=actor, conversation_id=conversation_id, for_update=True
        )
        kind = events.channel_kind(conversation)
        if kind != "web":
            # The shopper of an email or WhatsApp conversation has no socket to ring.
            raise BadRequest(
                f"Calls are made in the web chat; this conversation is in {kind}.",
                fields={"conversation": ["Not a web chat."]},
            )
        if Call.objects.filter(conversation=conversation, status__in=LIVE).exists():
            # Said in the shopper's language to a shopper (the workspace words its own).
            language = shopper_locale(conversation) if actor.visitor is not None else None
            with translation.override(language, deactivate=True):
                detail = _("A call is already under way in this conversation.")
            raise CallBusy(
                detail,
                reason="conversation_busy",
                conversation=conversation.pk,
            )
        side = side_of(actor)
        if actor.user is not None and _agent_busy(actor.user.pk):
            raise CallBusy(
                _("You are already in a call."), reason="self_busy", conversation=conversation.pk
            )
        call = Call(conversation=conversation, media=media, caller=side)
        if actor.user is not None:
            call.agent = actor.user
            call.agent_channel = channel
        else:
            call.visitor_channel = channel
        assignee_busy = (
            actor.user is None
            and conversation.assignee_id is not None
            and _agent_busy(conversation.assignee_id)
        )
        if assignee_busy:
            with translation.override(shopper_locale(conversation)):
                detail = _("Your agent is on another call. Please try again in a few minutes.")
            call.status = Call.Status.ENDED
            call.end_reason = Call.EndReason.BUSY
            call.save()
            call.ended_at = call.started_at
            call.save(update_fields=["ended_at"])
            call_timeline(call, conversation)
            return CallResult(
                call=call,
                reply={
                    "type": BUSY,
                    "conversation": conversation.pk,
                    "reason": "agent_busy",
                    "detail": detail,
                    "call": call_payload(call),
                },
            )
        call.save()
        payload = call_payload(call)
        ring = {"type": RING, "call": payload}
        if actor.user is not None:
            events.publish([events.group_conversation_shopper(conversation.pk)], ring)
        else:
            groups = [events.group_conversation(conversation.pk)]
            if conversation.assignee_id:
                groups.append(events.group_agent(conversation.assignee_id))
            events.publish(groups, ring)
    return CallResult(
        call=call,
        reply={
            "type": INVITED,
            "call": payload,
            "ice_servers": ice_servers(user=ice_user(actor)),
            "ice_transport_policy": ice_policy(),
            "ring_seconds": calls_conf["RING_SECONDS"],
        },
    )


def _load(*, actor: Actor, call_id: object) -> tuple[Conversation, Call]:
    """The call and its conversation, both rows locked (conversation first), if ``actor``
    may see the conversation; ``NotFound`` otherwise, exactly as for a call that does not
    exist."""
    pk = check_id(call_id)
    conversation_id = Call.objects.filter(pk=pk).values_list("conversation_id", flat=True).first()
    if conversation_id is None:
        raise NotFound("Call not found.")
    try:
        conversation = access_conversation(
            actor=actor, conversation_id=conversation_id, for_update=True
        )
    except NotFound:
        raise NotFound("Call not found.") from None
    call = Call.objects.select_for_update(of=("self",)).select_related("agent").get(pk=pk)
    return conversation, call


def call_accept(*, actor: Actor, call_id: object, channel: str) -> CallResult:
    """The callee answers from ``channel``: the call is active and that socket now carries
    the callee's signalling. The caller hears ``call.accepted`` (the agent's side then makes
    the WebRTC offer); the callee's other sockets hear it too and stop ringing."""
    with transaction.atomic():
        conversation, call = _load(actor=actor, call_id=call_id)
        side = side_of(actor)
        if side == call.caller or not is_party(call, actor):
            raise NotFound("Call not found.")
        if call.status != Call.Status.RINGING:
            raise BadRequest("The call is no longer ringing.", fields={"call": ["Not ringing."]})
        if actor.user is not None:
            if _agent_busy(actor.user.pk, other_than=call.pk):
                raise CallBusy(
                    _("Finish your current call first."),
                    reason="self_busy",
                    conversation=conversation.pk,
                )
            call.agent = actor.user
            call.agent_channel = channel
        else:
            call.visitor_channel = channel
        call.status = Call.Status.ACTIVE
        call.answered_at = timezone.now()
        call.answered_by = events.sender_name(actor)[:150]
        call.save()
        payload = call_payload(call)
        frame = {"type": ACCEPTED, "call": payload}
        events.publish(_side_groups(call, side), frame, origin=channel)
        direct = [(party_channel(call, call.caller), frame)]
    return CallResult(
        call=call,
        reply={
            **frame,
            "ice_servers": ice_servers(user=ice_user(actor)),
            "ice_transport_policy": ice_policy(),
        },
        direct=direct,
    )


def _side_groups(call: Call, side: str) -> list[str]:
    """Every socket of one side of the call's conversation."""
    if side == Call.Caller.VISITOR:
        return [events.group_conversation_shopper(call.conversation_id)]
    groups = [events.group_conversation(call.conversation_id)]
    if call.agent_id:
        groups.append(events.group_agent(call.agent_id))
    return groups


def call_decline(*, actor: Actor, call_id: object, channel: str) -> CallResult:
    """The callee turns a ringing call down."""
    with transaction.atomic():
        conversation, call = _load(actor=actor, call_id=call_id)
        if side_of(actor) == call.caller or not is_party(call, actor):
            raise NotFound("Call not found.")
        if call.status != Call.Status.RINGING:
            raise BadRequest("The call is no longer ringing.", fields={"call": ["Not ringing."]})
        return _end(call, conversation, Call.EndReason.DECLINED, origin=channel)


def call_hangup(*, actor: Actor, call_id: object, channel: str) -> CallResult:
    """Either party ends the call; the caller hanging up a ringing call cancels it."""
    with transaction.atomic():
        conversation, call = _load(actor=actor, call_id=call_id)
        if not is_party(call, actor):
            raise NotFound("Call not found.")
        if call.status == Call.Status.ENDED:
            return CallResult(call=call, reply={"type": ENDED, "call": call_payload(call)})
        if call.status == Call.Status.RINGING:
            reason = (
                Call.EndReason.CANCELLED
                if side_of(actor) == call.caller
                else Call.EndReason.DECLINED
            )
        else:
            reason = Call.EndReason.HANGUP
        return _end(call, conversation, reason, origin=channel)


def call_expire(*, call_id: int) -> CallResult | None:
    """The ring ran out (``RING_SECONDS``): a missed call. None if it was answered or ended
    meanwhile, or rang for less than that (a timer that fired early changes nothing)."""
    with transaction.atomic():
        conversation_id = (
            Call.objects.filter(pk=call_id).values_list("conversation_id", flat=True).first()
        )
        if conversation_id is None:
            return None
        conversation = _lock_conversation(conversation_id)
        call = Call.objects.select_for_update(of=("self",)).select_related("agent").get(pk=call_id)
        due = call.started_at + dt.timedelta(seconds=conf()["RING_SECONDS"])
        if call.status != Call.Status.RINGING or timezone.now() < due:
            return None
        return _end(call, conversation, Call.EndReason.TIMEOUT)


def _lock_conversation(pk: int) -> Conversation:
    """The desk itself acting (a ring's timer, a dropped socket): lock the conversation's
    row, as the access function does for staff, and load it."""
    row_lock(LOCK_SQL["staff"], [pk])
    return conversation_locked_load(pk)


def calls_drop_channel(*, channel: str) -> list[CallResult]:
    """A socket closed: the live calls it carried end (a ring it made is cancelled, an
    answered call is cut off)."""
    results = []
    live = Call.objects.filter(
        Q(agent_channel=channel) | Q(visitor_channel=channel), status__in=LIVE
    ).values_list("pk", flat=True)
    for call_id in list(live):
        with transaction.atomic():
            conversation_id = (
                Call.objects.filter(pk=call_id).values_list("conversation_id", flat=True).first()
            )
            if conversation_id is None:
                continue
            conversation = _lock_conversation(conversation_id)
            call = (
                Call.objects.select_for_update(of=("self",)).select_related("agent").get(pk=call_id)
            )
            if call.status == Call.Status.ENDED:
                continue
            reason = (
                Call.EndReason.CANCELLED
                if call.status == Call.Status.RINGING
                else Call.EndReason.DISCONNECTED
            )
            results.append(_end(call, conversation, reason))
    return results


def _end(
    call: Call, conversation: Conversation, reason: str, *, origin: str | None = None
) -> CallResult:
    """End a live call (rows locked by the caller): store why, write the timeline line, tell
    every socket of both sides after commit (``origin``, the socket that ended it, gets the
    frame as its reply instead). The bound sockets are in those groups: the agent's in its
    own, the shopper's in the conversation's (it rang there, or joined it to call)."""
    call.status = Call.Status.ENDED
    call.ended_at = timezone.now()
    call.end_reason = reason
    call.save(update_fields=["status", "ended_at", "end_reason"])
    call_timeline(call, conversation)
    payload = call_payload(call)
    frame = {"type": ENDED, "call": payload}
    groups = _side_groups(call, Call.Caller.AGENT) + _side_groups(call, Call.Caller.VISITOR)
    events.publish(groups, frame, origin=origin)
    return CallResult(call=call, reply=frame)
