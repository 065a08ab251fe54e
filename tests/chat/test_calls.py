"""Call signalling over the real sockets (docs/protocol.md, "Calls"): who may ring, answer,
relay and hang up; the limits; busy agents; the ring running out; the call in the timeline."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.urls import reverse

from chat.calls.ice import ice_servers, turn_credential
from chat.models import Call, Conversation, Message, Visitor
from tests.factories import (
    conversation_of,
    make_agent,
    make_email_channel,
    make_visitor,
    visitor_token,
)
from tests.sockets import agent_socket, receive_type, visitor_socket

pytestmark = [pytest.mark.django_db(transaction=True)]

OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
CANDIDATE = {
    "candidate": "candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
    "usernameFragment": "abcd",
}


@pytest.fixture(autouse=True)
def _quiet(settings: Any) -> None:
    settings.HELPDESK = {**settings.HELPDESK, "AUTO_ASSIGN": False}


async def nothing_of(comm: WebsocketCommunicator, kinds: set[str], timeout: float = 0.5) -> None:
    """No frame of ``kinds`` arrives within ``timeout`` (others are skipped)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    # receive_nothing, not a receive that times out: that would cancel the consumer.
    while (left := end - loop.time()) > 0:
        if await comm.receive_nothing(timeout=left, interval=0.02):
            return
        frame = await comm.receive_json_from()
        assert frame["type"] not in kinds, frame


# A socket's disconnect ends its calls through the database: on a box running two test
# workers it can take longer than the communicator's default second.
DISCONNECT_SECONDS = 10


async def close(*comms: WebsocketCommunicator) -> None:
    for comm in comms:
        await comm.disconnect(timeout=DISCONNECT_SECONDS)


def _setup(n_visitors: int = 1) -> tuple[Any, list[tuple[Any, str, Conversation]]]:
    agent = make_agent("ana", name="Ana")
    people = []
    for i in range(n_visitors):
        visitor = make_visitor(name=f"Shopper {i}")
        conversation = conversation_of(visitor, "can you show me the fabric?")
        people.append((visitor, visitor_token(visitor), conversation))
    return agent, people


setup = sync_to_async(_setup)


async def ring(desk: WebsocketCommunicator, shopper: WebsocketCommunicator, conv: int) -> int:
    """The agent calls; the shopper's socket rings; the call's id."""
    await desk.send_json_to(
        {"type": "call.invite", "conversation": conv, "media": "video", "client_id": "k-1"}
    )
    invited = await receive_type(desk, "call.invited")
    assert invited["client_id"] == "k-1" and invited["call"]["status"] == "ringing"
    rang = await receive_type(shopper, "call.ring")
    assert rang["call"]["id"] == invited["call"]["id"] and rang["call"]["media"] == "video"
    assert rang["call"]["agent"]["name"] == "Ana"
    return int(invited["call"]["id"])


async def test_agent_calls_shopper_accepts_signalling_flows_and_hangup_ends_both() -> None:
    agent, [(visitor, token, conversation)] = await setup()
    desk = await agent_socket(agent)
    shopper = await visitor_socket(token)
    other_tab = await visitor_socket(token)
    try:
        call_id = await ring(desk, shopper, conversation.pk)
        await receive_type(other_tab, "call.ring")
        await shopper.send_json_to({"type": "call.accept", "call": call_id})
        mine = await receive_type(shopper, "call.accepted")
        assert mine["call"]["status"] == "active" and mine["ice_servers"] == []
        assert mine["ice_transport_policy"] == "all"
        heard = await receive_type(desk, "call.accepted")
        assert heard["call"]["answered_by"] == "Shopper 0"
        # The shopper's other tab stops ringing.
        assert (await receive_type(other_tab, "call.accepted"))["call"]["id"] == call_id

        await desk.send_json_to({"type": "call.offer", "call": call_id, "sdp": OFFER})
        offer = await receive_type(shopper, "call.offer")
        assert offer == {"type": "call.offer", "call": call_id, "sdp": OFFER}
        await shopper.send_json_to({"type": "call.answer", "call": call_id, "sdp": OFFER})
        assert (await receive_type(desk, "call.answer"))["sdp"] == OFFER
        await desk.send_json_to({"type": "call.candidate", "call": call_id, "candidate": CANDIDATE})
        assert (await receive_type(shopper, "call.candidate"))["candidate"] == CANDIDATE
        await shopper.send_json_to(
            {"type": "call.candidate", "call": call_id, "candidate": {**CANDIDATE, "x": 1}}
        )
        assert (await receive_type(desk, "call.candidate"))["candidate"] == CANDIDATE
        # Relays go to the bound socket only, never to the other tab.
        await nothing_of(other_tab, {"call.offer", "call.candidate"})

        await asyncio.sleep(1.1)
        await shopper.send_json_to({"type": "call.hangup", "call": call_id})
        ended = await receive_type(shopper, "call.ended")
        assert ended["call"]["end_reason"] == "hangup" and ended["call"]["duration"] >= 1
        assert (await receive_type(desk, "call.ended"))["call"]["id"] == call_id
        line = await receive_type(shopper, "message.created")
        assert line["message"]["sender"]["kind"] == "system"
        assert line["message"]["card"]["type"] == "call"
        assert line["message"]["body"].startswith("Video call answered by Shopper 0, 0:0")
    finally:
        await close(desk, shopper, other_tab)
    call = await sync_to_async(Call.objects.get)(pk=call_id)
    assert call.status == "ended" and not call.missed and (call.duration_seconds or 0) >= 1
    assert call.agent_id == agent.pk and call.caller == "agent"


