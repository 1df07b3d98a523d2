"""Pictures of items with the price and contact drawn inside, as traders post them to dodge text filters."""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
SIZE = (480, 360)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if FONT_PATH.exists():
        return ImageFont.truetype(str(FONT_PATH), size)
    return ImageFont.load_default(size=size)


def draw_image(rng: random.Random, lines: list[str], path: Path) -> None:
    """An item photo stand-in (a pale shape on a plain ground) with ``lines`` of dark text on a light band.

    Grey scale and fast PNG compression: a third of the bytes to encode, and OCR reads it as well.
    """
    img = Image.new("L", SIZE, rng.randrange(170, 235))
    d = ImageDraw.Draw(img)
    x0, y0 = rng.randrange(40, 200), rng.randrange(20, 60)
    d.ellipse((x0, y0, x0 + rng.randrange(120, 240), y0 + rng.randrange(60, 120)), fill=rng.randrange(225, 255),
              outline=rng.randrange(80, 140), width=3)
    band_top = SIZE[1] - 40 * len(lines) - 20
    d.rectangle((0, band_top, SIZE[0], SIZE[1]), fill=255)
    font = _font(28)
    for i, line in enumerate(lines):
        d.text((16, band_top + 10 + 40 * i), line, fill=0, font=font)
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, format="PNG", compress_level=1)
