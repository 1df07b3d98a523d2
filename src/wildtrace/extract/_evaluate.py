"""Score price, weight and price-per-gram extraction against labelled truth (the simulator's or yours)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wildtrace.extract._fields import extract_fields
from wildtrace.extract._vocab import Vocabulary, load_vocabulary

FIELDS = {"price": "price_cny", "weight": "weight_g", "price_per_gram": "price_per_gram"}


def _number(value: Any) -> float | None:
    if value is None or str(value).strip() in ("", "nan", "None", "null"):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _predicted(fields: dict[str, Any], v: Vocabulary) -> dict[str, float | None]:
    price = fields["price"]
    rate = v.to_cny.get(fields["currency"] or "")
    return {
        "price": price * rate if price is not None and rate else None,
        "weight": fields["weight_g"],
        "price_per_gram": fields["price_per_gram_cny"],
    }


ImageText = Callable[[Path], str]


def read_posts(path: str | Path, image_text: ImageText | None = None, image_root: str | Path | None = None
               ) -> dict[str, str]:
    """Post id -> text from a JSON Lines file of posts (``id``, ``text``): with ``image_text``, the text
    read off each file in ``media`` (relative to ``image_root``, default the posts file's folder) joins it."""
    root = Path(image_root) if image_root else Path(path).parent
    texts = {}
    with Path(path).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}: line {n}: not valid JSON: {exc}") from exc
            if "id" not in record:
                raise ValueError(f"{path}: line {n}: field 'id' is missing")
            parts = [record.get("text") or ""]
            if image_text is not None:
                parts += [image_text(root / m) for m in record.get("media") or [] if (root / m).is_file()]
            texts[str(record["id"])] = "\n".join(p for p in parts if p)
    return texts


def evaluate_extraction(truth: str | Path, posts: str | Path, tolerance: float = 0.01, id_col: str = "post_id",
                        where: dict[str, str] | None = None, image_text: ImageText | None = None,
                        image_root: str | Path | None = None, vocabulary: Vocabulary | None = None) -> dict[str, Any]:
    """Per field: ``n`` (posts whose truth has a value), ``coverage`` (share of those where a value was
    extracted), ``accuracy`` (share within ``tolerance`` of the truth), ``precision`` (share of extracted
    values that are right) and ``spurious`` (values extracted where the truth has none). ``where`` keeps
    only truth rows whose columns have the given values (e.g. ``{"image_only": "0"}``)."""
    v = vocabulary or load_vocabulary()
    texts = read_posts(posts, image_text, image_root)
    where = where or {}
    stats = {f: {"n": 0, "extracted": 0, "correct": 0, "spurious": 0} for f in FIELDS}
    misses: list[dict[str, Any]] = []
    with Path(truth).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {id_col, *FIELDS.values(), *where} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{truth}: missing column(s): {', '.join(sorted(missing))}")
        for row in reader:
            text = texts.get(row[id_col])
            if text is None or any(row[k] != want for k, want in where.items()):
                continue
            got = _predicted(extract_fields(text, vocabulary=v), v)
            for field, column in FIELDS.items():
                want, have = _number(row[column]), got[field]
                s = stats[field]
                if want is None:
                    s["spurious"] += have is not None
                    continue
                s["n"] += 1
                s["extracted"] += have is not None
                ok = have is not None and abs(have - want) <= tolerance * abs(want)
                s["correct"] += ok
                if not ok and len(misses) < 50:
                    misses.append({"post_id": row[id_col], "field": field, "truth": want, "extracted": have,
                                   "text": text[:200]})
    result: dict[str, Any] = {"tolerance": tolerance, "rates_date": v.rates_date, "where": where}
    for field, s in stats.items():
        n, ext = s["n"], s["extracted"]
        result[field] = {"n": n, "coverage": ext / n if n else None, "accuracy": s["correct"] / n if n else None,
                         "precision": s["correct"] / ext if ext else None, "spurious": s["spurious"]}
    result["misses"] = misses
    return result