# A voice call's first offer (audio only), and the renegotiation once a camera is on.
AUDIO_SDP = OFFER + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=sendrecv\r\n"
VIDEO_SDP = AUDIO_SDP + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=sendrecv\r\n"


def _report_values() -> dict[str, Any]:
    from django.utils import timezone

    from analytics.selectors import ReportFilter, calls_summary

    today = timezone.now().date()
    return calls_summary(ReportFilter(start=today, end=today, time_zone="UTC", compare=False))[
        "values"
    ]


async def test_a_voice_call_turned_video_counts_as_a_video_call() -> None:
    """The camera turned on mid-call (a renegotiation whose offer carries video): the call
    row, its timeline line and the reports count it as a video call, and once."""
    agent, [(_visitor, token, conversation)] = await setup()
    desk = await agent_socket(agent)
    shopper = await visitor_socket(token)
    try:
        await desk.send_json_to(
            {"type": "call.invite", "conversation": conversation.pk, "media": "audio"}
        )
        call_id = int((await receive_type(desk, "call.invited"))["call"]["id"])
        await receive_type(shopper, "call.ring")
        await shopper.send_json_to({"type": "call.accept", "call": call_id})
        await receive_type(desk, "call.accepted")
        await desk.send_json_to({"type": "call.offer", "call": call_id, "sdp": AUDIO_SDP})
        await receive_type(shopper, "call.offer")
        await shopper.send_json_to({"type": "call.answer", "call": call_id, "sdp": AUDIO_SDP})
        await receive_type(desk, "call.answer")
        call = await sync_to_async(Call.objects.get)(pk=call_id)
        assert (call.media, call.upgraded_at) == ("audio", None)
        # The shopper turns the camera on: a new offer with video.
        await shopper.send_json_to({"type": "call.offer", "call": call_id, "sdp": VIDEO_SDP})
        assert (await receive_type(desk, "call.offer"))["sdp"] == VIDEO_SDP
        await desk.send_json_to({"type": "call.answer", "call": call_id, "sdp": VIDEO_SDP})
        await receive_type(shopper, "call.answer")
        await desk.send_json_to({"type": "call.hangup", "call": call_id})
        ended = await receive_type(desk, "call.ended")
        assert ended["call"]["media"] == "video" and ended["call"]["upgraded_at"]
        line = await receive_type(shopper, "message.created")
        assert line["message"]["body"].startswith("Video call answered by Shopper 0")
    finally:
        await close(desk, shopper)
    call = await sync_to_async(Call.objects.get)(pk=call_id)
    assert call.media == "video" and call.upgraded_at is not None
    assert call.answered_at is not None and call.upgraded_at >= call.answered_at
    values = await sync_to_async(_report_values)()
    assert (values["calls"], values["video_calls"], values["answered"]) == (1, 1, 1)


def test_sdp_with_video_is_told_from_sdp_without() -> None:
    from chat.calls.relay import sdp_has_video

    assert not sdp_has_video(AUDIO_SDP)
    assert sdp_has_video(VIDEO_SDP)
    assert not sdp_has_video(VIDEO_SDP.replace("m=video 9", "m=video 0"))  # rejected
    assert not sdp_has_video(VIDEO_SDP.replace("a=mid:1\r\na=sendrecv", "a=mid:1\r\na=inactive"))


