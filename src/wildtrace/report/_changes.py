"""Change detection on weekly ad volume: when a crackdown bit, how much, and when the trade came back.

The weekly counts are variance-stabilised (Anscombe: 2 sqrt(y + 3/8), so Poisson noise has unit
variance), change points are found by PELT (``ruptures``) with an L2 cost and a BIC-like penalty scaled
by the noise estimated from the series itself (median absolute deviation of week-to-week differences),
and changes smaller than ``min_change`` (relative, in ads per week) are merged away. Each change is then
compared before/after on the raw counts: segment means, relative change and a Mann-Whitney U p-value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import ruptures as rpt
from scipy.stats import mannwhitneyu


def _noise(z: np.ndarray) -> float:
    diffs = np.diff(z)
    if len(diffs) < 2:
        return 1.0
    mad = float(np.median(np.abs(diffs - np.median(diffs))))
    return max(1.0, mad / 0.6745 / np.sqrt(2))


def _compare(before: np.ndarray, after: np.ndarray) -> dict[str, Any]:
    b, a = float(before.mean()), float(after.mean())
    p = None
    if len(before) >= 2 and len(after) >= 2 and not (np.all(before == before[0]) and np.all(after == before[0])):
        p = float(mannwhitneyu(before, after, alternative="two-sided").pvalue)
    return {"before_mean": round(b, 2), "after_mean": round(a, 2), "before_weeks": len(before),
            "after_weeks": len(after), "change": round((a - b) / b, 3) if b > 0 else None,
            "p_value": None if p is None else round(p, 4)}


def _relative(y: np.ndarray, breaks: list[int], i: int) -> float:
    edges = [0, *breaks]
    before = y[edges[i]:breaks[i]]
    after = y[breaks[i]:(breaks[i + 1] if i + 1 < len(breaks) else len(y))]
    b = before.mean()
    return abs(after.mean() - b) / b if b > 0 else float("inf")


def detect_changes(counts: Sequence[float], min_change: float = 0.2, min_size: int = 2,
                   penalty: float | None = None) -> list[dict[str, Any]]:
    """Change points of a weekly series: ``index`` is the first week (0-based) of the new level.

    Each change has its direction (``drop``, ``rise``, or ``rebound`` for a rise after a drop) and the
    before/after comparison of the two levels it separates.
    """
    y = np.asarray(counts, dtype=float)
    n = len(y)
    if n < 2 * min_size:
        return []
    z = 2 * np.sqrt(y + 3 / 8)
    pen = penalty if penalty is not None else 2 * _noise(z) ** 2 * np.log(n)
    breaks = [b for b in rpt.Pelt(model="l2", min_size=min_size, jump=1).fit(z.reshape(-1, 1)).predict(pen=pen)
              if b < n]
    while breaks:
        sizes = [_relative(y, breaks, i) for i in range(len(breaks))]
        smallest = int(np.argmin(sizes))
        if sizes[smallest] >= min_change:
            break
        breaks.pop(smallest)
    changes: list[dict[str, Any]] = []
    edges = [0, *breaks, n]
    for i, b in enumerate(breaks):
        comparison = _compare(y[edges[i]:b], y[b:edges[i + 2]])
        direction = "drop" if comparison["after_mean"] < comparison["before_mean"] else "rise"
        if direction == "rise" and any(c["direction"] == "drop" for c in changes):
            direction = "rebound"
        changes.append({"index": b, "direction": direction, **comparison})
    return changes


def compare_around(counts: Sequence[float], index: int, weeks: int) -> dict[str, Any]:
    """Before/after comparison of ``weeks`` weeks either side of week ``index`` (an event the analyst names)."""
    y = np.asarray(counts, dtype=float)
    if not 0 < index < len(y):
        raise ValueError(f"the event falls at week {index + 1}, outside the report's {len(y)} weeks (or on week 1)")
    return {"index": index, **_compare(y[max(0, index - weeks):index], y[index:index + weeks])}
