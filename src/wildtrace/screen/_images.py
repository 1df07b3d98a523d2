"""Pictures: OCR text (RapidOCR, PP-OCRv4 Chinese/English) and perceptual hashes, cached by content hash.

A platform feed carries far more pictures than text, so each picture is read at most once: files are
de-duplicated by SHA-256, looked up in a cache shared by every run and store (``Settings.cache_dir``),
small or flat pictures skip OCR after a cheap pre-check, and the rest are read by a pool of processes,
one per core, each OCR engine on one thread.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from wildtrace.log import get_logger
from wildtrace.progress import Progress, report

if TYPE_CHECKING:
    from wildtrace.config import Settings

log = get_logger(__name__)

# Engine settings that change what OCR reads; a cache entry made under other settings is read again.
# Detection works at the picture's own size up to 960 px (the engine's default enlarges every picture to
# 736 px on its short side: three times the work for the same text on feed-sized pictures).
OCR_SETTINGS = {"det_limit_side_len": 960, "det_limit_type": "max"}
OCR_VERSION = "ppocrv4-det960max"
MIN_SIDE = 16  # pixels: no legible line of text fits in less
FLAT_SHARE = 0.002  # share of strong edges in a 256-px thumbnail below which a picture holds no text
EDGE_LEVEL = 32  # grey levels between neighbours that count as an edge
POOL_MIN = 8  # fewer pictures than this are read in this process
UNREADABLE = "unreadable:"  # the key of a file that cannot be opened (never cached)
HASHES = ("phash", "dhash", "whash")  # perceptual hashes kept for each picture (64 bits each, hexadecimal)


@cache
def _ocr_engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, **OCR_SETTINGS)


@cache
def ocr_available() -> bool:
    """Whether the OCR extra is installed (``pip install 'wildtrace[ocr]'``); says so once when it is not."""
    import importlib.util

    if importlib.util.find_spec("rapidocr_onnxruntime") is None:
        log.warning("OCR is not installed: text inside pictures is not read (pip install 'wildtrace[ocr]')")
        return False
    return True


def perceptual_hashes(path: str | Path) -> dict[str, str]:
    """DCT (pHash), gradient (dHash) and Haar wavelet (wHash) hashes: one picture is the same picture only when
    several agree, since plain-background product shots often agree on one."""
    import imagehash
    from PIL import Image

    with Image.open(path) as img:
        img.load()
        return {"phash": str(imagehash.phash(img)), "dhash": str(imagehash.dhash(img)),
                "whash": str(imagehash.whash(img))}


def ocr_text(path: str | Path) -> str:
    """The text read off an image, lines in reading order."""
    result, _ = _ocr_engine()(str(path))
    return "\n".join(str(line[1]) for line in result or [])


def skip_reason(path: str | Path) -> str | None:
    """Why OCR can skip this picture (``"small"``, ``"flat"``), or None when it may hold text.

    Flat means almost no strong edges between neighbouring pixels of a grey thumbnail: a plain ground,
    a blurred or empty picture. Any drawn or printed line of text makes hundreds of such edges."""
    from PIL import Image

    with Image.open(path) as img:
        if min(img.size) < MIN_SIDE:
            return "small"
        img.draft("L", (256, 256))
        grey = np.asarray(img.convert("L").resize(_thumb(img.size)), dtype=np.int16)
    edges = (np.abs(np.diff(grey, axis=0)) >= EDGE_LEVEL).sum() + (np.abs(np.diff(grey, axis=1)) >= EDGE_LEVEL).sum()
    return "flat" if edges < FLAT_SHARE * grey.size else None


def _thumb(size: tuple[int, int]) -> tuple[int, int]:
    scale = min(1.0, 256 / max(size))
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def read_picture(path: str, ocr: bool) -> dict[str, Any]:
    """``{"phash", "dhash", "whash", "text", "skipped"}`` of one file (text None when ``ocr`` is off; hashes None
    when it cannot be read); never raises."""
    hashes = _safe(perceptual_hashes, path) or dict.fromkeys(HASHES)
    entry: dict[str, Any] = {**hashes, "text": None, "skipped": None}
    if ocr:
        entry["skipped"] = _safe(skip_reason, path)
        entry["text"] = "" if entry["skipped"] else _safe(ocr_text, path) or ""
        entry["ocr"] = OCR_VERSION
    return entry


def _read_chunk(paths: list[str], ocr: bool) -> list[dict[str, Any]]:
    return [read_picture(p, ocr) for p in paths]


def default_workers() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


class ImageReader:
    """Reads pictures once: OCR text and perceptual hashes are cached under ``cache_dir`` by content hash.

    ``workers`` processes read a batch (default: one per core; 1 reads in this process)."""

    def __init__(self, cache_dir: str | Path, ocr: bool = True, workers: int | None = None) -> None:
        self.cache_dir = Path(cache_dir)
        self.ocr = ocr and ocr_available()
        self.workers = workers or default_workers()
        self.stats = {"pictures": 0, "cached": 0, "skipped": 0, "read": 0}

    @classmethod
    def from_settings(cls, settings: Settings, ocr: bool = True) -> ImageReader:
        """The reader of these settings: their shared picture cache and number of OCR processes."""
        return cls(settings.picture_cache, ocr=ocr, workers=settings.ocr_workers or None)

    def _cache_file(self, sha: str) -> Path:
        return self.cache_dir / sha[:2] / f"{sha}.json"

    def _cached(self, sha: str) -> dict[str, Any] | None:
        try:
            entry: dict[str, Any] = json.loads(self._cache_file(sha).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if any(h not in entry for h in HASHES) or (self.ocr and entry.get("ocr") != OCR_VERSION):
            return None
        return entry

    def _remember(self, sha: str, entry: dict[str, Any]) -> None:
        target = self._cache_file(sha)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        partial.replace(target)

    def read(self, path: str | Path) -> dict[str, Any]:
        """``{"sha256", "phash", "dhash", "whash", "text", "skipped"}`` for one image file (text None when OCR is
        off)."""
        return self.read_many([path])[str(path)]

    def read_many(self, paths: Iterable[str | Path], progress: Progress | None = None) -> dict[str, dict[str, Any]]:
        """The entry of every file in ``paths`` (keyed by the path as given, as a string); each distinct
        picture is read once, cached ones not at all."""
        by_sha: dict[str, list[str]] = {}
        for path in dict.fromkeys(str(p) for p in paths):
            by_sha.setdefault(_sha256(path), []).append(path)
        found: dict[str, dict[str, Any]] = {}
        todo: list[str] = []
        for sha in by_sha:
            entry = self._cached(sha)
            if entry is None:
                todo.append(sha)
            else:
                found[sha] = entry
        self.stats["pictures"] += len(by_sha)
        self.stats["cached"] += len(found)
        label = "reading pictures" if self.ocr else "hashing pictures"
        for done, (sha, entry) in enumerate(self._read([(sha, by_sha[sha][0]) for sha in todo]), 1):
            entry["sha256"] = sha
            if not sha.startswith(UNREADABLE):
                self._remember(sha, entry)
            found[sha] = entry
            self.stats["skipped" if entry.get("skipped") else "read"] += 1
            report(progress, label, done, len(todo))
        out = {}
        for sha, names in by_sha.items():
            entry = {"sha256": sha, "text": None, "skipped": None, **found[sha]}
            if not self.ocr:
                entry["text"] = None
            out.update(dict.fromkeys(names, entry))
        return out

    def _read(self, items: list[tuple[str, str]]) -> Iterator[tuple[str, dict[str, Any]]]:
        """(sha, entry) of every (sha, path), in a process pool when there are enough of them."""
        if self.workers <= 1 or len(items) < POOL_MIN:
            for sha, path in items:
                yield sha, read_picture(path, self.ocr)
            return
        size = max(1, min(16, len(items) // (self.workers * 4)))
        chunks = [items[i:i + size] for i in range(0, len(items), size)]
        spawn = multiprocessing.get_context("spawn")  # no forked copy of the store's connections and threads
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=spawn) as pool:
            futures = [pool.submit(_read_chunk, [p for _, p in chunk], self.ocr) for chunk in chunks]
            for chunk, future in zip(chunks, futures, strict=True):
                yield from zip((sha for sha, _ in chunk), future.result(), strict=True)


def _sha256(path: str) -> str:
    """The file's SHA-256, or a key of its path marked unreadable."""
    from wildtrace.evidence import sha256_file

    try:
        return sha256_file(Path(path))
    except OSError as exc:
        log.warning("cannot read image %s: %s", path, exc)
        return UNREADABLE + hashlib.sha256(path.encode()).hexdigest()


def _safe(fn: Any, path: str | Path) -> Any:
    try:
        return fn(path)
    except Exception as exc:  # a broken image must not stop the batch
        log.warning("cannot read image %s: %s", path, exc)
        return None
