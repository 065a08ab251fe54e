"""Type sniffing and container parsing, on bytes built here."""

from __future__ import annotations

import io
import zipfile

import pytest

from chat.attachments import avmeta
from chat.attachments.sniff import sniff
from tests.chat.attachments import samples


def kind_of(data: bytes) -> tuple[str, str]:
    result = sniff(io.BytesIO(data))
    return result.content_type, result.kind


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (samples.png(), ("image/png", "image")),
        (samples.jpeg_with_gps(), ("image/jpeg", "image")),
        (samples.wav(1), ("audio/wav", "audio")),
        (samples.mp4(3, video=True), ("video/mp4", "video")),
        (samples.mp4(3, video=False), ("audio/mp4", "audio")),
        (samples.webm(1, video=False), ("audio/webm", "audio")),
        (samples.webm(1, video=True), ("video/webm", "video")),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", ("application/pdf", "file")),
        (b"Order 1234: two shirts, size M.\n", ("text/plain", "file")),
        ("订单 1234：两件衬衫".encode(), ("text/plain", "file")),
    ],
)
def test_recognises_what_the_desk_accepts(data: bytes, expected: tuple[str, str]) -> None:
    assert kind_of(data) == expected


def test_executable_renamed_jpg_is_an_executable() -> None:
    assert kind_of(samples.exe_as_jpg())[0] == "application/x-msdownload"
    assert kind_of(b"\x7fELF\x02\x01\x01" + b"\x00" * 64)[0] == "application/x-executable"
    assert kind_of(b"#!/bin/sh\nrm -rf /\n")[0] == "text/x-script"


def test_markup_is_named_markup() -> None:
    assert kind_of(samples.svg_with_script())[0] == "image/svg+xml"
    assert kind_of(b"\xef\xbb\xbf  <!DOCTYPE html><p>hi")[0] == "text/html"
    assert kind_of(b"hello <script>alert(1)</script>")[0] == "text/html"


def test_gif_javascript_polyglot_sniffs_as_gif_but_is_not_an_image() -> None:
    # The magic says GIF; the image decoder (tests in test_upload) then refuses it.
    assert kind_of(samples.gif_js_polyglot()) == ("image/gif", "image")


def test_office_documents_are_told_from_plain_zip() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert kind_of(out.getvalue())[0].endswith("wordprocessingml.document")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hi")
    assert kind_of(out.getvalue())[0] == "application/zip"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Main-Class: X")
    assert kind_of(out.getvalue())[0] == "application/java-archive"


def test_binary_garbage_and_empty_are_octet_stream() -> None:
    assert kind_of(b"")[0] == "application/octet-stream"
    assert kind_of(bytes(range(256)) * 4)[0] == "application/octet-stream"


def test_durations() -> None:
    assert avmeta.duration_of(io.BytesIO(samples.wav(2.5)), "audio/wav") == pytest.approx(2.5)
    assert avmeta.duration_of(io.BytesIO(samples.mp4(7.25, video=True)), "video/mp4") == (
        pytest.approx(7.25)
    )
    # MediaRecorder WebM has no Duration element: counted from the block timecodes.
    counted = avmeta.duration_of(io.BytesIO(samples.webm(65, video=False)), "audio/webm")
    assert counted == pytest.approx(65, abs=0.05)
    declared = avmeta.duration_of(
        io.BytesIO(samples.webm(3, video=False, declare_duration=True)), "audio/webm"
    )
    assert declared == pytest.approx(3, abs=0.05)


def test_parsers_survive_garbage() -> None:
    junk = b"\x1a\x45\xdf\xa3" + b"\xff" * 300
    assert avmeta.matroska_info(io.BytesIO(junk))[1] is None
    assert avmeta.mp4_info(io.BytesIO(b"\x00\x00\x00\x10ftypisom" + b"\xff" * 50)) == (False, None)
    assert avmeta.wav_duration(io.BytesIO(b"RIFF\x00\x00\x00\x00WAVE")) is None
    assert avmeta.duration_of(io.BytesIO(b"ID3" + b"\x00" * 50), "audio/mpeg") is None
