"""What the desk reads from audio and video containers: video track or not, and the duration.

Small parsers for the containers browsers record (Matroska/WebM from MediaRecorder, MP4) and
WAV; mutagen for MP3, Ogg and FLAC. Every parser is bounded (elements, bytes) and returns
``None`` for what it cannot tell: a file we cannot measure is still a file, but a measured one
over the limit is refused.
"""

from __future__ import annotations

import logging
import struct
from typing import IO

logger = logging.getLogger(__name__)

MAX_ELEMENTS = 300_000

# --- Matroska / WebM (EBML) ---------------------------------------------------------------

SEGMENT = 0x18538067
INFO = 0x1549A966
TRACKS = 0x1654AE6B
TRACK_ENTRY = 0xAE
TRACK_TYPE = 0x83
TIMECODE_SCALE = 0x2AD7B1
DURATION = 0x4489
CLUSTER = 0x1F43B675
CLUSTER_TIMECODE = 0xE7
SIMPLE_BLOCK = 0xA3
BLOCK_GROUP = 0xA0
BLOCK = 0xA1
EBML_HEADER = 0x1A45DFA3
# Elements we walk into; every other element is skipped by its size.
DESCEND = {SEGMENT, INFO, TRACKS, TRACK_ENTRY, CLUSTER, BLOCK_GROUP}


def _read_vint(f: IO[bytes], *, keep_marker: bool) -> tuple[int, int] | None:
    """An EBML variable-length integer: (value, length) or None at the end of the data."""
    first = f.read(1)
    if not first:
        return None
    b = first[0]
    length = 1
    mask = 0x80
    while length <= 8 and not b & mask:
        mask >>= 1
        length += 1
    if length > 8:
        raise ValueError("bad EBML vint")
    rest = f.read(length - 1)
    if len(rest) != length - 1:
        return None
    value = b if keep_marker else b & (mask - 1)
    for byte in rest:
        value = (value << 8) | byte
    return value, length


def matroska_info(f: IO[bytes]) -> tuple[bool, float | None]:
    """(has a video track, duration in seconds or None) of a Matroska/WebM file."""
    has_video = False
    scale = 1_000_000
    declared: float | None = None
    cluster_tc = 0
    last_ts = -1
    try:
        f.seek(0, 2)
        end = f.tell()
        f.seek(0)
        for _ in range(MAX_ELEMENTS):
            pos = f.tell()
            if pos >= end:
                break
            id_part = _read_vint(f, keep_marker=True)
            size_part = _read_vint(f, keep_marker=False) if id_part else None
            if id_part is None or size_part is None:
                break
            element, (size, size_len) = id_part[0], size_part
            unknown = size == (1 << (7 * size_len)) - 1
            if element in DESCEND:
                continue
            if unknown:
                break
            data_start = f.tell()
            if element == TRACK_TYPE:
                has_video = has_video or _uint(f.read(size)) == 1
            elif element == TIMECODE_SCALE:
                scale = _uint(f.read(size)) or scale
            elif element == DURATION:
                raw = f.read(size)
                if size == 4:
                    declared = struct.unpack(">f", raw)[0]
                elif size == 8:
                    declared = struct.unpack(">d", raw)[0]
            elif element == CLUSTER_TIMECODE:
                cluster_tc = _uint(f.read(size))
            elif element in (SIMPLE_BLOCK, BLOCK):
                track = _read_vint(f, keep_marker=False)
                rel = f.read(2)
                if track is not None and len(rel) == 2:
                    last_ts = max(last_ts, cluster_tc + struct.unpack(">h", rel)[0])
            f.seek(data_start + size)
    except (ValueError, OSError, struct.error):
        logger.debug("matroska parse stopped", exc_info=True)
    finally:
        f.seek(0)
    duration = None
    if declared and declared > 0:
        duration = declared * scale / 1e9
    elif last_ts >= 0:
        duration = last_ts * scale / 1e9
    return has_video, duration


def matroska_has_video(f: IO[bytes]) -> bool:
    return matroska_info(f)[0]


def _uint(raw: bytes) -> int:
    return int.from_bytes(raw, "big") if raw else 0


# --- ISO base media (MP4, M4A, MOV) --------------------------------------------------------

MP4_DESCEND = {b"moov", b"trak", b"mdia", b"mvex"}


