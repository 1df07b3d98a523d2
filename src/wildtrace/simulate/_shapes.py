"""The published shapes, measured back from a written world's files (for ``--describe`` and the docs)."""

from __future__ import annotations

import csv
import json
import statistics
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from wildtrace.simulate._clock import START

KEYWORDS = ("象牙", "ivory", "犀牛角", "穿山甲")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def measure_shapes(out: Path) -> dict[str, Any]:
    """Category shares, ivory price per gram by product type, weekly ad volume relative to weeks 1-4,
    night shares, benign share, and how often naive keyword search is right (precision) and finds ads (recall)."""
    out = Path(out)
    truth = {r["post_id"]: r for r in _rows(out / "truth" / "posts.csv")}
    weeks: Counter[int] = Counter()
    night = {"illegal": [0, 0], "benign": [0, 0]}
    hits = found = 0
    with (out / "posts.jsonl").open(encoding="utf-8") as f:
        for line in f:
            post = json.loads(line)
            illegal = truth[post["id"]]["is_illegal"] == "1"
            t = datetime.fromisoformat(post["posted_at"])
            kind = "illegal" if illegal else "benign"
            night[kind][0] += t.hour >= 21 or t.hour < 6
            night[kind][1] += 1
            if illegal:
                weeks[(t - START).days // 7 + 1] += 1
            if any(k in post["text"].lower() for k in KEYWORDS):
                hits += 1
                found += illegal
    steady = statistics.fmean(weeks[w] for w in range(1, 5))
    people = {r["person_id"]: r["category"] for r in _rows(out / "truth" / "accounts.csv") if r["is_trader"] == "1"}
    cats = Counter(people.values())
    ppg: dict[str, list[float]] = defaultdict(list)
    for r in truth.values():
        if r["species"] == "ivory":
            ppg[r["product_type"]].append(float(r["price_per_gram"]))
    n_illegal = night["illegal"][1]
    return {
        "trader_categories": {c: round(cats[c] / len(people), 3) for c in sorted(cats)},
        "ivory_cny_per_gram": {t: {"mean": round(statistics.fmean(v), 1), "sd": round(statistics.pstdev(v), 1),
                                   "ads": len(v)} for t, v in sorted(ppg.items())},
        "ad_volume_vs_weeks_1_4": {w: round(weeks[w] / steady, 2) for w in sorted(weeks)},
        "night_share": {k: round(v[0] / v[1], 3) for k, v in night.items() if v[1]},
        "benign_share": round(night["benign"][1] / (n_illegal + night["benign"][1]), 3),
        "keyword_search": {"precision": round(found / hits, 3) if hits else None,
                           "recall": round(found / n_illegal, 3) if n_illegal else None},
    }
