"""Pictures carry their text legibly: an OCR engine reads back the drawn price and contact."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from PIL import Image


def _images(world: Path) -> list[dict[str, str]]:
    with (world / "truth" / "images.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_image_is_listed_with_its_drawn_text(sim_world: Path) -> None:
    rows = _images(sim_world)
    assert {r["image"] for r in rows} == {p.relative_to(sim_world).as_posix() for p in (sim_world / "media").glob("*")}
    for r in rows[:20]:
        with Image.open(sim_world / r["image"]) as img:
            img.verify()
        assert r["text"].strip()


@pytest.mark.slow
def test_ocr_reads_the_contact_and_price_off_ad_pictures(sim_world: Path) -> None:
    rapidocr = pytest.importorskip("rapidocr_onnxruntime")
    engine = rapidocr.RapidOCR()
    ads = [r for r in _images(sim_world) if r["is_illegal"] == "1"][:5]
    for r in ads:
        result, _ = engine(str(sim_world / r["image"]))
        read = re.sub(r"[\W_]", "", "".join(line[1] for line in result or []))  # OCR drops "_" and spaces
        contact = re.sub(r"[\W_]", "", r["text"].split(" | ")[-1].split()[-1])
        assert contact in read, (r, read)
        digits = re.findall(r"\d+", r["text"].split(" | ")[1])
        assert any(d in read for d in digits), (r, read)
