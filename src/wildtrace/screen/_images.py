"""Pictures: OCR text (RapidOCR, PP-OCRv4 Chinese/English) and a perceptual hash, cached by image SHA-256."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from wildtrace.log import get_logger

log = get_logger(__name__)


@cache
def _ocr_engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR()


def perceptual_hash(path: str | Path) -> str:
    import imagehash
    from PIL import Image

    with Image.open(path) as img:
        return str(imagehash.phash(img))


def ocr_text(path: str | Path) -> str:
    """The text read off an image, lines in reading order."""
    result, _ = _ocr_engine()(str(path))
    return "\n".join(str(line[1]) for line in result or [])


class ImageReader:
    """Reads images once: OCR text and perceptual hash are cached under ``cache_dir`` by content hash."""

    def __init__(self, cache_dir: str | Path, ocr: bool = True) -> None:
        self.cache_dir = Path(cache_dir)
        self.ocr = ocr

    def read(self, path: str | Path) -> dict[str, Any]:
        """``{"sha256", "phash", "text"}`` for one image file (text is None when OCR is off)."""
        data = Path(path).read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        cached = self.cache_dir / sha[:2] / f"{sha}.json"
        entry: dict[str, Any] = json.loads(cached.read_text()) if cached.is_file() else {"sha256": sha}
        changed = False
        if "phash" not in entry:
            entry["phash"] = _safe(perceptual_hash, path)
            changed = True
        if self.ocr and "text" not in entry:
            entry["text"] = _safe(ocr_text, path) or ""
            changed = True
        if changed:
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_text(json.dumps(entry, ensure_ascii=False))
        entry.setdefault("text", None)
        return entry


def _safe(fn: Any, path: str | Path) -> Any:
    try:
        return fn(path)
    except Exception as exc:  # a broken image must not stop the batch
        log.warning("cannot read image %s: %s", path, exc)
        return None
