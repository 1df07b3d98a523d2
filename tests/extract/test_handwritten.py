"""Extraction on hand-written posts that the simulator did not write (tests/extract/data/handwritten_posts.csv):
Chinese, Hong Kong, Vietnamese, Thai, Indonesian and English notations, decoys (years, sizes, phone numbers,
order numbers) and several items in one post, labelled by hand. Floors sit a little under what is measured
(docs/extract.md, "Hand-written posts")."""

from __future__ import annotations

import csv
from pathlib import Path

from wildtrace.extract import evaluate_extraction

DATA = Path(__file__).parent / "data" / "handwritten_posts.csv"

# field: (coverage, accuracy, precision) floors
FLOORS = {
    "price": (0.82, 0.72, 0.86),
    "weight": (0.93, 0.90, 0.95),
    "price_per_gram": (0.79, 0.75, 0.93),
    "product_type": (0.65, 0.64, 0.96),
    "currency": (0.82, 0.80, 0.95),
    "prices": (0.82, 0.73, 0.90),
    "contacts": (0.87, 0.79, 0.92),
    "payment": (0.70, 0.63, 0.98),
    "delivery": (0.63, 0.63, 0.98),
}


def test_the_set_is_large_and_varied() -> None:
    with DATA.open(encoding="utf-8") as fh:
        assert fh.readline().startswith("# provenance:")
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 120
    assert {r["language"] for r in rows} >= {"zh", "zh-hk", "vi", "th", "id", "en"}
    assert len({r["currency"] for r in rows if r["price"]}) >= 7
    assert sum(not r["price"] for r in rows) >= 15  # posts without a price: negotiable, decoys


def test_floors_on_hand_written_posts() -> None:
    result = evaluate_extraction(DATA, DATA)
    assert result["posts"] >= 120
    for field, (coverage, accuracy, precision) in FLOORS.items():
        r = result[field]
        assert r["coverage"] >= coverage, (field, r)
        assert r["accuracy"] >= accuracy, (field, r)
        assert r["precision"] >= precision, (field, r)
    assert result["price"]["spurious"] <= 1  # years, sizes, phone and order numbers are not prices
