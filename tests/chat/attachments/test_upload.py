"""POST /api/v1/uploads: the type comes from the content, limits from the admin, and a refused
upload leaves nothing stored."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from chat.attachments.selectors import limits_get
from chat.models import Attachment
from tests.chat.attachments import samples
from tests.factories import stored_files

pytestmark = pytest.mark.django_db


def assert_refused(response, status: int, code: str, root: Path) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code and body["detail"]
    assert Attachment.objects.count() == 0
    assert stored_files(root) == []


def test_image_upload_is_reencoded_with_thumbnail(shopper, media_root) -> None:
    response = shopper.upload(samples.png(800, 600), name="photo.png", content_type="image/png")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "image" and body["content_type"] == "image/png"
    assert (body["width"], body["height"]) == (800, 600)
    assert body["name"] == "photo.png"
    assert body["thumbnail"]["width"] == 320 and body["thumbnail"]["height"] == 240
    attachment = Attachment.objects.get(public_id=body["id"])
    assert attachment.uploader_visitor == shopper.visitor and attachment.message is None
    assert len(stored_files(media_root)) == 2
    # Storage names are random, never the uploader's name.
    assert "photo" not in attachment.file.name


def test_exif_and_gps_are_removed_and_orientation_applied(shopper) -> None:
    original = samples.jpeg_with_gps(64, 48)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the sample has GPS
    response = shopper.upload(original, name="IMG_0001.JPG")
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get(public_id=response.json()["id"])
    with attachment.file.open("rb") as handle:
        stored = handle.read()
    image = Image.open(io.BytesIO(stored))
    exif = image.getexif()
    assert len(exif) == 0 and not exif.get_ifd(0x8825)
    assert b"Exif" not in stored and b"SpyCam" not in stored
    # Orientation 6 was applied to the pixels: the stored image stands upright (48 x 64).
    assert image.size == (48, 64)
    assert (attachment.width, attachment.height) == (48, 64)


def test_executable_renamed_jpg_is_refused(shopper, media_root) -> None:
    response = shopper.upload(samples.exe_as_jpg(), name="holiday.jpg", content_type="image/jpeg")
    assert_refused(response, 415, "unsupported", media_root)


def test_svg_with_script_is_refused_by_default(shopper, media_root) -> None:
    response = shopper.upload(
        samples.svg_with_script(), name="logo.svg", content_type="image/svg+xml"
    )
    assert_refused(response, 415, "unsupported", media_root)


def test_html_disguised_as_text_is_refused(shopper, media_root) -> None:
    data = b"<html><body><script>fetch('/api/')</script></body></html>"
    response = shopper.upload(data, name="notes.txt", content_type="text/plain")
    assert_refused(response, 415, "unsupported", media_root)


def test_gif_javascript_polyglot_is_refused(shopper, media_root) -> None:
    response = shopper.upload(samples.gif_js_polyglot(), name="a.gif", content_type="image/gif")
    assert_refused(response, 415, "unsupported", media_root)


def test_png_with_appended_html_keeps_only_pixels(shopper) -> None:
    response = shopper.upload(samples.png_with_html_tail(), name="x.png", content_type="image/png")
    assert response.status_code == 201
    attachment = Attachment.objects.get(public_id=response.json()["id"])
    with attachment.file.open("rb") as handle:
        stored = handle.read()
    assert b"<script" not in stored and b"<html" not in stored
    assert Image.open(io.BytesIO(stored)).size == (40, 30)


def test_zero_byte_file_is_refused(shopper, media_root) -> None:
    response = shopper.upload(b"", name="empty.pdf", content_type="application/pdf")
    assert_refused(response, 400, "bad_request", media_root)


def test_truncated_image_is_refused(shopper, media_root) -> None:
    whole = samples.noisy_png(100, 100)
    response = shopper.upload(whole[: len(whole) // 2], name="cut.png", content_type="image/png")
    assert_refused(response, 415, "unsupported", media_root)
    jpeg = samples.jpeg_with_gps(200, 200)
    response = shopper.upload(jpeg[: len(jpeg) - 400], name="cut.jpg")
    assert_refused(response, 415, "unsupported", media_root)


def test_oversize_file_is_refused_with_413(shopper, media_root) -> None:
    limits = limits_get()
    limits.image_max_mb = 1
    limits.save()
    big = samples.noisy_png(700, 700)
    assert len(big) > 1024 * 1024
    response = shopper.upload(big, name="big.png", content_type="image/png")
    assert_refused(response, 413, "too_large", media_root)


def test_body_over_every_limit_is_refused_before_parsing(shopper, media_root) -> None:
    limits = limits_get()
    for field in ("image_max_mb", "audio_max_mb", "video_max_mb", "file_max_mb"):
        setattr(limits, field, 1)
    limits.save()
    response = shopper.upload(b"%PDF-1.4\n" + b"0" * (1200 * 1024), name="big.pdf")
    assert_refused(response, 413, "too_large", media_root)


def test_long_voice_clip_is_refused(shopper, media_root) -> None:
    response = shopper.upload(samples.wav(121), name="voice.wav", content_type="audio/wav")
    assert_refused(response, 413, "too_large", media_root)
    response = shopper.upload(samples.webm(130, video=False), name="voice.webm")
    assert_refused(response, 413, "too_large", media_root)


def test_voice_clip_and_video_are_measured(shopper) -> None:
    response = shopper.upload(
        samples.webm(12, video=False), name="voice.webm", content_type="audio/webm"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "audio" and body["content_type"] == "audio/webm"
    assert body["duration"] == pytest.approx(12, abs=0.1)
    response = shopper.upload(samples.mp4(4, video=True), name="clip.mp4", content_type="video/mp4")
    assert response.json()["kind"] == "video" and response.json()["duration"] == 4


def test_type_allowed_in_admin_can_be_refused_later(shopper, media_root) -> None:
    limits = limits_get()
    limits.allowed_types = "image/png"
    limits.save()
    response = shopper.upload(b"%PDF-1.4\n1 0 obj\n", name="a.pdf", content_type="application/pdf")
    assert_refused(response, 415, "unsupported", media_root)


def test_name_is_cleaned_and_extension_follows_content(shopper) -> None:
    response = shopper.upload(
        b"%PDF-1.4\n1 0 obj\n", name="../../etc/in\x07voice.jpg", content_type="image/jpeg"
    )
    assert response.status_code == 201
    assert response.json()["name"] == "invoice.jpg.pdf"
    assert response.json()["kind"] == "file"


def test_anonymous_upload_is_refused(client, media_root) -> None:
    response = client.post(
        "/api/v1/uploads", {"file": SimpleUploadedFile("a.png", samples.png(), "image/png")}
    )
    assert_refused(response, 401, "unauthorized", media_root)


def test_agent_upload_needs_csrf(agent, media_root) -> None:
    response = agent.client.post(
        "/api/v1/uploads", {"file": SimpleUploadedFile("a.png", samples.png(), "image/png")}
    )
    assert_refused(response, 403, "forbidden", media_root)
    response = agent.upload(b"%PDF-1.4\n1 0 obj\n", name="manual.pdf")
    assert response.status_code == 201
    assert Attachment.objects.get().uploader_user == agent.user


def test_missing_file_field_is_a_bad_request(shopper) -> None:
    response = shopper.client.post("/api/v1/uploads", {"nofile": "x"}, **shopper.headers())
    assert response.status_code == 400 and response.json()["code"] == "bad_request"


def test_limits_endpoint(client) -> None:
    body = client.get("/api/v1/uploads/limits").json()
    assert body["max_bytes"]["image"] == 10 * 1024 * 1024
    assert body["max_bytes"]["video"] == 50 * 1024 * 1024
    assert body["max_bytes"]["file"] == 20 * 1024 * 1024
    assert body["max_seconds"]["audio"] == 120
    assert "image/png" in body["allowed_types"] and "image/svg+xml" not in body["allowed_types"]


def test_pending_uploads_are_capped(shopper, settings) -> None:
    settings.HELPDESK_MEDIA = {**settings.HELPDESK_MEDIA, "PENDING_PER_ACTOR": 2}
    for _ in range(2):
        assert shopper.upload(samples.png(), name="a.png").status_code == 201
    response = shopper.upload(samples.png(), name="a.png")
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"


def test_discard_an_unsent_upload(shopper, media_root, django_capture_on_commit_callbacks) -> None:
    public_id = shopper.upload(samples.png(), name="a.png").json()["id"]
    assert len(stored_files(media_root)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = shopper.client.delete(f"/api/v1/uploads/{public_id}", **shopper.headers())
    assert response.status_code == 204
    assert Attachment.objects.count() == 0
    assert stored_files(media_root) == []


def test_animated_gif_keeps_its_frames(shopper) -> None:
    frames = [Image.new("RGB", (30, 20), color) for color in ("red", "green", "blue")]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    response = shopper.upload(out.getvalue(), name="spin.gif", content_type="image/gif")
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get(public_id=response.json()["id"])
    with attachment.file.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        assert stored.format == "GIF" and stored.n_frames == 3
