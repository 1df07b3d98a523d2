"""Score extraction against labelled truth (the simulator's or yours): price, weight, price per gram
(numbers, right when within a tolerance), product type and currency (labels, right when equal), and the
sets a post may hold several of: prices, contacts, payment and delivery methods (right when equal).

Truth is a CSV; lines before its header that start with ``#`` are comments (a provenance line). Prices are
either ``price_cny`` (and ``price_per_gram`` in CNY), or ``price`` and ``currency`` as written in the post
(``price_per_gram`` then in that currency per gram), converted at the vocabulary's fixed rates. Set columns
hold items separated by ``;``: ``prices`` as ``AMOUNT CUR`` (a range's low end), ``contacts`` as
``KIND VALUE`` (the normalised value), ``payment`` and ``delivery`` as canonical names.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from wildtrace.extract._fields import extract_fields
from wildtrace.extract._vocab import Vocabulary, load_vocabulary

NUMERIC = {"price": "price_cny", "weight": "weight_g", "price_per_gram": "price_per_gram"}
LABELS = ("product_type", "currency")
SETS = ("prices", "contacts", "payment", "delivery")
_EXTRACTED_SET = {"payment": "payment_methods", "delivery": "delivery_methods"}
ImageText = Callable[[Path], str]


def _number(value: Any) -> float | None:
    if value is None or str(value).strip() in ("", "nan", "None", "null"):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def _csv_rows(path: str | Path) -> Iterator[dict[str, str]]:
    """Rows of a CSV file whose header may follow ``#`` comment lines."""
    with Path(path).open(encoding="utf-8", newline="") as fh:
        lines = iter(fh)
        head = next((line for line in lines if not line.startswith("#")), "")
        yield from csv.DictReader([head, *lines]) if head else ()


def _columns(path: str | Path) -> set[str]:
    with Path(path).open(encoding="utf-8", newline="") as fh:
        head = next((line for line in fh if not line.startswith("#")), "")
    return set(next(csv.reader([head]), []))


def read_truth(path: str | Path, id_col: str, where: dict[str, str]) -> dict[str, dict[str, str]]:
    """Truth rows by post id, those matching ``where`` only; columns checked."""
    columns = _columns(path)
    price = {"price", "currency"} if {"price", "currency"} <= columns else {"price_cny"}
    missing = {id_col, "weight_g", "price_per_gram", *price, *where} - columns
    if missing:
        raise ValueError(f"{path}: missing column(s): {', '.join(sorted(missing))}")
    return {row[id_col]: row for row in _csv_rows(path) if all(row[k] == want for k, want in where.items())}


def read_posts(path: str | Path, wanted: set[str] | None = None, image_text: ImageText | None = None,
               image_root: str | Path | None = None, id_col: str = "post_id") -> dict[str, str]:
    """Post id -> text from a JSON Lines file of posts (``id``, ``text``) or a CSV file (``id_col``, ``text``),
    ``wanted`` ids only; with ``image_text``, the text read off each file in ``media`` (relative to
    ``image_root``, default the posts file's folder) joins the post's text."""
    if Path(path).suffix.lower() == ".csv":
        if not {id_col, "text"} <= _columns(path):
            raise ValueError(f"{path}: a CSV of posts needs the columns {id_col} and text")
        return {r[id_col]: r["text"] for r in _csv_rows(path) if wanted is None or r[id_col] in wanted}
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


def _items(cell: str) -> list[str]:
    return [item.strip() for item in cell.split(";") if item.strip()]


def _truth(row: dict[str, str], post_id: str, v: Vocabulary) -> dict[str, Any]:
    """The values one truth row expects, prices in CNY; errors name the record and the field."""
    currency = (row.get("currency") or "").strip().upper() or None
    native = "price" in row and "currency" in row
    if native and currency is not None and currency not in v.to_cny:
        raise ValueError(f"truth {post_id}: field 'currency': {currency!r} has no exchange rate")
    rate = v.to_cny[currency] if native and currency else 1.0
    price = _number(row["price"] if native else row["price_cny"])
    ppg = _number(row["price_per_gram"])
    want: dict[str, Any] = {
        "price": price * rate if price is not None else None,
        "weight": _number(row["weight_g"]),
        "price_per_gram": ppg * rate if ppg is not None else None,
        "product_type": None if (row.get("product_type") or "none") == "none" else row["product_type"],
        "currency": currency if price is not None else None,
    }
    for field in SETS:
        if field not in row:
            continue
        items = _items(row[field] or "")
        if field == "prices":
            pairs = []
            for item in items:
                amount, _, code = item.partition(" ")
                if _number(amount) is None or code.strip().upper() not in v.to_cny:
                    raise ValueError(f"truth {post_id}: field 'prices': {item!r} is not 'AMOUNT CURRENCY'")
                pairs.append((float(amount), code.strip().upper()))
            want[field] = pairs
        elif field == "contacts":
            for item in items:
                if " " not in item:
                    raise ValueError(f"truth {post_id}: field 'contacts': {item!r} is not 'KIND VALUE'")
            want[field] = [tuple(item.split(" ", 1)) for item in items]
        else:
            want[field] = items
    return want


