"""Decide a file's type from its content: magic bytes, never the name or the browser's claim.

Our own table instead of python-magic (which needs libmagic): the desk accepts a short list of
types, and each needs only a few bytes (plus a look inside ZIP and MP4/Matroska containers) to
recognise. Anything that looks like markup or a program is named as such so the allowed-types
list can refuse it and the serving view never renders it inline.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from typing import IO

HEAD_BYTES = 8192

IMAGE_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff"}
# Types that are never rendered by the browser from our origin, whatever the admin allows.
DANGEROUS_TYPES = {
    "image/svg+xml",
    "text/html",
    "application/xml",
    "application/x-executable",
    "application/x-msdownload",
    "application/x-mach-binary",
    "text/x-script",
    "application/java-archive",
}

EXTENSIONS: dict[str, str] = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "image/bmp": ".bmp",
    "image/tiff": ".tif",
    "image/svg+xml": ".svg",
    "audio/webm": ".weba",
    "audio/ogg": ".ogg",
    "audio/mpeg": ".mp3",
    "audio/mp4": ".m4a",
    "audio/wav": ".wav",
    "audio/flac": ".flac",
    "video/webm": ".webm",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/ogg": ".ogv",
    "video/x-msvideo": ".avi",
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/java-archive": ".jar",
    "text/plain": ".txt",
    "text/html": ".html",
    "application/xml": ".xml",
    "application/x-executable": ".bin",
    "application/x-msdownload": ".exe",
    "application/x-mach-binary": ".bin",
    "text/x-script": ".txt",
    "application/gzip": ".gz",
    "application/x-7z-compressed": ".7z",
    "application/vnd.rar": ".rar",
    "application/octet-stream": ".bin",
}

# Other accepted spellings of an extension, so "photo.jpeg" keeps its name.
EXTENSION_ALIASES: dict[str, set[str]] = {
    "image/jpeg": {".jpg", ".jpeg", ".jfif"},
    "image/tiff": {".tif", ".tiff"},
    "audio/webm": {".weba", ".webm"},
    "audio/ogg": {".ogg", ".oga", ".opus"},
    "audio/mp4": {".m4a", ".mp4", ".aac"},
    "video/ogg": {".ogv", ".ogg"},
    "text/plain": {".txt", ".text", ".log", ".csv", ".md"},
}


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    # "image", "audio", "video" or "file": what the chat shows it as.
    kind: str


def _kind(content_type: str) -> str:
    if content_type in IMAGE_TYPES:
        return "image"
    if content_type.startswith("audio/"):
        return "audio"
    if content_type.startswith("video/"):
        return "video"
    return "file"


def sniff(fileobj: IO[bytes]) -> Sniffed:
    """The type of ``fileobj`` (read from the start; the position is restored to 0)."""
    fileobj.seek(0)
    head = fileobj.read(HEAD_BYTES)
    fileobj.seek(0)
    content_type = _from_magic(head, fileobj)
    return Sniffed(content_type=content_type, kind=_kind(content_type))


def _from_magic(head: bytes, fileobj: IO[bytes]) -> str:
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and len(head) >= 12:
        form = head[8:12]
        if form == b"WEBP":
            return "image/webp"
        if form == b"WAVE":
            return "audio/wav"
        if form == b"AVI ":
            return "video/x-msvideo"
    if head.startswith(b"BM") and len(head) >= 26 and head[6:10] == b"\0\0\0\0":
        return "image/bmp"
    if head[:4] in (b"II*\0", b"MM\0*"):
        return "image/tiff"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        from .avmeta import matroska_has_video

        return "video/webm" if matroska_has_video(fileobj) else "audio/webm"
    if head.startswith(b"OggS"):
        return "video/ogg" if b"\x80theora" in head else "audio/ogg"
    if head.startswith(b"fLaC"):
        return "audio/flac"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _iso_media(head, fileobj)
    if head.startswith(b"ID3") or _mpeg_audio_frame(head):
        return "audio/mpeg"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(fileobj)
    if head.startswith(b"\x1f\x8b"):
        return "application/gzip"
    if head.startswith(b"7z\xbc\xaf\x27\x1c"):
        return "application/x-7z-compressed"
    if head.startswith(b"Rar!\x1a\x07"):
        return "application/vnd.rar"
    if head.startswith(b"MZ"):
        return "application/x-msdownload"
    if head.startswith(b"\x7fELF"):
        return "application/x-executable"
    if head[:4] in (
        b"\xfe\xed\xfa\xce",
        b"\xfe\xed\xfa\xcf",
        b"\xce\xfa\xed\xfe",
        b"\xcf\xfa\xed\xfe",
        b"\xca\xfe\xba\xbe",
    ):
        return "application/x-mach-binary"
    return _text_type(head)


def _mpeg_audio_frame(head: bytes) -> bool:
    """An MPEG audio frame header (MP3 without ID3): 11 sync bits, a valid layer and rate."""
    if len(head) < 4 or head[0] != 0xFF or head[1] & 0xE0 != 0xE0:
        return False
    version = (head[1] >> 3) & 3
    layer = (head[1] >> 1) & 3
    bitrate = head[2] >> 4
    rate = (head[2] >> 2) & 3
    return version != 1 and layer != 0 and bitrate not in (0, 15) and rate != 3


def _iso_media(head: bytes, fileobj: IO[bytes]) -> str:
    brand = head[8:12]
    if brand == b"qt  ":
        return "video/quicktime"
    if brand in (b"M4A ", b"M4B ", b"M4P ", b"F4A "):
        return "audio/mp4"
    if brand in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
        # HEIF/AVIF stills: Pillow here cannot re-encode them, so they are plain files.
        return "application/octet-stream"
    from .avmeta import mp4_has_video

    return "video/mp4" if mp4_has_video(fileobj) else "audio/mp4"


def _zip_type(fileobj: IO[bytes]) -> str:
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist()[:2000])
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error):
        return "application/octet-stream"
    finally:
        fileobj.seek(0)
    if "META-INF/MANIFEST.MF" in names or any(n.endswith(".class") for n in names):
        return "application/java-archive"
    if "[Content_Types].xml" in names:
        prefixes = {n.split("/", 1)[0] for n in names}
        if "word" in prefixes:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "xl" in prefixes:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if "ppt" in prefixes:
            return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    return "application/zip"


MARKUP_SIGNS = (
    b"<!doctype html",
    b"<html",
    b"<head",
    b"<body",
    b"<script",
    b"<iframe",
    b"<object",
    b"<embed",
    b"<meta",
    b"<style",
    b"<link",
    b"<a ",
    b"<img",
    b"<div",
    b"<form",
    b"<table",
    b"<p>",
    b"<br",
    b"<h1",
    b"<title",
    b"<!--",
)


def _text_type(head: bytes) -> str:
    if not head:
        return "application/octet-stream"
    body = head
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        if body.startswith(bom):
            body = body[len(bom) :]
            break
    stripped = body.lstrip(b" \t\r\n\x0c")
    lowered = stripped.lower()
    if lowered.startswith(b"#!"):
        return "text/x-script"
    # Markup anywhere in the head counts: browsers that sniff look at the whole first block.
    if b"<svg" in lowered:
        return "image/svg+xml"
    if any(sign in lowered for sign in MARKUP_SIGNS):
        return "text/html"
    if lowered.startswith(b"<?xml"):
        return "application/xml"
    if _is_text(body):
        return "text/plain"
    return "application/octet-stream"


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    # The head may end inside a multi-byte character.
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(data) - 4:
            return False
    controls = sum(1 for b in data if b < 32 and b not in (9, 10, 12, 13))
    return controls <= len(data) // 100


def download_extension_ok(name: str, content_type: str) -> bool:
    lowered = name.lower()
    options = EXTENSION_ALIASES.get(content_type, set()) | {EXTENSIONS.get(content_type, "")}
    return any(opt and lowered.endswith(opt) for opt in options)
