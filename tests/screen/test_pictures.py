"""Pictures are read once: de-duplicated, cached across readers, flat or tiny ones not OCR'd, a pool gives the
same answers as one process, and progress is reported."""

from __future__ import annotations

import csv
import random
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from wildtrace.screen import ImageReader, document_of
from wildtrace.screen import _images as images
from wildtrace.simulate._images import draw_image


def _world_pictures(world: Path, n: int) -> list[dict[str, str]]:
    with (world / "truth" / "images.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))[:n]


def _plain(path: Path, size: tuple[int, int] = (480, 360), noise: int = 3) -> Path:
    """A picture with no text: a soft ground with a little sensor noise and a smooth blob."""
    rng = random.Random(str(path))
    img = Image.new("L", size, 200)
    img.putdata([200 + rng.randrange(-noise, noise + 1) for _ in range(size[0] * size[1])])
    ImageDraw.Draw(img).ellipse((100, 80, 300, 220), fill=206)
    img.save(path)
    return path


def test_flat_and_tiny_pictures_are_skipped_and_every_picture_with_text_is_not(sim_world: Path, tmp_path: Path
                                                                               ) -> None:
    rows = _world_pictures(sim_world, 60)
    assert rows and all(images.skip_reason(sim_world / r["image"]) is None for r in rows)
    assert images.skip_reason(_plain(tmp_path / "plain.png")) == "flat"
    Image.new("RGB", (12, 40), "white").save(tmp_path / "tiny.png")
    assert images.skip_reason(tmp_path / "tiny.png") == "small"
    draw_image(random.Random(1), ["出 象牙 手镯 5000元"], tmp_path / "ad.png")
    assert images.skip_reason(tmp_path / "ad.png") is None


def test_the_same_picture_under_two_names_is_read_once_and_the_cache_serves_the_next_reader(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = _plain(tmp_path / "a.png")
    shutil.copy(a, tmp_path / "a-copy.png")
    b = _plain(tmp_path / "b.png", noise=5)
    calls: list[str] = []
    real = images.read_picture
    monkeypatch.setattr(images, "read_picture", lambda path, ocr: calls.append(path) or real(path, ocr))
    reader = ImageReader(tmp_path / "cache", workers=1)
    seen = reader.read_many([a, tmp_path / "a-copy.png", b])
    assert len(calls) == 2 and reader.stats == {"pictures": 2, "cached": 0, "skipped": 2, "read": 0}
    assert seen[str(a)] == seen[str(tmp_path / "a-copy.png")] and seen[str(a)]["skipped"] == "flat"
    assert seen[str(a)]["text"] == "" and seen[str(a)]["sha256"] != seen[str(b)]["sha256"]
    again = ImageReader(tmp_path / "cache", workers=1)
    assert again.read_many([b, a]) == {str(b): seen[str(b)], str(a): seen[str(a)]}
    assert len(calls) == 2 and again.stats["cached"] == 2


def test_a_pool_gives_what_one_process_gives_and_reports_progress(sim_world: Path, tmp_path: Path) -> None:
    paths = [sim_world / r["image"] for r in _world_pictures(sim_world, 12)]
    ticks: list[tuple[str, int, int | None]] = []
    pooled = ImageReader(tmp_path / "pool", ocr=False, workers=2).read_many(
        paths, progress=lambda label, done, total: ticks.append((label, done, total)))
    alone = ImageReader(tmp_path / "one", ocr=False, workers=1).read_many(paths)
    assert pooled == alone and all(e["phash"] for e in pooled.values())
    distinct = len({e["sha256"] for e in pooled.values()})
    assert ticks[-1] == ("hashing pictures", distinct, distinct)


def test_an_unreadable_file_is_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "broken.png").write_bytes(b"not a picture")
    entry = ImageReader(tmp_path / "cache", workers=1).read(tmp_path / "broken.png")
    assert entry["phash"] is None and entry["text"] in ("", None)


@pytest.mark.slow
def test_the_pool_reads_the_drawn_contact_off_ad_pictures(sim_world: Path, tmp_path: Path) -> None:
    rows = [r for r in _world_pictures(sim_world, 400) if r["is_illegal"] == "1"][:10]
    read = ImageReader(tmp_path / "cache", workers=2).read_many([sim_world / r["image"] for r in rows])
    found = 0
    for r in rows:
        text = re.sub(r"[\W_]", "", read[str(sim_world / r["image"])]["text"])
        found += re.sub(r"[\W_]", "", r["text"].split(" | ")[-1].split()[-1]) in text
    assert found >= 9, (found, len(rows))


def test_a_posts_pictures_are_read_from_a_list_as_from_a_semicolon_separated_string(tmp_path: Path) -> None:
    Image.new("RGB", (64, 64), "white").save(tmp_path / "a.png")
    reader = ImageReader(tmp_path / "cache", ocr=False, workers=1)
    as_text, missing = document_of("t", "a.png; b.png", tmp_path, reader)
    for listed in (["a.png", "b.png"], np.array(["a.png", "b.png"])):  # a Parquet list column reads as an array
        doc, gone = document_of("t", listed, tmp_path, reader)
        assert (doc, gone) == (as_text, missing) and doc.n_images == 2 and gone == [tmp_path / "b.png"]
    assert document_of("t", float("nan"), tmp_path, reader)[0].n_images == 0  # a table's empty cell
