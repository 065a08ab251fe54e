"""Images are decoded and re-encoded with Pillow before they are stored.

Re-encoding keeps only pixels: EXIF (camera, GPS location), XMP, comments and anything appended
to or smuggled inside the file (a polyglot's script) are gone. The orientation the camera wrote
in EXIF is applied to the pixels first so the photo still stands upright.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from helpdesk.errors import HelpdeskError

# Decompression bombs: a tiny file that decodes to gigapixels.
MAX_PIXELS = 50_000_000
MAX_FRAMES = 300
THUMB_BOX = (320, 320)

PILLOW_FORMATS = {
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WEBP",
    "image/bmp": "BMP",
    "image/tiff": "TIFF",
}


class Unsupported(HelpdeskError):
    code = "unsupported"


@dataclass
class ProcessedImage:
    data: bytes
    content_type: str
    width: int
    height: int
    thumbnail: bytes
    thumb_content_type: str
    thumb_width: int
    thumb_height: int


def _open(fileobj: IO[bytes], content_type: str) -> Image.Image:
    fmt = PILLOW_FORMATS[content_type]
    fileobj.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(fileobj, formats=[fmt])
            if image.width * image.height > MAX_PIXELS:
                raise Unsupported(_("The image has too many pixels."))
            image.load()
        except Unsupported:
            raise
        except (
            UnidentifiedImageError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
            OSError,
            SyntaxError,
            ValueError,
            EOFError,
        ):
            raise Unsupported(_("The image could not be read; it may be damaged.")) from None
    return image


def process_image(fileobj: IO[bytes], content_type: str) -> ProcessedImage:
    """Decode, re-encode without metadata and make a thumbnail; ``Unsupported`` if the image
    cannot be fully decoded (truncated, corrupt, or not what its magic bytes claim)."""
    image = _open(fileobj, content_type)
    animated = content_type in ("image/gif", "image/webp") and getattr(image, "n_frames", 1) > 1
    try:
        if animated:
            data, out_type = _reencode_animated(image, content_type)
            first = image.copy()
        else:
            upright = ImageOps.exif_transpose(image) or image
            data, out_type = _reencode(upright, content_type)
            first = upright
        width, height = first.size
        thumb, thumb_type, thumb_size = _thumbnail(first)
    except (OSError, ValueError, EOFError, SyntaxError):
        raise Unsupported(_("The image could not be read; it may be damaged.")) from None
    finally:
        image.close()
    return ProcessedImage(
        data=data,
        content_type=out_type,
        width=width,
        height=height,
        thumbnail=thumb,
        thumb_content_type=thumb_type,
        thumb_width=thumb_size[0],
        thumb_height=thumb_size[1],
    )


def _fit(size: tuple[int, int]) -> tuple[int, int]:
    w, h = size
    scale = min(1.0, THUMB_BOX[0] / w, THUMB_BOX[1] / h)
    return max(1, round(w * scale)), max(1, round(h * scale))


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info
    )


def _reencode(image: Image.Image, content_type: str) -> tuple[bytes, str]:
    out = io.BytesIO()
    if content_type == "image/jpeg":
        image.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
        return out.getvalue(), "image/jpeg"
    if content_type == "image/webp":
        mode = "RGBA" if _has_alpha(image) else "RGB"
        image.convert(mode).save(out, "WEBP", quality=88)
        return out.getvalue(), "image/webp"
    if content_type == "image/gif":
        image.save(out, "GIF")
        return out.getvalue(), "image/gif"
    # PNG, and BMP/TIFF normalised to PNG (browsers show PNG everywhere).
    if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    image.save(out, "PNG", optimize=True)
    return out.getvalue(), "image/png"


def _reencode_animated(image: Image.Image, content_type: str) -> tuple[bytes, str]:
    frames = []
    durations = []
    for index in range(min(getattr(image, "n_frames", 1), MAX_FRAMES)):
        image.seek(index)
        frames.append(image.convert("RGBA"))
        durations.append(int(image.info.get("duration", 100) or 100))
    out = io.BytesIO()
    fmt = "GIF" if content_type == "image/gif" else "WEBP"
    frames[0].save(
        out,
        fmt,
        save_all=True,
        append_images=frames[1:],
        duration=durations,
        loop=int(image.info.get("loop", 0) or 0),
        disposal=2 if fmt == "GIF" else 0,
    )
    image.seek(0)
    return out.getvalue(), content_type


def _thumbnail(image: Image.Image) -> tuple[bytes, str, tuple[int, int]]:
    thumb = image.copy()
    thumb.thumbnail(_fit(image.size), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if _has_alpha(thumb):
        thumb.convert("RGBA").save(out, "PNG", optimize=True)
        return out.getvalue(), "image/png", thumb.size
    thumb.convert("RGB").save(out, "JPEG", quality=80)
    return out.getvalue(), "image/jpeg", thumb.size
