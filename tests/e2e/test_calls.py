"""A video call between the workspace and the widget in two real Chromium pages with fake
camera and microphone (docs/calls.md): the agent calls, the shopper accepts, both sides
connect and media flows (getStats bytes grow), hang-up ends it on both, the timeline shows it,
and nothing breaks the pages' Content-Security-Policy (the ``media_browser`` fixture fails
the test on any violation)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from chat.models import Call, Conversation
from tests.e2e.support import (
    desk_login,
    desk_view,
    grows,
    off_loop,
    pane,
    row,
    shopper_open,
    widget_send,
)
from tests.factories import make_agent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = "/tmp"


def _conversation_open(
    browser: Any, people: list[Any], base: str, text: str
) -> tuple[Any, Any, Conversation]:
    """Ana on the desk's "all" view, a shopper who wrote ``text``, and the conversation, which
    Ana has just opened: (agent page, shopper page, conversation)."""
    off_loop(make_agent, "ana", name="Ana")
    agent = desk_login(browser, people, base, "ana")
    desk_view(agent, "all")
    shopper = shopper_open(browser, people, base)
    widget_send(shopper, text)
    conversation = off_loop(lambda: Conversation.objects.get())
    row(agent, conversation.pk).click()
    return agent, shopper, conversation


def test_agent_video_calls_the_shopper_media_flows_and_hangup_ends_both(
    live_daphne: str, media_browser: Any, people: list[Any]
) -> None:
    agent, shopper, conversation = _conversation_open(
        media_browser, people, live_daphne, "Could you show me the fabric on camera?"
    )
    box = pane(agent, conversation.pk)
    expect(box.locator(".dk-msg-visitor .dk-msg-body")).to_have_count(1)

    box.locator('[data-testid="dk-call-video"]').click()
    desk_call = agent.locator('[data-testid="dk-call"]')
    expect(desk_call).to_have_attribute("data-state", "calling")

    # The widget rings; the shopper accepts.
    widget_call = shopper.locator('[data-testid="hd-call"]')
    expect(widget_call).to_have_attribute("data-state", "ringing")
    expect(shopper.locator('[data-testid="hd-call-status"]')).to_contain_text("Ana")
    shopper.locator('[data-testid="hd-call-accept"]').click()

    expect(desk_call).to_have_attribute("data-state", "connected", timeout=20_000)
    expect(widget_call).to_have_attribute("data-state", "connected", timeout=20_000)
    grows(agent, '[data-testid="dk-call"]')
    grows(shopper, '[data-testid="hd-call"]')
    # Video both ways: the fake camera's frames reach the other side.
    agent.wait_for_function(
        "() => document.querySelector('[data-testid=dk-call-remote]')?.videoWidth > 0",
        timeout=20_000,
    )
    shopper.wait_for_function(
        "() => document.querySelector('#helpdesk-widget').shadowRoot"
        ".querySelector('[data-testid=hd-call-remote]')?.videoWidth > 0",
        timeout=20_000,
    )
    expect(agent.locator('[data-testid="dk-call-timer"]')).not_to_have_text("0:00", timeout=5000)
    agent.locator('[data-testid="dk-call-mute"]').click()
    expect(agent.locator('[data-testid="dk-call-mute"]')).to_have_attribute("aria-pressed", "true")
    shopper.locator('[data-testid="hd-call-camera"]').click()
    expect(shopper.locator('[data-testid="hd-call-camera"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    agent.screenshot(path=f"{SHOTS}/call_desk.png")
    shopper.screenshot(path=f"{SHOTS}/call_widget.png")

    agent.locator('[data-testid="dk-call-hangup"]').click()
    expect(desk_call).to_have_attribute("data-state", "ended")
    expect(widget_call).to_have_attribute("data-state", "ended")
    expect(shopper.locator('[data-testid="hd-panel"]')).to_have_attribute("data-call", "ended")

    # The timeline shows the call on both sides.
    line = re.compile(r"Video call answered by .+, 0:0\d")
    expect(box.locator(".dk-msg-call .dk-msg-body")).to_have_text(line)
    expect(
        shopper.locator('[data-testid="hd-message"][data-sender="system"]', has_text="Video call")
    ).to_have_text(line)
    call = off_loop(lambda: Call.objects.get())
    assert call.status == "ended" and call.end_reason == "hangup" and call.media == "video"
    assert call.answered_at is not None and (call.duration_seconds or 0) >= 2
    assert agent.js_errors == [] and shopper.js_errors == []  # type: ignore[attr-defined]


def test_shopper_asks_for_a_voice_call_the_agent_answers_and_the_shopper_hangs_up(
    live_daphne: str, media_browser: Any, people: list[Any]
) -> None:
    agent, shopper, conversation = _conversation_open(
        media_browser, people, live_daphne, "Can we talk it through?"
    )
    expect(pane(agent, conversation.pk).locator(".dk-msg-visitor")).to_have_count(1)

    shopper.locator('[data-testid="hd-tool-call-audio"]').click()
    widget_call = shopper.locator('[data-testid="hd-call"]')
    expect(widget_call).to_have_attribute("data-state", "calling")
    desk_call = agent.locator('[data-testid="dk-call"]')
    expect(desk_call).to_have_attribute("data-state", "ringing")
    expect(agent.locator('[data-testid="dk-call-status"]')).to_contain_text("calling (voice)")
    agent.locator('[data-testid="dk-call-accept"]').click()
    expect(desk_call).to_have_attribute("data-state", "connected", timeout=20_000)
    expect(widget_call).to_have_attribute("data-state", "connected", timeout=20_000)
    grows(agent, '[data-testid="dk-call"]')
    grows(shopper, '[data-testid="hd-call"]')
    # A voice call: no video area; the camera button offers to turn it on.
    expect(shopper.locator('[data-testid="hd-call-camera"]')).to_have_text("Turn camera on")
    expect(shopper.locator('[data-testid="hd-call-local"]')).to_be_hidden()

    shopper.locator('[data-testid="hd-call-hangup"]').click()
    expect(widget_call).to_have_attribute("data-state", "ended")
    expect(desk_call).to_have_attribute("data-state", "ended")
    expect(pane(agent, conversation.pk).locator(".dk-msg-call .dk-msg-body")).to_have_text(
        re.compile(r"Voice call answered by Ana, 0:0\d")
    )
    call = off_loop(lambda: Call.objects.get())
    assert call.caller == "visitor" and call.media == "audio" and call.answered_by == "Ana"
    assert agent.js_errors == [] and shopper.js_errors == []  # type: ignore[attr-defined]


def test_a_voice_call_turns_video_on_both_ways_with_new_offers(
    live_daphne: str, media_browser: Any, people: list[Any]
) -> None:
    """Voice → video mid-call: the agent turns the camera on (the agent's side offers again,
    the shopper's answers), then the shopper does (the shopper's side offers, the agent's
    answers); the other side's video arrives each time, the audio never stops."""
    agent, shopper, conversation = _conversation_open(
        media_browser, people, live_daphne, "Can you hear me?"
    )
    box = pane(agent, conversation.pk)
    expect(box.locator(".dk-msg-visitor")).to_have_count(1)
    # Count the offers each page makes (the frames go through the page's socket).
    count_offers = """() => {
      const send = WebSocket.prototype.send;
      window.__offers = 0;
      WebSocket.prototype.send = function (data) {
        if (typeof data === "string" && data.includes('"call.offer"')) window.__offers += 1;
        return send.call(this, data);
      };
    }"""
    agent.evaluate(count_offers)
    shopper.evaluate(count_offers)

    box.locator('[data-testid="dk-call-audio"]').click()
    desk_call = agent.locator('[data-testid="dk-call"]')
    widget_call = shopper.locator('[data-testid="hd-call"]')
    expect(widget_call).to_have_attribute("data-state", "ringing")
    shopper.locator('[data-testid="hd-call-accept"]').click()
    expect(desk_call).to_have_attribute("data-state", "connected", timeout=20_000)
    expect(widget_call).to_have_attribute("data-state", "connected", timeout=20_000)
    expect(agent.locator('[data-testid="dk-call-local"]')).to_be_hidden()
    remote_video = (
        "() => document.querySelector('#helpdesk-widget').shadowRoot"
        ".querySelector('[data-testid=hd-call-remote]')?.videoWidth > 0"
    )
    assert shopper.evaluate(remote_video) is False
    assert agent.evaluate("() => window.__offers") == 1

    # The agent turns the camera on: a second offer from the agent's side.
    camera = agent.locator('[data-testid="dk-call-camera"]')
    expect(camera).to_have_text("Camera on")
    camera.click()
    expect(camera).to_have_text("Camera off")
    expect(agent.locator('[data-testid="dk-call-local"]')).to_be_visible()
    shopper.wait_for_function(remote_video, timeout=20_000)
    expect(widget_call).to_have_attribute("data-remote-video", "1")
    assert agent.evaluate("() => window.__offers") == 2
    assert shopper.evaluate("() => window.__offers") == 0

    # The shopper turns theirs on: this time the shopper's side offers.
    shopper.locator('[data-testid="hd-call-camera"]').click()
    expect(shopper.locator('[data-testid="hd-call-camera"]')).to_have_text("Turn camera off")
    agent.wait_for_function(
        "() => document.querySelector('[data-testid=dk-call-remote]')?.videoWidth > 0",
        timeout=20_000,
    )
    assert shopper.evaluate("() => window.__offers") == 1
    # Still one call, still connected, media still flowing both ways.
    expect(desk_call).to_have_attribute("data-state", "connected")
    grows(agent, '[data-testid="dk-call"]')
    grows(shopper, '[data-testid="hd-call"]')
    # Camera off again switches the track off, no new offer.
    camera.click()
    expect(camera).to_have_attribute("aria-pressed", "true")
    assert agent.evaluate("() => window.__offers") == 2

    agent.locator('[data-testid="dk-call-hangup"]').click()
    expect(widget_call).to_have_attribute("data-state", "ended")
    call = off_loop(lambda: Call.objects.get())
    # A voice call turned video is recorded as what it became (0ada252), once, with its moment.
    assert call.media == "video" and call.upgraded_at is not None
    assert call.end_reason == "hangup"
    assert agent.js_errors == [] and shopper.js_errors == []  # type: ignore[attr-defined]
