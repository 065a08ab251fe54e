"""Media files built in the tests (no binary fixtures): images, WAV, minimal MP4 and WebM."""

from __future__ import annotations

import io
import os
import struct
import wave

from PIL import Image


def png(width: int = 40, height: int = 30, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def noisy_png(width: int, height: int) -> bytes:
    """A PNG that does not compress (random pixels): a big file from few pixels."""
    out = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps(width: int = 64, height: int = 48) -> bytes:
    """A JPEG carrying EXIF with a camera model and a GPS position (and orientation 6)."""
    image = Image.new("RGB", (width, height), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0110] = "SpyCam 3000"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° CW to display
    gps = {
        1: "N",
        2: (48.0, 51.0, 29.0),
        3: "E",
        4: (2.0, 17.0, 40.0),
    }
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def wav(seconds: float, rate: int = 8000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(rate)
        w.writeframes(b"\x80" * int(rate * seconds))
    return out.getvalue()


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mp4(seconds: float, *, video: bool) -> bytes:
    """A minimal ISO media file: ftyp + moov(mvhd, trak(mdia(hdlr))) + mdat."""
    timescale = 1000
    mvhd = _box(
        b"mvhd",
        b"\x00\x00\x00\x00"
        + struct.pack(">III", 0, 0, timescale)
        + struct.pack(">I", int(seconds * timescale))
        + b"\x00" * 80,
    )
    handler = b"vide" if video else b"soun"
    hdlr = _box(b"hdlr", b"\x00" * 4 + b"\x00" * 4 + handler + b"\x00" * 12 + b"\x00")
    trak = _box(b"trak", _box(b"mdia", hdlr))
    ftyp = _box(b"ftyp", b"isom" + b"\x00\x00\x02\x00" + b"isomiso2mp41")
    return ftyp + _box(b"moov", mvhd + trak) + _box(b"mdat", b"\x00" * 64)


def _ebml_id(value: int) -> bytes:
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def _ebml_size(n: int) -> bytes:
    return (0x10000000 | n).to_bytes(4, "big")


def _el(element: int, payload: bytes) -> bytes:
    return _ebml_id(element) + _ebml_size(len(payload)) + payload


def webm(seconds: float, *, video: bool, declare_duration: bool = False) -> bytes:
    """A minimal WebM like MediaRecorder writes: unknown-size Segment and Cluster, no Duration
    unless asked; blocks every 20 ms so the length can be counted."""
    header = _el(0x1A45DFA3, _el(0x4282, b"webm"))
    info_payload = _el(0x2AD7B1, (1_000_000).to_bytes(3, "big"))
    if declare_duration:
        info_payload += _el(0x4489, struct.pack(">d", seconds * 1000))
    info = _el(0x1549A966, info_payload)
    tracks = _el(
        0x1654AE6B, _el(0xAE, _el(0xD7, b"\x01") + _el(0x83, b"\x01" if video else b"\x02"))
    )
    blocks = b""
    for ms in range(0, int(seconds * 1000) + 1, 20):
        rel = ms % 30000
        if rel == 0:
            blocks += b"\x1f\x43\xb6\x75\x01\xff\xff\xff\xff\xff\xff\xff"  # Cluster, unknown size
            blocks += _el(0xE7, ms.to_bytes(4, "big"))
        blocks += _el(0xA3, b"\x81" + struct.pack(">h", rel) + b"\x80" + b"\x00" * 8)
    segment = b"\x18\x53\x80\x67\x01\xff\xff\xff\xff\xff\xff\xff" + info + tracks + blocks
    return header + segment


def exe_as_jpg() -> bytes:
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
        + b"\x00" * 48
        + b"PE\x00\x00"
        + b"\x00" * 200
    )


def svg_with_script() -> bytes:
    return (
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
    )


def gif_js_polyglot() -> bytes:
    """Starts like a GIF, is really JavaScript (the classic GIFAR/JS polyglot)."""
    return (
        b"GIF89a/*\x0a\x00\x0a\x00\x00\x00\x00*/=1;alert(document.domain);/*" + b"\x00" * 40 + b"*/"
    )


def png_with_html_tail() -> bytes:
    """A valid PNG with an HTML page appended after IEND."""
    return png() + b"<html><body><script>alert(1)</script></body></html>"