async def test_relay_only_tells_both_browsers_and_relays_no_address_of_theirs(
    settings: Any,
) -> None:
    """``CALL_RELAY_ONLY``: both sides are told ``iceTransportPolicy: "relay"``, and a host or
    server-reflexive candidate (the sender's own address) is never passed on; a relay one is."""
    settings.HELPDESK_CALLS = {**settings.HELPDESK_CALLS, "RELAY_ONLY": True}
    agent, [(_visitor, token, conversation)] = await setup()
    desk = await agent_socket(agent)
    shopper = await visitor_socket(token)
    relay = {
        **CANDIDATE,
        "candidate": "candidate:2 1 udp 41885439 203.0.113.5 50000 typ relay raddr 0.0.0.0 rport 0",
    }
    srflx = {
        **CANDIDATE,
        "candidate": "candidate:3 1 udp 1686052607 198.51.100.7 40000 typ srflx raddr 192.168.1.2 rport 54321",
    }
    try:
        await desk.send_json_to(
            {"type": "call.invite", "conversation": conversation.pk, "media": "audio"}
        )
        invited = await receive_type(desk, "call.invited")
        assert invited["ice_transport_policy"] == "relay"
        call_id = int(invited["call"]["id"])
        await receive_type(shopper, "call.ring")
        await shopper.send_json_to({"type": "call.accept", "call": call_id})
        assert (await receive_type(shopper, "call.accepted"))["ice_transport_policy"] == "relay"
        await receive_type(desk, "call.accepted")
        for leaky in (CANDIDATE, srflx):
            await shopper.send_json_to(
                {"type": "call.candidate", "call": call_id, "candidate": leaky}
            )
        await nothing_of(desk, {"call.candidate"})
        await shopper.send_json_to({"type": "call.candidate", "call": call_id, "candidate": relay})
        assert (await receive_type(desk, "call.candidate"))["candidate"] == relay
        await desk.send_json_to({"type": "call.hangup", "call": call_id})
        await receive_type(desk, "call.ended")
    finally:
        await close(desk, shopper)


async def test_a_strangers_signalling_is_refused_like_a_missing_call() -> None:
    agent, [(_v, token, conversation), (_w, stranger_token, _c)] = await setup(2)
    colleague = await sync_to_async(make_agent)("bo")
    desk = await agent_socket(agent)
    shopper = await visitor_socket(token)
    stranger = await visitor_socket(stranger_token)
    other_desk = await agent_socket(colleague)
    second_tab = await visitor_socket(token)
    try:
        call_id = await ring(desk, shopper, conversation.pk)
        # Someone else's call: exactly as if there were none.
        for kind in ("call.accept", "call.decline", "call.hangup"):
            await stranger.send_json_to({"type": kind, "call": call_id})
            error = await receive_type(stranger, "error")
            assert error["code"] == "not_found", (kind, error)
        await stranger.send_json_to({"type": "call.accept", "call": 10**9})
        assert (await receive_type(stranger, "error"))["code"] == "not_found"
        # Another agent cannot answer or end the colleague's call.
        await other_desk.send_json_to({"type": "call.hangup", "call": call_id})
        assert (await receive_type(other_desk, "error"))["code"] == "not_found"

        await shopper.send_json_to({"type": "call.accept", "call": call_id})
        await receive_type(desk, "call.accepted")
        await receive_type(second_tab, "call.accepted")
        for sock in (stranger, other_desk, second_tab):
            await sock.send_json_to(
                {"type": "call.candidate", "call": call_id, "candidate": CANDIDATE}
            )
            assert (await receive_type(sock, "error"))["code"] == "not_found"
        await stranger.send_json_to({"type": "call.answer", "call": call_id, "sdp": OFFER})
        assert (await receive_type(stranger, "error"))["code"] == "not_found"
        await nothing_of(desk, {"call.offer", "call.answer", "call.candidate", "call.ended"})
        # Mid-call either side may offer again (the shopper turns the camera on in a voice
        # call) and the other answers: relayed between the two bound sockets only.
        await shopper.send_json_to({"type": "call.offer", "call": call_id, "sdp": OFFER})
        assert (await receive_type(desk, "call.offer"))["sdp"] == OFFER
        await desk.send_json_to({"type": "call.answer", "call": call_id, "sdp": OFFER})
        assert (await receive_type(shopper, "call.answer"))["sdp"] == OFFER
        await nothing_of(second_tab, {"call.offer", "call.answer"})
        # The call went on untouched.
        assert await sync_to_async(Call.objects.filter(pk=call_id, status="active").exists)()
    finally:
        await close(desk, shopper, stranger, other_desk, second_tab)


