"""PNG facts read from the file itself, without an imaging library: the build and the site both need them."""

from __future__ import annotations

import struct


def png_size(png: bytes) -> tuple[int, int, float | None]:
    """Pixel width and height of a PNG and its dots per inch from the pHYs chunk (None when absent)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG file")
    width, height = struct.unpack(">II", png[16:24])
    at = png.find(b"pHYs")
    dpi = None
    if at > 0:
        per_x, _, unit = struct.unpack(">IIB", png[at + 4:at + 13])
        if unit == 1 and per_x:
            dpi = per_x * 0.0254
    return width, height, dpi
