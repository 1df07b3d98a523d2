"""Emoji in posts render as emoji in the workbench's pages, not as empty boxes: the page's font stack names an
installed colour emoji font (fonts-noto-color-emoji, installed by scripts/system-deps.sh)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.browser

EMOJI = "\U0001f42f"  # tiger face (orange: an elephant is grey)
NO_GLYPH = "\U000f0000"  # a private-use code point no font has: drawn as the missing-glyph box


def _colourful(png: bytes) -> int:
    """How many pixels have a clear colour (a monochrome glyph or a box has none)."""
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    return int(((pixels.max(axis=2) - pixels.min(axis=2)) > 60).sum())


def test_an_emoji_renders_in_colour_with_the_workbench_fonts(served, browser) -> None:  # type: ignore[no-untyped-def]
    base, _store, _ids = served
    page = browser.new_page()
    page.goto(f"{base}/login")  # a page styled by the workbench's stylesheet
    stack = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert "Noto Color Emoji" in stack
    page.evaluate("""([emoji, none]) => {
      for (const [id, text] of [['emoji', emoji], ['none', none], ['letter', 'M']]) {
        const span = document.createElement('span');
        span.id = id; span.textContent = text; span.style.fontSize = '40px';
        document.body.appendChild(span);
      }
    }""", [EMOJI, NO_GLYPH])
    width = {name: page.evaluate(f"document.getElementById('{name}').getBoundingClientRect().width")
             for name in ("emoji", "none", "letter")}
    assert width["emoji"] > 0 and abs(width["emoji"] - width["none"]) > 1, width  # not the missing-glyph box
    assert _colourful(page.locator("#emoji").screenshot()) > 50  # drawn by the colour emoji font
    assert _colourful(page.locator("#none").screenshot()) == 0 == _colourful(page.locator("#letter").screenshot())
    page.close()
