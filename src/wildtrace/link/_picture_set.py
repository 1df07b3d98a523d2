"""A labelled picture-pair set: copies of one picture under transforms vs look-alike shots of different items.

Half of the originals are drawn the way the simulator draws item photos (a pale shape on a plain grey ground
with the price and contact on a white band), half are colour product shots on a plain ground (a bangle,
a carving, beads) with soft shading. A *copy* is an original re-encoded as JPEG, resized, cropped at the
edges, or several of these; a *look-alike* is another item drawn in the same style on a similar ground.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter

from wildtrace.link._images import PictureRule, same_picture
from wildtrace.simulate._images import draw_image

SIZE = (480, 360)


@dataclass(frozen=True)
class PicturePair:
    left: Path
    right: Path
    same: bool
    how: str


def _product_shot(rng: random.Random, path: Path) -> None:
    """A colour product photo stand-in: one object with a shadow on a plain, slightly graded ground."""
    ground = tuple(rng.randrange(215, 250) for _ in range(3))
    img = Image.new("RGB", SIZE, ground)
    d = ImageDraw.Draw(img)
    for y in range(0, SIZE[1], 6):  # a soft vertical gradient, as under studio light
        shade = tuple(max(0, c - y // 24) for c in ground)
        d.rectangle((0, y, SIZE[0], y + 6), fill=shade)
    body = (rng.randrange(200, 250), rng.randrange(180, 235), rng.randrange(140, 210))  # ivory, bone, amber tones
    cx, cy = rng.randrange(160, 320), rng.randrange(130, 230)
    w, h = rng.randrange(70, 150), rng.randrange(50, 120)
    d.ellipse((cx - w, cy + h - 10, cx + w, cy + h + 20), fill=tuple(c - 40 for c in ground))  # shadow
    kind = rng.choice(["bangle", "carving", "beads"])
    if kind == "bangle":
        d.ellipse((cx - w, cy - h, cx + w, cy + h), fill=body)
        d.ellipse((cx - w // 2, cy - h // 2, cx + w // 2, cy + h // 2), fill=ground)
    elif kind == "carving":
        points = [(cx + rng.randrange(-w, w), cy + rng.randrange(-h, h)) for _ in range(rng.randrange(5, 9))]
        d.polygon(points, fill=body, outline=tuple(c - 60 for c in body))
    else:
        r = rng.randrange(10, 18)
        for i in range(rng.randrange(8, 16)):
            x = cx - w + i * 2 * r
            y = cy + int(h * 0.3 * ((i % 5) - 2) / 2)
            d.ellipse((x - r, y - r, x + r, y + r), fill=body, outline=tuple(c - 50 for c in body))
    img.filter(ImageFilter.GaussianBlur(1.2)).save(path, format="PNG")


def _original(rng: random.Random, i: int, folder: Path) -> Path:
    path = folder / f"item_{i:04d}.png"
    if i % 2:
        _product_shot(rng, path)
    else:
        lines = [rng.choice(["象牙 手镯", "老料 挂件", "ivory bangle", "犀角 杯"]),
                 f"{rng.randrange(5, 300)}g  ¥{rng.randrange(2, 90) * 100}",
                 f"V wx_{rng.randrange(10**5, 10**6)}"]
        draw_image(rng, lines, path)
    return path


def _copy(rng: random.Random, source: Path, stem: Path) -> tuple[Path, str]:
    """A transformed copy of ``source`` at ``stem`` with the suffix of its format, and what was done."""
    steps = rng.choice([["jpeg"], ["resize"], ["crop"], ["resize", "jpeg"], ["crop", "jpeg"],
                        ["crop", "resize", "jpeg"]])
    with Image.open(source) as original:
        img = original.convert("RGB")
    done = []
    for step in steps:
        if step == "resize":
            factor = rng.choice([0.5, 0.66, 0.8, 1.25, 1.5])
            img = img.resize((round(img.width * factor), round(img.height * factor)), Image.Resampling.LANCZOS)
            done.append(f"resize {factor}")
        elif step == "crop":
            share = rng.uniform(0.02, 0.06)
            dx, dy = round(img.width * share), round(img.height * share)
            left, top = rng.randrange(0, dx + 1), rng.randrange(0, dy + 1)
            img = img.crop((left, top, img.width - (dx - left), img.height - (dy - top)))
            done.append(f"crop {share:.0%}")
    quality = rng.randrange(55, 90)
    if "jpeg" in steps:
        out = stem.with_suffix(".jpg")
        img.save(out, format="JPEG", quality=quality)
        done.append(f"jpeg q{quality}")
    else:
        out = stem.with_suffix(".png")
        img.save(out, format="PNG")
    return out, " + ".join(done)


def picture_pairs(folder: Path, n: int = 110, seed: int = 18) -> list[PicturePair]:
    """``n`` copy pairs and ``n`` look-alike pairs (each original against the next item drawn alike)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    originals = [_original(rng, i, folder) for i in range(n + 2)]
    pairs = []
    for i in range(n):
        copy, how = _copy(rng, originals[i], folder / f"copy_{i:04d}")
        pairs.append(PicturePair(originals[i], copy, True, how))
        pairs.append(PicturePair(originals[i], originals[i + 2], False, "look-alike: another item, same style"))
    return pairs


def _hashes(path: Path) -> dict[str, Any]:
    from wildtrace.screen._images import perceptual_hashes

    return {**perceptual_hashes(path), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


def judge_pictures(pairs: list[PicturePair], rule: PictureRule = PictureRule()) -> list[tuple[bool, bool, str]]:
    """(truly the same, judged the same, how the copy was made) of every pair."""
    hashes: dict[Path, dict[str, Any]] = {}
    for path in {p for pair in pairs for p in (pair.left, pair.right)}:
        hashes[path] = _hashes(path)
    return [(p.same, same_picture(hashes[p.left], hashes[p.right], rule), p.how) for p in pairs]


def score_picture_set(folder: Path, n: int = 110, seed: int = 18, rule: PictureRule = PictureRule()) -> dict[str, Any]:
    """Precision and recall of "same picture" on a generated set (:func:`picture_pairs`) drawn in ``folder``."""
    judged = judge_pictures(picture_pairs(folder, n, seed), rule)
    tp = sum(same and said for same, said, _ in judged)
    fp = sum(said and not same for same, said, _ in judged)
    fn = sum(same and not said for same, said, _ in judged)
    uncropped = [said for same, said, how in judged if same and "crop" not in how]
    cropped = [said for same, said, how in judged if same and "crop" in how]
    return {"pairs": len(judged), "seed": seed, "precision": round(tp / (tp + fp), 4) if tp + fp else None,
            "recall": round(tp / (tp + fn), 4) if tp + fn else None,
            "uncropped_copies_found": f"{sum(uncropped)}/{len(uncropped)}",
            "cropped_copies_found": f"{sum(cropped)}/{len(cropped)}", "look_alikes_judged_same": fp}
