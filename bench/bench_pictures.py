"""Pictures: what the image reader gets through per second against the OCR engine as it ships.

The set is shaped like a feed: most pictures carry a drawn price or contact (the simulator's ads), a quarter are
product shots with no text, and one in six is a re-post of an earlier picture. The baseline is RapidOCR with its
default settings over every file, one after another; the reader de-duplicates, skips text-free pictures, reads at
the pictures' own size and, in ``ocr_pool``, uses a process per core. Start with an empty cache each time.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from bench.harness import Benchmark

LINES = [["出 象牙手镯 {p}元", "微信 ivory_{i}"], ["XY手串 {p}", "V: wx_{i}"], ["Ca phe rang xay", "{p} NDT"],
         ["ivory bangle {p} usd", "whatsapp +86 138{i:08d}"]]


def _prepare(n: int, workdir: Path) -> dict:
    from PIL import Image, ImageDraw

    from wildtrace.simulate._images import draw_image

    rng = random.Random(n)
    paths: list[str] = []
    for i in range(n):
        path = workdir / f"pic{i}.png"
        r = rng.random()
        if paths and r < 1 / 6:
            shutil.copy(rng.choice(paths), path)
        elif r < 1 / 6 + 0.25:
            img = Image.new("L", (480, 360), rng.randrange(170, 235))
            ImageDraw.Draw(img).ellipse((80, 60, 80 + rng.randrange(120, 300), 60 + rng.randrange(80, 200)),
                                        fill=rng.randrange(200, 255))
            img.save(path)
        else:
            draw_image(rng, [line.format(p=rng.randrange(100, 9000), i=i) for line in rng.choice(LINES)], path)
        paths.append(str(path))
    return {"pictures": paths, "cache": str(workdir / "cache")}


def _reader(workers: int):  # type: ignore[no-untyped-def]
    def run(ctx: dict) -> int:
        from wildtrace.screen import ImageReader

        reader = ImageReader(ctx["cache"], workers=workers or None)
        reader.read_many(ctx["pictures"])
        return len(ctx["pictures"])

    return run


def _engine_setup(ctx: dict, phase: str) -> object:
    if phase == "baseline":
        from rapidocr_onnxruntime import RapidOCR

        return RapidOCR()
    from wildtrace.screen._images import _ocr_engine

    return _ocr_engine()  # loaded untimed, as a long-running screener has it


def bare_engine(ctx: dict) -> int:
    """Baseline: the OCR engine with its shipped settings over every file."""
    for path in ctx["pictures"]:
        ctx["state"](path)
    return len(ctx["pictures"])


BENCHMARKS = [
    Benchmark(name="ocr_one_core", unit="pictures", sizes=[24, 48, 96], prepare=_prepare, run=_reader(1),
              baseline=bare_engine, baseline_name="RapidOCR as shipped, every file", quick_sizes=[8],
              setup=_engine_setup, notes="reader in this process: de-duplication, pre-check, own-size detection"),
    Benchmark(name="ocr_pool", unit="pictures", sizes=[24, 48, 96], prepare=_prepare, run=_reader(0),
              baseline=bare_engine, baseline_name="RapidOCR as shipped, every file", quick_sizes=[8],
              setup=_engine_setup, notes="reader with a process per core (start-up of the pool is timed)"),
]
