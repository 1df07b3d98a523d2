"""Score extraction against labelled truth (the simulator's or yours): price, weight, price per gram
(numbers, right when within a tolerance) and product type (a label, right when equal)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from wildtrace.extract._fields import extract_fields
from wildtrace.extract._vocab import Vocabulary, load_vocabulary

NUMERIC = {"price": "price_cny", "weight": "weight_g", "price_per_gram": "price_per_gram"}
ImageText = Callable[[Path], str]


def _number(value: Any) -> float | None:
    if value is None or str(value).strip() in ("", "nan", "None", "null"):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _predicted(fields: dict[str, Any], v: Vocabulary) -> dict[str, Any]:
    price = fields["price"]
    rate = v.to_cny.get(fields["currency"] or "")
    return {
        "price": price * rate if price is not None and rate else None,
        "weight": fields["weight_g"],
        "price_per_gram": fields["price_per_gram_cny"],
        "product_type": None if fields["product_type"] == "none" else fields["product_type"],
    }


def read_truth(path: str | Path, id_col: str, where: dict[str, str]) -> dict[str, dict[str, str]]:
    """Truth rows by post id, those matching ``where`` only; columns checked."""
    with Path(path).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {id_col, *NUMERIC.values(), *where} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s): {', '.join(sorted(missing))}")
        return {row[id_col]: row for row in reader if all(row[k] == want for k, want in where.items())}


def read_posts(path: str | Path, wanted: set[str] | None = None, image_text: ImageText | None = None,
               image_root: str | Path | None = None) -> dict[str, str]:
    """Post id -> text from a JSON Lines file of posts (``id``, ``text``), ``wanted`` ids only; with
    ``image_text``, the text read off each file in ``media`` (relative to ``image_root``, default the
    posts file's folder) joins the post's text."""
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
            post_id = str(record["id"])
            if wanted is not None and post_id not in wanted:
                continue
            parts = [record.get("text") or ""]
            if image_text is not None:
                parts += [image_text(root / m) for m in record.get("media") or [] if (root / m).is_file()]
            texts[post_id] = "\n".join(p for p in parts if p)
    return texts


def evaluate_extraction(truth: str | Path, posts: str | Path, tolerance: float = 0.01, id_col: str = "post_id",
                        where: dict[str, str] | None = None, image_text: ImageText | None = None,
                        image_root: str | Path | None = None, vocabulary: Vocabulary | None = None) -> dict[str, Any]:
    """Per field: ``n`` (posts whose truth has a value), ``coverage`` (share of those where a value was
    extracted), ``accuracy`` (share right: within ``tolerance`` for numbers), ``precision`` (share of
    extracted values that are right) and ``spurious`` (values extracted where the truth has none).
    ``where`` keeps only truth rows whose columns have the given values (e.g. ``{"image_only": "0"}``).
    Product type is scored when the truth has a ``product_type`` column (``none`` = no product)."""
    v = vocabulary or load_vocabulary()
    where = where or {}
    rows = read_truth(truth, id_col, where)
    texts = read_posts(posts, set(rows), image_text, image_root)
    fields = [*NUMERIC, *(["product_type"] if any("product_type" in r for r in rows.values()) else [])]
    stats = {f: {"n": 0, "extracted": 0, "correct": 0, "spurious": 0} for f in fields}
    misses: list[dict[str, Any]] = []
    for post_id, row in rows.items():
        text = texts.get(post_id)
        if text is None:
            continue
        got = _predicted(extract_fields(text, vocabulary=v), v)
        for field in fields:
            s = stats[field]
            have = got[field]
            if field == "product_type":
                want: Any = None if row[field] in ("", "none") else row[field]
                ok = have == want
            else:
                want = _number(row[NUMERIC[field]])
                ok = have is not None and want is not None and abs(have - want) <= tolerance * abs(want)
            if want is None:
                s["spurious"] += have is not None
                continue
            s["n"] += 1
            s["extracted"] += have is not None
            s["correct"] += ok
            if not ok and len(misses) < 100:
                misses.append({"post_id": post_id, "field": field, "truth": want, "extracted": have,
                               "text": text[:200]})
    result: dict[str, Any] = {"tolerance": tolerance, "rates_date": v.rates_date, "where": where,
                              "posts": len(texts)}
    for field, s in stats.items():
        n, ext = s["n"], s["extracted"]
        result[field] = {"n": n, "coverage": ext / n if n else None, "accuracy": s["correct"] / n if n else None,
                         "precision": s["correct"] / ext if ext else None, "spurious": s["spurious"]}
    result["misses"] = misses
    return result
