"""Offers, answers and ICE candidates: their shape and size, and the one socket each may
be relayed to (only between the two sockets bound to a live call)."""

from __future__ import annotations

import re
from typing import Any

from django.utils import timezone

from helpdesk.errors import BadRequest, NotFound

from ..access import Actor, access_conversation
from ..models import Call
from .common import check_id, conf, is_party, party_channel, side_of


def check_sdp(sdp: object) -> str:
    """An offer's or answer's session description: text within ``MAX_SDP_CHARS`` that is
    one (``v=0`` first)."""
    limit = conf()["MAX_SDP_CHARS"]
    if not isinstance(sdp, str) or not sdp.startswith("v=0"):
        raise BadRequest("sdp must be a session description.", fields={"sdp": ["Invalid."]})
    if len(sdp) > limit:
        raise BadRequest(
            f"sdp is longer than {limit} characters.", fields={"sdp": [f"At most {limit}."]}
        )
    return sdp


def check_candidate(candidate: object) -> dict[str, Any]:
    """An ICE candidate as ``RTCIceCandidate.toJSON()`` gives it; only its four fields pass
    (an empty ``candidate`` is the end-of-candidates marker)."""
    limit = conf()["MAX_CANDIDATE_CHARS"]
    bad = BadRequest("candidate must be an ICE candidate.", fields={"candidate": ["Invalid."]})
    if not isinstance(candidate, dict):
        raise bad
    line = candidate.get("candidate")
    mid = candidate.get("sdpMid")
    index = candidate.get("sdpMLineIndex")
    fragment = candidate.get("usernameFragment")
    if not isinstance(line, str) or (line and not line.startswith("candidate:")):
        raise bad
    if len(line) > limit:
        raise BadRequest(
            f"candidate is longer than {limit} characters.",
            fields={"candidate": [f"At most {limit}."]},
        )
    if mid is not None and (not isinstance(mid, str) or len(mid) > 64):
        raise bad
    if index is not None and (
        not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < 256
    ):
        raise bad
    if fragment is not None and (not isinstance(fragment, str) or len(fragment) > 256):
        raise bad
    return {"candidate": line, "sdpMid": mid, "sdpMLineIndex": index, "usernameFragment": fragment}


_VIDEO_SECTION = re.compile(r"^m=video (\d+) ", re.M)


def sdp_has_video(sdp: str) -> bool:
    """Whether a session description carries video: an ``m=video`` section that is not
    switched off (port 0) or ``inactive``. A voice call's first offer has none (its tracks
    are audio only, static/shared/rtc.js); the camera turned on adds one."""
    sections = re.split(r"^(?=m=)", sdp, flags=re.M)
    for section in sections:
        match = _VIDEO_SECTION.match(section)
        if match and match.group(1) != "0" and "a=inactive" not in section:
            return True
    return False


def call_signal_peer(
    *, actor: Actor, call_id: object, channel: str, kind: str, sdp: str = ""
) -> str:
    """The channel to relay ``kind`` (``call.offer`` / ``call.answer`` / ``call.candidate``)
    to, if ``channel`` is this side's socket of this live call. A socket that is not (a
    stranger, another tab, another agent) gets ``not_found``; a call not yet answered or
    ended, ``bad_request``. Either side may offer (a renegotiation) or answer.

    A voice call whose offer or answer (``sdp``) carries video has turned video: the row
    says so once (``media`` video, ``upgraded_at``), so the timeline and the reports count
    it as what it became."""
    pk = check_id(call_id)
    call = Call.objects.filter(pk=pk).first()
    if call is None:
        raise NotFound("Call not found.")
    try:
        access_conversation(actor=actor, conversation_id=call.conversation_id)
    except NotFound:
        raise NotFound("Call not found.") from None
    side = side_of(actor)
    if not channel or party_channel(call, side) != channel or not is_party(call, actor):
        raise NotFound("Call not found.")
    if call.status != Call.Status.ACTIVE:
        raise BadRequest("The call is not connected.", fields={"call": ["Not active."]})
    # The agent's side makes the first offer; later either side may offer again (a voice
    # call's camera turned on) and the other answers: both are relayed between the two bound
    # sockets, the order is the browsers' (static/shared/rtc.js).
    if sdp and call.media == Call.Media.AUDIO and sdp_has_video(sdp):
        Call.objects.filter(pk=call.pk, media=Call.Media.AUDIO).update(
            media=Call.Media.VIDEO, upgraded_at=timezone.now()
        )
    other = Call.Caller.VISITOR if side == Call.Caller.AGENT else Call.Caller.AGENT
    return party_channel(call, other)