async def test_size_limits_bad_fields_and_rates(settings: Any) -> None:
    settings.HELPDESK_CALLS = {**settings.HELPDESK_CALLS, "MAX_CANDIDATES": 3, "INVITE_LIMIT": 2}
    agent, [(_v, token, conversation)] = await setup()
    desk = await agent_socket(agent)
    shopper = await visitor_socket(token)
    try:
        await desk.send_json_to({"type": "call.invite", "conversation": conversation.pk})
        assert (await receive_type(desk, "error"))["code"] == "bad_request"  # no media
        call_id = await ring(desk, shopper, conversation.pk)
        await shopper.send_json_to({"type": "call.accept", "call": call_id})
        await receive_type(desk, "call.accepted")
        limit = settings.HELPDESK_CALLS["MAX_SDP_CHARS"]
        big = OFFER + "a=x\r\n" * (limit // 5)
        await desk.send_json_to({"type": "call.offer", "call": call_id, "sdp": big})
        error = await receive_type(desk, "error")
        assert error["code"] == "bad_request" and "sdp" in error["detail"]
        # Past the socket's own 64 KiB: refused before it is parsed.
        await desk.send_json_to(
            {"type": "call.offer", "call": call_id, "sdp": "v=0" + "x" * 70_000}
        )
        assert (await receive_type(desk, "error"))["code"] == "too_large"
        for bad in (
            "candidate:1",
            {"candidate": "candidate:1 " + "x" * 2000},
            {"candidate": "a=evil"},
            {"candidate": "candidate:1", "sdpMLineIndex": "0"},
        ):
            await desk.send_json_to({"type": "call.candidate", "call": call_id, "candidate": bad})
            assert (await receive_type(desk, "error"))["code"] == "bad_request", bad
        await desk.send_json_to({"type": "call.offer", "call": "1", "sdp": OFFER})
        assert (await receive_type(desk, "error"))["code"] == "bad_request"
        for _ in range(3):
            await desk.send_json_to(
                {"type": "call.candidate", "call": call_id, "candidate": CANDIDATE}
            )
            await receive_type(shopper, "call.candidate")
        await desk.send_json_to({"type": "call.candidate", "call": call_id, "candidate": CANDIDATE})
        assert (await receive_type(desk, "error"))["code"] == "rate_limited"
        # Rings per socket: the limit counts attempts (two were made above).
        await desk.send_json_to(
            {"type": "call.invite", "conversation": conversation.pk, "media": "audio"}
        )
        assert (await receive_type(desk, "error"))["code"] == "rate_limited"
    finally:
        await close(desk, shopper)


async def test_a_busy_agent_refuses_a_second_call_politely() -> None:
    agent, [(_v, token, conversation), (visitor2, token2, conversation2)] = await setup(2)

    def assign() -> None:
        Conversation.objects.filter(pk=conversation2.pk).update(assignee=agent)

    await sync_to_async(assign)()
    desk = await agent_socket(agent)
    shopper = await visitor_socket(token)
    second = await visitor_socket(token2)
    try:
        call_id = await ring(desk, shopper, conversation.pk)
        await shopper.send_json_to({"type": "call.accept", "call": call_id})
        await receive_type(desk, "call.accepted")
        # The other shopper asks their (busy) agent for a call: a polite "busy", no ring.
        await second.send_json_to(
            {"type": "call.invite", "conversation": conversation2.pk, "media": "audio"}
        )
        busy = await receive_type(second, "call.busy")
        assert busy["reason"] == "agent_busy" and "another call" in busy["detail"]
        assert busy["call"]["missed"] is True and busy["call"]["end_reason"] == "busy"
        await nothing_of(desk, {"call.ring"})
        # The agent cannot start a second call while in one.
        await desk.send_json_to(
            {"type": "call.invite", "conversation": conversation2.pk, "media": "audio"}
        )
        mine = await receive_type(desk, "call.busy")
        assert mine["reason"] == "self_busy"
        # Nor ring the same conversation twice; a shopper hears it in their language.
        await sync_to_async(
            lambda: Visitor.objects.filter(pk=conversation.visitor_id).update(language="zh-hans")
        )()
        await shopper.send_json_to(
            {"type": "call.invite", "conversation": conversation.pk, "media": "audio"}
        )
        twice = await receive_type(shopper, "call.busy")
        assert twice["reason"] == "conversation_busy"
        assert twice["detail"] == "此对话中已有一个通话在进行。"
    finally:
        await close(desk, shopper, second)
    calls = await sync_to_async(lambda: list(Call.objects.order_by("pk")))()
    # The first call ended when its sockets closed.
    assert [(c.status, c.end_reason, c.missed) for c in calls] == [
        ("ended", "disconnected", False),
        ("ended", "busy", True),
    ]


async def test_shopper_asks_agent_answers_and_a_dropped_socket_ends_the_call() -> None:
    agent, [(_v, token, conversation)] = await setup()
    desk = await agent_socket(agent)
    shopper = await visitor_socket(token)
    try:
        await desk.send_json_to({"type": "subscribe", "conversation": conversation.pk})
        await shopper.send_json_to(
            {"type": "call.invite", "conversation": conversation.pk, "media": "audio"}
        )
        invited = await receive_type(shopper, "call.invited")
        call_id = invited["call"]["id"]
        rang = await receive_type(desk, "call.ring")
        assert rang["call"]["caller"] == "visitor" and rang["call"]["agent"] is None
        await desk.send_json_to({"type": "call.accept", "call": call_id})
        accepted = await receive_type(desk, "call.accepted")
        assert accepted["call"]["answered_by"] == "Ana" and "ice_servers" in accepted
        await receive_type(shopper, "call.accepted")
        await shopper.disconnect(timeout=DISCONNECT_SECONDS)
        ended = await receive_type(desk, "call.ended")
        assert ended["call"]["end_reason"] == "disconnected"
    finally:
        await close(desk)


async def test_a_ring_nobody_answers_is_a_missed_call(settings: Any) -> None:
    settings.HELPDESK_CALLS = {**settings.HELPDESK_CALLS, "RING_SECONDS": 1}
    agent, [(_v, token, conversation)] = await setup()
    desk = await agent_socket(agent)
    shopper = await visitor_socket(token)
    try:
        call_id = await ring(desk, shopper, conversation.pk)
        ended = await receive_type(shopper, "call.ended", timeout=5)
        assert ended["call"]["end_reason"] == "timeout" and ended["call"]["missed"] is True
        assert (await receive_type(desk, "call.ended"))["call"]["id"] == call_id
        # Too late to answer.
        await shopper.send_json_to({"type": "call.accept", "call": call_id})
        assert (await receive_type(shopper, "error"))["code"] == "bad_request"
    finally:
        await close(desk, shopper)
    line = await sync_to_async(
        lambda: Message.objects.filter(conversation=conversation, sender_kind="system").last()
    )()
    assert line is not None and line.card is not None
    assert line.body == "Missed video call" and line.card["missed"] is True


async def test_only_web_chats_ring() -> None:
    agent, [(_v, token, conversation)] = await setup()

    def to_email() -> None:
        channel = make_email_channel()
        Conversation.objects.filter(pk=conversation.pk).update(channel=channel)

    await sync_to_async(to_email)()
    desk = await agent_socket(agent)
    try:
        await desk.send_json_to(
            {"type": "call.invite", "conversation": conversation.pk, "media": "audio"}
        )
        error = await receive_type(desk, "error")
        assert error["code"] == "bad_request" and "web chat" in error["detail"]
    finally:
        await close(desk)
    assert not await sync_to_async(Call.objects.exists)()


async def test_declined_and_cancelled() -> None:
    agent, [(_v, token, conversation)] = await setup()
    desk = await agent_socket(agent)
    shopper = await visitor_socket(token)
    try:
        call_id = await ring(desk, shopper, conversation.pk)
        await shopper.send_json_to({"type": "call.decline", "call": call_id})
        assert (await receive_type(desk, "call.ended"))["call"]["end_reason"] == "declined"
        assert (await receive_type(shopper, "call.ended"))["call"]["end_reason"] == "declined"
        call_id = await ring(desk, shopper, conversation.pk)
        await desk.send_json_to({"type": "call.hangup", "call": call_id})
        assert (await receive_type(shopper, "call.ended"))["call"]["end_reason"] == "cancelled"
    finally:
        await close(desk, shopper)


def test_turn_credentials_follow_coturns_rest_scheme(settings: Any) -> None:
    # openssl: printf '1700003600:agent-3' | openssl dgst -sha1 -hmac s3cret -binary | base64
    got = turn_credential(secret="s3cret", user="agent-3", ttl_seconds=3600, now=1_700_000_000)
    assert got == {"username": "1700003600:agent-3", "credential": "qm4ln83ulbQmWVDxyyV1kLXddLk="}
    settings.HELPDESK_CALLS = {
        **settings.HELPDESK_CALLS,
        "STUN_URLS": ["stun:turn.example.com:3478"],
        "TURN_URLS": ["turn:turn.example.com:3478?transport=udp"],
        "TURN_SECRET": "s3cret",
    }
    stun, turn = ice_servers(user="visitor-9")
    assert stun == {"urls": ["stun:turn.example.com:3478"]}
    assert turn["urls"] == ["turn:turn.example.com:3478?transport=udp"]
    assert turn["username"].endswith(":visitor-9") and "s3cret" not in str(turn)
    settings.HELPDESK_CALLS = {**settings.HELPDESK_CALLS, "TURN_SECRET": ""}
    assert ice_servers(user="visitor-9") == [{"urls": ["stun:turn.example.com:3478"]}]


def test_settings_check_refuses_relay_only_without_turn_and_warns_on_half_turn(
    settings: Any,
) -> None:
    from chat.calls.checks import calls_settings_check

    base = {**settings.HELPDESK_CALLS, "TURN_URLS": [], "TURN_SECRET": "", "RELAY_ONLY": False}
    settings.HELPDESK_CALLS = base
    assert calls_settings_check() == []
    settings.HELPDESK_CALLS = {**base, "RELAY_ONLY": True}
    assert [m.id for m in calls_settings_check()] == ["helpdesk.C001"]
    settings.HELPDESK_CALLS = {**base, "RELAY_ONLY": True, "TURN_URLS": ["turn:t.example:3478"]}
    assert [m.id for m in calls_settings_check()] == ["helpdesk.C001", "helpdesk.C002"]
    settings.HELPDESK_CALLS = {
        **base,
        "RELAY_ONLY": True,
        "TURN_URLS": ["turn:t.example:3478"],
        "TURN_SECRET": "s3cret",
    }
    assert calls_settings_check() == []


def test_the_server_refuses_to_start_relay_only_without_turn() -> None:
    """As an operator meets it: ``manage.py check`` (which runserver and the deploy checks
    run) fails and names the missing variables."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "CALL_RELAY_ONLY": "1", "CALL_TURN_URLS": "", "CALL_TURN_SECRET": ""}
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "helpdesk.C001" in done.stderr and "CALL_TURN_URLS" in done.stderr


def test_the_widget_gets_the_call_strings_in_chinese(client: Any) -> None:
    strings = client.get("/api/widget/config?lang=zh-hans").json()["strings"]
    assert strings["calls.accept"] == "接听" and strings["calls.hangup"] == "挂断"
    assert client.get("/api/widget/config?lang=en").json()["strings"]["calls.accept"] == "Accept"
    # The workspace's (the JavaScript catalog, djangojs domain): "挂断" for "Hang up".
    client.force_login(make_agent("zh"))
    catalog = client.get(reverse("javascript-catalog"), headers={"accept-language": "zh-hans"})
    assert '"Hang up": "\\u6302\\u65ad"' in catalog.content.decode()


def test_the_admin_lists_calls_read_only(client: Any) -> None:
    from django.contrib.auth.models import User

    agent, [(_v, _t, conversation)] = _setup()
    call = Call.objects.create(
        conversation=conversation, media="audio", caller="agent", agent=agent
    )
    client.force_login(User.objects.create_superuser("root", "r@example.com", "root-pw-1"))
    listing = client.get("/admin/chat/call/")
    assert (
        listing.status_code == 200
        and f"/admin/chat/call/{call.pk}/change/" in listing.content.decode()
    )
    assert client.get(f"/admin/chat/call/{call.pk}/change/").status_code == 200
    assert client.get("/admin/chat/call/add/").status_code == 403
