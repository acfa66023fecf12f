"""Image files for the tests, made with Pillow (and one by hand)."""

import io
import struct
import zlib

from PIL import Image


def image_bytes(
    image_format: str = "JPEG",
    *,
    size: tuple[int, int] = (64, 48),
    mode: str = "RGB",
    color=(200, 30, 30),
    split: bool = False,
    **save_options,
) -> bytes:
    """An image in `image_format`; `split`: left half red, right half blue."""
    image = Image.new(mode, size, color)
    if split:
        image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    output = io.BytesIO()
    image.save(output, format=image_format, **save_options)
    return output.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A small PNG whose header claims `width` × `height` pixels: a decompression bomb's shape
    (its few compressed bytes would inflate to all of them)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", pixels)
        + _chunk(b"IEND", b"")
    )
