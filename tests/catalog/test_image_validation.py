"""`catalog.images`: what an upload must be (by its bytes), and what is stored of it."""

import io
import struct
import time
import tracemalloc
import zlib

import pytest
from PIL import Image

from catalog import images
from catalog.exceptions import InvalidImage
from tests.catalog.image_files import image_bytes, png_claiming


def clean(data: bytes) -> images.Encoded:
    return images.clean_upload(io.BytesIO(data), size=len(data))


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_a_jpeg_png_or_webp_is_stored_in_its_format_with_its_size(image_format):
    encoded = clean(image_bytes(image_format, size=(640, 480)))

    assert (encoded.format, encoded.width, encoded.height) == (image_format, 640, 480)
    with Image.open(io.BytesIO(encoded.content)) as stored:
        assert (stored.format, stored.size) == (image_format, (640, 480))


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n",
        b"just some text, named photo.jpg",
        b"",
        image_bytes("GIF"),
        image_bytes("BMP"),
        image_bytes("TIFF"),
        image_bytes("JPEG")[:200],  # cut short: the header parses, the pixels do not
    ],
    ids=["pdf", "text", "empty", "gif", "bmp", "tiff", "truncated-jpeg"],
)
def test_anything_but_a_whole_jpeg_png_or_webp_is_refused(data):
    with pytest.raises(InvalidImage) as refused:
        clean(data)

    assert refused.value.code == "invalid_image"


def test_a_file_over_10_mb_is_refused_by_its_size_before_it_is_read():
    class Unreadable(io.BytesIO):
        def read(self, *args):
            raise AssertionError("read")

    with pytest.raises(InvalidImage, match="10 MB"):
        images.clean_upload(Unreadable(), size=images.MAX_BYTES + 1)


def test_a_file_over_10_mb_is_refused_even_when_its_size_is_not_known():
    data = image_bytes("PNG") + b"\0" * images.MAX_BYTES

    with pytest.raises(InvalidImage, match="10 MB"):
        images.clean_upload(io.BytesIO(data))


def test_a_decompression_bomb_is_refused_quickly_without_its_pixels_in_memory():
    bomb = png_claiming(50_000, 50_000)  # 2.5 gigapixels in a few hundred bytes

    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(InvalidImage, match="pixels"):
            clean(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert time.monotonic() - started < 1
    assert peak < 5 * 1024 * 1024


def test_40_megapixels_pass_the_pixel_check_and_one_more_pixel_does_not():
    assert images.MAX_PIXELS == 40_000_000
    with pytest.raises(InvalidImage, match="pixels"):
        clean(png_claiming(8001, 5000))
    # Exactly 40 MP passes the check, then fails to decode: its pixels are not there.
    with pytest.raises(InvalidImage) as refused:
        clean(png_claiming(8000, 5000))
    assert "pixels" not in refused.value.detail


def test_exif_gps_xmp_and_icc_are_stripped():
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x8825] = {2: (48.0, 51.0, 29.0)}  # GPSInfo: latitude
    icc = b"\0" * 128  # any bytes: what matters is that none reach the stored file
    source = image_bytes("JPEG", exif=exif.tobytes(), icc_profile=icc)
    with Image.open(io.BytesIO(source)) as original:
        assert original.getexif()
        assert original.info.get("icc_profile")

    for encoded in (clean(source), images.rendition(clean(source).content, side=50)):
        with Image.open(io.BytesIO(encoded.content)) as stored:
            assert not stored.getexif()
            assert "exif" not in stored.info
            assert "icc_profile" not in stored.info
            assert "xmp" not in stored.info


def test_png_text_chunks_are_stripped():
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Comment", "secret location")
    encoded = clean(image_bytes("PNG", pnginfo=text))

    with Image.open(io.BytesIO(encoded.content)) as stored:
        assert "Comment" not in stored.info
    assert b"secret location" not in encoded.content


def test_the_exif_orientation_is_applied_before_it_is_stripped():
    # 60 × 20 pixels, left half red, right half blue; "rotate 90° clockwise to display".
    exif = Image.Exif()
    exif[0x0112] = 6
    source = image_bytes("JPEG", size=(60, 20), split=True, exif=exif.tobytes())

    encoded = clean(source)

    assert (encoded.width, encoded.height) == (20, 60)
    with Image.open(io.BytesIO(encoded.content)) as stored:
        top, bottom = stored.convert("RGB").getpixel((10, 5)), stored.getpixel((10, 55))
        assert top[0] > 200
        assert top[2] < 60
        assert bottom[2] > 200
        assert bottom[0] < 60
        assert not stored.getexif()


def test_transparency_is_kept_in_png_and_webp():
    for image_format in ("PNG", "WEBP"):
        encoded = clean(image_bytes(image_format, mode="RGBA", color=(0, 0, 255, 0)))
        with Image.open(io.BytesIO(encoded.content)) as stored:
            assert stored.convert("RGBA").getpixel((0, 0))[3] == 0


@pytest.mark.parametrize(
    ("size", "side", "expected"),
    [
        ((2000, 1000), 320, (320, 160)),
        ((1000, 3000), 1280, (427, 1280)),
        ((100, 50), 320, (100, 50)),
    ],
)
def test_a_rendition_fits_its_side_and_is_never_upscaled(size, side, expected):
    encoded = images.rendition(clean(image_bytes("JPEG", size=size)).content, side=side)

    assert (encoded.width, encoded.height) == expected
    assert encoded.format == "JPEG"


def test_the_png_helper_really_claims_what_it_says():
    # The bomb tests rely on it: its header says the size, and nothing more is there.
    data = png_claiming(50_000, 40_000)
    assert struct.unpack(">II", data[16:24]) == (50_000, 40_000)
    assert zlib.crc32(data[12:29]) == struct.unpack(">I", data[29:33])[0]
