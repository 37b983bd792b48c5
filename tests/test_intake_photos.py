"""Photos made safe: only JPEG, PNG and WebP as their contents say, at most 5 MB, decompression bombs refused,
and what comes out is the picture alone: upright, within 1,600 pixels, with no EXIF (camera, GPS) left."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from narrative.intake import photos

GPS_IFD, MAKE, ORIENTATION, DESCRIPTION = 0x8825, 0x010F, 0x0112, 0x010E


def with_exif(kind: str, size: tuple[int, int] = (64, 48), orientation: int = 1, mode: str = "RGB") -> bytes:
    """A picture carrying a camera, a caption and the place it was taken, as a phone writes them."""
    exif = Image.Exif()
    exif[MAKE] = "Hollowmere Phone"
    exif[DESCRIPTION] = "Jo at 12 Mill Lane"
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (53.0, 48.0, 2.5), 3: "W", 4: (1.0, 32.0, 47.1)})
    out = io.BytesIO()
    Image.new(mode, size, "teal").save(out, kind, exif=exif.tobytes())
    return out.getvalue()


@pytest.mark.parametrize(("kind", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")])
def test_exif_and_gps_are_gone(kind: str, extension: str) -> None:
    sent = with_exif(kind)
    assert Image.open(io.BytesIO(sent)).getexif().get_ifd(GPS_IFD)  # the photo as sent does carry a place
    cleaned = photos.clean(sent)
    assert cleaned.extension == extension
    out = Image.open(io.BytesIO(cleaned.data))
    assert out.format == kind and (out.width, out.height) == (64, 48)
    assert dict(out.getexif()) == {} and "exif" not in out.info
    assert b"Hollowmere Phone" not in cleaned.data and b"Mill Lane" not in cleaned.data


def test_a_photo_is_turned_as_its_camera_meant_and_made_at_most_1600_pixels() -> None:
    cleaned = photos.clean(with_exif("JPEG", size=(4000, 3000), orientation=6))  # taken holding the phone upright
    assert (cleaned.width, cleaned.height) == (1200, 1600)
    assert Image.open(io.BytesIO(cleaned.data)).size == (1200, 1600)


def test_transparency_is_kept_where_the_format_has_it() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, "PNG")
    assert Image.open(io.BytesIO(photos.clean(out.getvalue()).data)).mode == "RGBA"


def test_a_cmyk_jpeg_comes_out_as_rgb() -> None:
    assert Image.open(io.BytesIO(photos.clean(with_exif("JPEG", mode="CMYK")).data)).mode == "RGB"


@pytest.mark.parametrize("data", [b"GIF89a\x01\x00\x01\x00", b"%PDF-1.7\n", b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                                  b""])
def test_only_jpeg_png_and_webp_by_their_contents(data: bytes) -> None:
    with pytest.raises(photos.PhotoRefused, match="^must be a JPEG, PNG or WebP picture$"):
        photos.clean(data)


def test_a_gif_named_jpg_is_refused() -> None:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "GIF")
    with pytest.raises(photos.PhotoRefused, match="^must be a JPEG, PNG or WebP picture$"):
        photos.clean(out.getvalue())


def test_a_damaged_picture_is_refused_plainly() -> None:
    whole = with_exif("PNG", size=(300, 300))
    with pytest.raises(photos.PhotoRefused, match="^cannot be opened: it may be damaged, so try saving it again$"):
        photos.clean(whole[: len(whole) // 2])


def test_more_than_5_mb_is_refused_before_decoding() -> None:
    with pytest.raises(photos.PhotoRefused, match="^must be 5 MB or smaller$"):
        photos.clean(b"\xff\xd8" + b"\0" * photos.MAX_BYTES)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")  # the refusal is what counts
@pytest.mark.parametrize("side", [7100, 12000])  # over the limit, and over Pillow's own refusal at twice it
def test_a_decompression_bomb_is_refused(side: int) -> None:
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, "PNG")  # a few kilobytes that would open into hundreds of megabytes
    assert len(out.getvalue()) < 100_000
    with pytest.raises(photos.PhotoRefused, match=r"^is too big to open \(50 million pixels at most\): "
                                                  r"choose a smaller copy of it$"):
        photos.clean(out.getvalue())