def mp4_info(f: IO[bytes]) -> tuple[bool, float | None]:
    """(has a video track, duration in seconds or None) of an MP4/MOV file."""
    has_video = False
    duration: float | None = None
    timescale = 0
    try:
        f.seek(0, 2)
        end = f.tell()
        f.seek(0)
        stack_end = [end]
        for _ in range(MAX_ELEMENTS):
            pos = f.tell()
            while stack_end and pos >= stack_end[-1]:
                stack_end.pop()
            if not stack_end:
                break
            header = f.read(8)
            if len(header) < 8:
                break
            size, kind = struct.unpack(">I4s", header)
            header_len = 8
            if size == 1:
                size = struct.unpack(">Q", f.read(8))[0]
                header_len = 16
            elif size == 0:
                size = stack_end[-1] - pos
            if size < header_len:
                break
            box_end = pos + size
            if kind in MP4_DESCEND:
                stack_end.append(box_end)
                continue
            if kind == b"mvhd":
                timescale, value = _mvhd(f.read(min(size - header_len, 40)))
                if timescale and value:
                    duration = value / timescale
            elif kind == b"mehd" and duration is None and timescale:
                body = f.read(12)
                value = (
                    struct.unpack(">Q", body[4:12])[0]
                    if body[:1] == b"\x01"
                    else struct.unpack(">I", body[4:8])[0]
                )
                if value:
                    duration = value / timescale
            elif kind == b"hdlr":
                body = f.read(12)
                if body[8:12] == b"vide":
                    has_video = True
            f.seek(box_end)
    except (ValueError, OSError, struct.error):
        logger.debug("mp4 parse stopped", exc_info=True)
    finally:
        f.seek(0)
    return has_video, duration


def _mvhd(body: bytes) -> tuple[int, int]:
    if not body:
        return 0, 0
    if body[0] == 1:
        timescale, value = struct.unpack(">IQ", body[20:32])
    else:
        timescale, value = struct.unpack(">II", body[12:20])
    return timescale, value


def mp4_has_video(f: IO[bytes]) -> bool:
    return mp4_info(f)[0]


# --- WAV -------------------------------------------------------------------------------------


def wav_duration(f: IO[bytes]) -> float | None:
    try:
        f.seek(12)
        byte_rate = 0
        for _ in range(1000):
            header = f.read(8)
            if len(header) < 8:
                return None
            kind, size = struct.unpack("<4sI", header)
            if kind == b"fmt ":
                body = f.read(size)
                byte_rate = struct.unpack("<I", body[8:12])[0]
                if size % 2:
                    f.seek(1, 1)
                continue
            if kind == b"data":
                return size / byte_rate if byte_rate else None
            f.seek(size + (size % 2), 1)
    except (OSError, struct.error):
        return None
    finally:
        f.seek(0)
    return None


# --- everything else through mutagen ---------------------------------------------------------


def _mutagen_duration(f: IO[bytes], content_type: str) -> float | None:
    try:
        from mutagen.flac import FLAC
        from mutagen.mp3 import MP3
        from mutagen.ogg import OggFileType
        from mutagen.oggopus import OggOpus
        from mutagen.oggvorbis import OggVorbis

        f.seek(0)
        info: object
        if content_type == "audio/mpeg":
            info = MP3(f).info
        elif content_type == "audio/flac":
            info = FLAC(f).info
        else:
            head = f.read(64)
            f.seek(0)
            kind: type[OggFileType] = OggOpus if b"OpusHead" in head else OggVorbis
            info = kind(f).info
        length = getattr(info, "length", None)
        return float(length) if length else None
    except Exception:
        # mutagen raises many types on malformed input; unknown duration is the answer.
        logger.debug("mutagen could not read %s", content_type, exc_info=True)
        return None
    finally:
        f.seek(0)


def duration_of(f: IO[bytes], content_type: str) -> float | None:
    """Seconds of audio/video in ``f`` when the container says (or lets us count), else None."""
    if content_type in ("audio/webm", "video/webm"):
        return matroska_info(f)[1]
    if content_type in ("audio/mp4", "video/mp4", "video/quicktime"):
        return mp4_info(f)[1]
    if content_type == "audio/wav":
        return wav_duration(f)
    if content_type in ("audio/mpeg", "audio/ogg", "audio/flac", "video/ogg"):
        return _mutagen_duration(f, content_type)
    return None
