"""Rich media in real browsers: the shopper pastes an image that the agent sees as a
thumbnail; the agent attaches a PDF that the shopper downloads. Real Daphne, PostgreSQL and
Redis; the widget fetches attachments with its visitor token, the desk with its session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from chat.models import Attachment, Message
from tests.e2e.support import desk_login, pane, row, shopper_open
from tests.factories import make_agent

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

PASTE_IMAGE = """async () => {
  const canvas = document.createElement('canvas');
  canvas.width = 120; canvas.height = 80;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#d33'; ctx.fillRect(0, 0, 120, 80);
  ctx.fillStyle = '#3d3'; ctx.fillRect(30, 20, 60, 40);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
  const data = new DataTransfer();
  data.items.add(new File([blob], 'image.png', { type: 'image/png' }));
  const input = document.querySelector('#helpdesk-widget').shadowRoot
    .querySelector('[data-testid="hd-input"]');
  input.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
}"""


def test_shopper_pastes_an_image_and_agent_sends_a_pdf(
    live_daphne: str,
    browser: Any,
    pages: list[Any],
    tmp_path: Path,
) -> None:
    make_agent("mia")
    shopper = shopper_open(browser, pages, live_daphne)
    shopper.evaluate(PASTE_IMAGE)
    own = shopper.locator(
        '[data-testid="hd-message"][data-sender="visitor"][data-kind="image"]:not([data-seq=""])'
    )
    expect(own).to_have_count(1)
    expect(own.locator('[data-testid="hd-media-image"][data-loaded="1"]')).to_be_visible()
    message = Message.objects.get(kind="image")
    attachment = Attachment.objects.get(message=message)
    assert (attachment.width, attachment.height) == (120, 80)
    conversation_id = message.conversation_id

    agent = desk_login(browser, pages, live_daphne, "mia")
    row(agent, conversation_id).click()
    thumb = pane(agent, conversation_id).locator(
        '.dk-msg[data-kind="image"] img[data-testid="media-image"]'
    )
    expect(thumb).to_be_visible()
    agent.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
    )
    assert thumb.evaluate("(img) => img.naturalWidth") == 120
    # The full-size link opens the image (same origin, the agent's session).
    link = pane(agent, conversation_id).locator(".dkm-image-link")
    with agent.context.expect_page() as opened:
        link.click()
    full = opened.value
    full.wait_for_load_state()
    assert full.evaluate("document.images.length && document.images[0].naturalWidth") == 120
    full.close()

    # The agent attaches a PDF through the composer's file input.
    pane(agent, conversation_id).locator('input[data-testid="media-input"]').set_input_files(
        {"name": "manual.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    sent = pane(agent, conversation_id).locator(
        '.dk-msg:not(.dk-pending)[data-kind="file"] [data-testid="media-file"]'
    )
    expect(sent).to_contain_text("manual.pdf")

    # The shopper sees it live and downloads it (fetched with the visitor token).
    file_link = shopper.locator(
        '[data-testid="hd-message"][data-sender="agent"][data-kind="file"] [data-testid="hd-media-file"]'
    )
    expect(file_link).to_contain_text("manual.pdf")
    with shopper.expect_download() as download_info:
        file_link.click()
    download = download_info.value
    assert download.suggested_filename == "manual.pdf"
    target = tmp_path / "manual.pdf"
    download.save_as(target)
    assert target.read_bytes() == PDF
    people = Message.objects.filter(
        conversation_id=conversation_id, sender_kind__in=["visitor", "agent"]
    )
    assert sorted(people.values_list("kind", flat=True)) == ["file", "image"]
    assert not getattr(shopper, "js_errors", []) and not getattr(agent, "js_errors", [])


def test_widget_refuses_an_oversize_file_before_uploading(
    live_daphne: str,
    browser: Any,
    pages: list[Any],
) -> None:
    from chat.attachments.selectors import limits_get

    limits = limits_get()
    limits.file_max_mb = 1
    limits.save()
    shopper = shopper_open(browser, pages, live_daphne)
    requests: list[str] = []
    shopper.on(
        "request",
        lambda r: (
            requests.append(r.url) if "/api/v1/uploads" in r.url and r.method == "POST" else None
        ),
    )
    shopper.click('[data-testid="hd-tool-attach"]')
    shopper.locator('[data-testid="hd-media-input"]').set_input_files(
        {
            "name": "big.pdf",
            "mimeType": "application/pdf",
            "buffer": b"%PDF-1.4\n" + b"0" * (1100 * 1024),
        }
    )
    expect(shopper.locator('[data-testid="hd-notice"]')).to_contain_text("big.pdf")
    assert requests == [] and Attachment.objects.count() == 0


@pytest.fixture
def media_browser(browser: Any) -> Iterator[Any]:
    """A second Chromium (same Playwright) with a fake microphone and camera and no permission
    prompt, for MediaRecorder."""
    import os

    media = browser.browser_type.launch(
        executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )
    try:
        yield media
    finally:
        media.close()


def test_shopper_records_a_voice_clip_that_the_agent_can_play(
    live_daphne: str, media_browser: Any, pages: list[Any]
) -> None:
    make_agent("noa")
    shopper = shopper_open(media_browser, pages, live_daphne)
    shopper.context.grant_permissions(["microphone"], origin=live_daphne)
    shopper.click('[data-testid="hd-tool-voice"]')
    expect(shopper.locator('[data-testid="hd-recording"]')).to_be_visible()
    shopper.wait_for_timeout(2500)
    shopper.click('[data-testid="hd-recording"] .hdm-stop')
    own = shopper.locator(
        '[data-testid="hd-message"][data-sender="visitor"][data-kind="audio"]:not([data-seq=""])'
    )
    expect(own).to_have_count(1)
    attachment = Attachment.objects.get(message__kind="audio")
    assert attachment.content_type == "audio/webm" and attachment.name.startswith("voice-")
    # MediaRecorder writes no Duration element: the length is counted from the blocks.
    assert attachment.duration is not None and 1.5 <= attachment.duration <= 4
    own.locator('[data-testid="hd-media-audio"]').click()
    expect(own.locator('audio[data-testid="hd-media-player"]')).to_be_attached()

    agent = desk_login(media_browser, pages, live_daphne, "noa")
    conversation_id = attachment.message.conversation_id
    row(agent, conversation_id).click()
    player = pane(agent, conversation_id).locator('audio[data-testid="media-audio"]')
    expect(player).to_be_attached()
    agent.wait_for_function(
        "(a) => a.readyState >= 1 && a.duration > 0", arg=player.element_handle()
    )


def test_shopper_sends_a_short_video_that_plays_inline(
    live_daphne: str, media_browser: Any, pages: list[Any]
) -> None:
    shopper = shopper_open(media_browser, pages, live_daphne)
    shopper.context.grant_permissions(["microphone", "camera"], origin=live_daphne)
    shopper.click('[data-testid="hd-tool-video"]')
    expect(shopper.locator('[data-testid="hd-recording"] video')).to_be_visible()
    shopper.wait_for_timeout(2000)
    shopper.click('[data-testid="hd-recording"] .hdm-stop')
    own = shopper.locator(
        '[data-testid="hd-message"][data-sender="visitor"][data-kind="video"]:not([data-seq=""])'
    )
    expect(own).to_have_count(1)
    attachment = Attachment.objects.get(message__kind="video")
    assert attachment.content_type == "video/webm" and attachment.duration
    own.locator('[data-testid="hd-media-video"]').click()
    player = own.locator('video[data-testid="hd-media-player"]')
    expect(player).to_be_attached()
    shopper.wait_for_function(
        "(v) => v.readyState >= 1 && v.videoWidth > 0", arg=player.element_handle()
    )