def _predicted(fields: dict[str, Any], v: Vocabulary) -> dict[str, Any]:
    price = fields["price"]
    rate = v.to_cny.get(fields["currency"] or "")
    return {
        "price": price * rate if price is not None and rate else None,
        "weight": fields["weight_g"],
        "price_per_gram": fields["price_per_gram_cny"],
        "product_type": None if fields["product_type"] == "none" else fields["product_type"],
        "currency": fields["currency"] if price is not None else None,
        "prices": [(p["amount"], p["currency"]) for p in fields["prices"]],
        "contacts": [(c["kind"], c["value"]) for c in fields["contacts"]],
        "payment": fields["payment_methods"],
        "delivery": fields["delivery_methods"],
    }


def _close(have: float, want: float, tolerance: float) -> bool:
    return abs(have - want) <= tolerance * abs(want)


def _matched(field: str, have: list[Any], want: list[Any], tolerance: float) -> int:
    """How many wanted items were extracted (each extracted item counts once)."""
    left = list(have)
    n = 0
    for w in want:
        hit = next((h for h in left if (h[1] == w[1] and _close(h[0], w[0], tolerance) if field == "prices"
                                        else h == w)), None)
        if hit is not None:
            left.remove(hit)
            n += 1
    return n


def evaluate_extraction(truth: str | Path, posts: str | Path, tolerance: float = 0.01, id_col: str = "post_id",
                        where: dict[str, str] | None = None, image_text: ImageText | None = None,
                        image_root: str | Path | None = None, vocabulary: Vocabulary | None = None) -> dict[str, Any]:
    """Per field: ``n`` (posts whose truth has a value), ``coverage`` (share of those where a value was
    extracted), ``accuracy`` (share right: within ``tolerance`` for numbers, the exact set for sets),
    ``precision`` (share of extracted values, or set items, that are right) and ``spurious`` (values or items
    extracted where the truth has none); sets also have ``recall`` (share of the truth's items found).
    ``where`` keeps only truth rows whose columns have the given values (e.g. ``{"image_only": "0"}``).
    Product type, currency and the sets are scored when the truth has their column."""
    v = vocabulary or load_vocabulary()
    where = where or {}
    rows = read_truth(truth, id_col, where)
    texts = read_posts(posts, set(rows), image_text, image_root, id_col)
    columns = set(next(iter(rows.values()), {}))
    fields = [*NUMERIC, *(f for f in (*LABELS, *SETS) if f in columns)]
    stats = {f: {"n": 0, "extracted": 0, "correct": 0, "spurious": 0, "found": 0, "right": 0, "items": 0}
             for f in fields}
    misses: list[dict[str, Any]] = []
    for post_id, row in rows.items():
        text = texts.get(post_id)
        if text is None:
            continue
        want_all = _truth(row, post_id, v)
        got = _predicted(extract_fields(text, vocabulary=v), v)
        for field in fields:
            s = stats[field]
            have, want = got[field], want_all[field]
            if field in SETS:
                right = _matched(field, have, want, tolerance)
                ok = right == len(want) == len(have)
                if not want:
                    s["spurious"] += len(have)
                    continue
                s["found"] += len(have)
                s["right"] += right
                s["items"] += len(want)
                have = have or None
            elif field in NUMERIC:
                ok = have is not None and want is not None and _close(have, want, tolerance)
            else:
                ok = have == want
            if want is None:
                s["spurious"] += have is not None
                continue
            s["n"] += 1
            s["extracted"] += have is not None
            s["correct"] += ok
            if not ok and sum(m["field"] == field for m in misses) < 40:
                misses.append({"post_id": post_id, "field": field, "truth": want, "extracted": have,
                               "text": text[:200]})
    result: dict[str, Any] = {"tolerance": tolerance, "rates_date": v.rates_date, "where": where,
                              "posts": len(texts)}
    for field, s in stats.items():
        n, ext = s["n"], s["extracted"]
        result[field] = {"n": n, "coverage": ext / n if n else None, "accuracy": s["correct"] / n if n else None,
                         "precision": s["correct"] / ext if ext else None, "spurious": s["spurious"]}
        if field in SETS:
            result[field]["precision"] = s["right"] / s["found"] if s["found"] else None
            result[field]["recall"] = s["right"] / s["items"] if s["items"] else None
    result["misses"] = misses
    return result
