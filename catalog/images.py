"""Product images with Pillow: what an upload must be, how it is stored, and its renditions.

An upload is trusted by its bytes only, never by its name or content type: Pillow must
recognise it as JPEG, PNG or WebP, its header must claim at most `MAX_PIXELS` (checked before
anything is decoded, so a decompression bomb, a small file claiming 50,000 × 50,000 pixels, is
refused without its pixels ever being allocated), `verify()` must pass, and then it must decode
in full. What is stored is re-encoded from the pixels alone: the EXIF orientation applied, then
no EXIF (GPS, camera), no XMP, no ICC profile, no text chunks. An animated image keeps its first
frame.
"""

import io
import warnings
from dataclasses import dataclass
from typing import IO

from PIL import Image, ImageOps

from catalog.exceptions import InvalidImage

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
# The longest side of each rendition; a smaller image keeps its size (never upscaled).
THUMBNAIL_SIDE = 320
LARGE_SIDE = 1280

_TOO_MANY_PIXELS = f"An image may have at most {MAX_PIXELS:,} pixels."

# Pillow's format name: the extension the stored file gets.
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
_SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 85, "method": 4},
}
# Pillow refuses to open an image above twice this (DecompressionBombError) and warns above it;
# this module checks `MAX_PIXELS` itself first, so Pillow's limit is only the backstop.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


@dataclass(frozen=True)
class Encoded:
    """An image as stored: its bytes, their format (`EXTENSIONS`' keys) and its size."""

    content: bytes
    format: str
    width: int
    height: int

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def clean_upload(file: IO[bytes], *, size: int | None = None) -> Encoded:
    """The upload re-encoded without metadata, or `InvalidImage` saying what is wrong with it.

    `size`, the upload's length when known, refuses a file over `MAX_BYTES` before it is read.
    """
    if size is not None and size > MAX_BYTES:
        raise InvalidImage(f"An image may be at most {MAX_BYTES // (1024 * 1024)} MB.")
    data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InvalidImage(f"An image may be at most {MAX_BYTES // (1024 * 1024)} MB.")
    image = _open(data)
    return _encode(ImageOps.exif_transpose(image), image.format)


def _open(data: bytes) -> Image.Image:
    """The image decoded, after its format and header were checked (see the module)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(EXTENSIONS)) as probe:
                _check_header(probe)
                probe.verify()
            image = Image.open(io.BytesIO(data), formats=list(EXTENSIONS))
            _check_header(image)
            image.load()
    except InvalidImage:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidImage(_TOO_MANY_PIXELS) from None
    except (
        Image.UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ):
        raise InvalidImage("The file is not a valid JPEG, PNG or WebP image.") from None
    return image


def _check_header(image: Image.Image) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise InvalidImage("The image has no pixels.")
    if width * height > MAX_PIXELS:
        raise InvalidImage(_TOO_MANY_PIXELS)


def rendition(content: bytes, *, side: int) -> Encoded:
    """A stored image (`Encoded.content`) scaled down to fit `side` × `side`, same format; a
    smaller image is re-encoded at its own size."""
    with Image.open(io.BytesIO(content), formats=list(EXTENSIONS)) as image:
        image_format = image.format
        if image_format == "JPEG":
            # Decode at a reduced scale straight away: far less memory for a large photo.
            image.draft("RGB", (side, side))
        image.load()
        scaled = image.copy()
    scaled.thumbnail((side, side), Image.Resampling.LANCZOS)
    return _encode(scaled, image_format)


def _encode(image: Image.Image, image_format: str) -> Encoded:
    """The pixels alone in `image_format`: no metadata of the source is carried over."""
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
    if image_format == "JPEG":
        mode = "L" if image.mode in {"1", "L"} else "RGB"
    else:
        mode = ("LA" if image.mode in {"1", "L", "LA"} else "RGBA") if has_alpha else None
        mode = mode or ("L" if image.mode in {"1", "L"} else "RGB")
    pixels = image.convert(mode) if image.mode != mode else image.copy()
    # A copy carries the source's `info` (EXIF, ICC profile, XMP, text) that some encoders
    # write by default: drop it all.
    pixels.info = {}
    output = io.BytesIO()
    pixels.save(output, format=image_format, **_SAVE_OPTIONS[image_format])
    return Encoded(output.getvalue(), image_format, *pixels.size)
