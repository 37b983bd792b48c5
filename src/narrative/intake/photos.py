"""Photos from the share form, made safe to publish: decoded and drawn again with Pillow, so that nothing of
the file as sent survives but its pixels.

A photo is a JPEG, PNG or WebP picture as its contents say (not its name), of at most 5 MB and 50 million
pixels (a small file can open into a picture that fills the memory: a decompression bomb). It comes out
turned the way its camera meant, at most 1,600 pixels wide or high, in its own format, with no EXIF (the
camera, the time, the place it was taken), no comments and no colour profile.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from narrative.share_form import PHOTO_MEGABYTES

MAX_BYTES = PHOTO_MEGABYTES * 1_000_000
MAX_PIXELS = 50_000_000
"""The most pixels a photo may open into: a 48-megapixel phone camera's photo, and no more."""
LONGEST_SIDE = 1600
"""Width and height a photo is brought within: sharp on any screen, light to send and to keep in git."""
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
"""What Pillow may open, and the file extension each keeps."""
SAVE_OPTIONS = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {"optimize": True}, "WEBP": {"quality": 85}}
MODES = {"JPEG": ("RGB", "L"), "PNG": ("RGB", "RGBA", "L", "LA"), "WEBP": ("RGB", "RGBA")}
"""The pixel modes each format is written in; a picture in any other is converted to the first (or RGBA)."""

Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses twice this while opening; `_check_size` refuses the rest
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)  # it would only repeat the refusal


class PhotoRefused(ValueError):
    """The photo cannot be taken; the message finishes "Photo 1 …" for the person who sent it."""


@dataclass(frozen=True)
class CleanPhoto:
    """A photo drawn again: its bytes, its file extension (`jpg`, `png`, `webp`) and its size in pixels."""

    data: bytes
    extension: str
    width: int
    height: int


def clean(data: bytes) -> CleanPhoto:
    """`data` as a new picture with nothing but its pixels, or `PhotoRefused` saying why not."""
    if len(data) > MAX_BYTES:
        raise PhotoRefused(f"must be {PHOTO_MEGABYTES} MB or smaller")
    try:
        with Image.open(io.BytesIO(data), formats=tuple(FORMATS)) as image:
            kind = image.format or ""
            _check_size(image)
            picture = _drawn_again(image, MODES[kind])
    except PhotoRefused:
        raise
    except UnidentifiedImageError:
        raise PhotoRefused("must be a JPEG, PNG or WebP picture") from None
    except Image.DecompressionBombError:
        raise _too_many_pixels() from None
    except (OSError, ValueError, SyntaxError):  # Pillow's words for a picture cut short or damaged
        raise PhotoRefused("cannot be opened: it may be damaged, so try saving it again") from None
    out = io.BytesIO()
    picture.save(out, format=kind, **SAVE_OPTIONS[kind])
    return CleanPhoto(out.getvalue(), FORMATS[kind], picture.width, picture.height)


def _too_many_pixels() -> PhotoRefused:
    return PhotoRefused(f"is too big to open ({MAX_PIXELS // 1_000_000} million pixels at most): "
                        f"choose a smaller copy of it")


def _check_size(image: Image.Image) -> None:
    """Refuse a picture too big to open from its header alone, before a single pixel is decoded."""
    if image.width * image.height > MAX_PIXELS:
        raise _too_many_pixels()


def _drawn_again(image: Image.Image, modes: tuple[str, ...]) -> Image.Image:
    """The first frame's pixels, turned upright and brought within `LONGEST_SIDE`, in a new image without
    the original's metadata (`Image.new` + paste copies pixels and nothing else)."""
    image.draft("RGB", (LONGEST_SIDE, LONGEST_SIDE))  # a JPEG decodes at a fraction of its size: faster
    upright = ImageOps.exif_transpose(image)
    upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
    mode = upright.mode if upright.mode in modes else ("RGBA" if _has_alpha(upright) and "RGBA" in modes else "RGB")
    picture = Image.new(mode, upright.size)
    picture.paste(upright.convert(mode))
    return picture


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
