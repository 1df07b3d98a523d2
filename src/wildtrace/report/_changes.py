"""Change detection on weekly ad volume: when a crackdown bit, how much, and when the trade came back.

The weekly counts are variance-stabilised (Anscombe: 2 sqrt(y + 3/8), so Poisson noise has unit
variance), change points are found by PELT (``ruptures``) with an L2 cost and a BIC-like penalty scaled
by the noise estimated from the series itself (median absolute deviation of week-to-week differences),
and changes smaller than ``min_change`` (relative, in ads per week) or not significant (Mann-Whitney U
p-value of the weeks before against the weeks after above ``max_p``) are merged away, weakest first.
Each change is compared before/after on the raw counts: segment means, relative change, Mann-Whitney U
p-value. A drop also gets its recovery: the first week from which the mean of ``window`` weeks is back to
``recovered`` (95%) of the level before the drop, since trade usually comes back gradually.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import ruptures as rpt
from scipy.stats import mannwhitneyu

NOISE_FLOOR = 0.5  # on the Anscombe scale, where Poisson noise is 1: smoothed or aggregated series are calmer
SIZES = (0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8)  # relative drops tried by detectable_drop


def _noise(z: np.ndarray) -> float:
    diffs = np.diff(z)
    if len(diffs) < 2:
        return 1.0
    mad = float(np.median(np.abs(diffs - np.median(diffs))))
    return max(NOISE_FLOOR, mad / 0.6745 / np.sqrt(2))


def _compare(before: np.ndarray, after: np.ndarray) -> dict[str, Any]:
    b, a = float(before.mean()), float(after.mean())
    p = None
    if len(before) >= 2 and len(after) >= 2 and not (np.all(before == before[0]) and np.all(after == before[0])):
        p = float(mannwhitneyu(before, after, alternative="two-sided").pvalue)
    return {"before_mean": round(b, 2), "after_mean": round(a, 2), "before_weeks": len(before),
            "after_weeks": len(after), "change": round((a - b) / b, 3) if b > 0 else None,
            "p_value": None if p is None else round(p, 4)}


def _segments(y: np.ndarray, breaks: list[int], i: int) -> tuple[np.ndarray, np.ndarray]:
    edges = [0, *breaks, len(y)]
    return y[edges[i]:edges[i + 1]], y[edges[i + 1]:edges[i + 2]]


def _weakness(y: np.ndarray, breaks: list[int], i: int, min_change: float, max_p: float) -> float:
    """How far break ``i`` is from being kept: > 0 when the change is too small or not significant."""
    before, after = _segments(y, breaks, i)
    b = before.mean()
    size = abs(after.mean() - b) / b if b > 0 else float("inf")
    p = _compare(before, after)["p_value"]
    return max(min_change - size, (p if p is not None else 1.0) - max_p)


def recovery(counts: Sequence[float] | np.ndarray, index: int, level: float, recovered: float = 0.95,
             window: int = 3) -> int | None:
    """The first week (0-based) from ``index`` whose ``window``-week mean is back to ``recovered`` x ``level``."""
    y = np.asarray(counts, dtype=float)
    for start in range(index, len(y) - window + 1):
        if y[start:start + window].mean() >= recovered * level:
            return start
    return None


def detect_changes(counts: Sequence[float], min_change: float = 0.2, max_p: float = 0.1, min_size: int = 2,
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
        weakness = [_weakness(y, breaks, i, min_change, max_p) for i in range(len(breaks))]
        weakest = int(np.argmax(weakness))
        if weakness[weakest] <= 0:
            break
        breaks.pop(weakest)
    changes: list[dict[str, Any]] = []
    edges = [0, *breaks, n]
    for i, b in enumerate(breaks):
        comparison = _compare(y[edges[i]:b], y[b:edges[i + 2]])
        direction = "drop" if comparison["after_mean"] < comparison["before_mean"] else "rise"
        if direction == "rise" and any(c["direction"] == "drop" for c in changes):
            direction = "rebound"
        back = recovery(y, b, comparison["before_mean"]) if direction == "drop" else None
        changes.append({"index": b, "direction": direction, **comparison, "recovered_index": back})
    return changes


def compare_around(counts: Sequence[float], index: int, weeks: int) -> dict[str, Any]:
    """Before/after comparison of ``weeks`` weeks either side of week ``index`` (an event the analyst names)."""
    y = np.asarray(counts, dtype=float)
    if not 0 < index < len(y):
        raise ValueError(f"the event falls at week {index + 1}, outside the report's {len(y)} weeks (or on week 1)")
    return {"index": index, **_compare(y[max(0, index - weeks):index], y[index:index + weeks])}


def score_changes(found: Sequence[dict[str, Any]], labelled: Sequence[tuple[int, str]],
                  tolerance: int = 1) -> dict[str, Any]:
    """Precision, recall and F1 of detected changes against labelled ones, each ``(week index, drop|rise)``.

    A detection matches an unmatched label of the same kind (``rebound`` counts as ``rise``) within
    ``tolerance`` weeks, nearest first.
    """
    kind = {"drop": "drop", "rise": "rise", "rebound": "rise"}
    free = [(int(w), kind[d]) for w, d in labelled]
    hits = 0
    for c in found:
        near = [lab for lab in free if lab[1] == kind[c["direction"]] and abs(lab[0] - c["index"]) <= tolerance]
        if near:
            free.remove(min(near, key=lambda lab: abs(lab[0] - c["index"])))
            hits += 1
    precision = hits / len(found) if found else None
    recall = hits / len(labelled) if labelled else None
    f1 = 2 * precision * recall / (precision + recall) if precision and recall else 0.0
    return {"detected": len(found), "labelled": len(labelled), "matched": hits, "precision": precision,
            "recall": recall, "f1": round(f1, 3)}


def detectable_drop(counts: Sequence[float], min_change: float = 0.2, sizes: Sequence[float] = SIZES,
                    trials: int = 40, power: float = 0.8, seed: int = 0) -> float | None:
    """The smallest relative drop (of ``sizes``) that :func:`detect_changes` finds ``power`` of the time in a
    series as long, as high and as noisy as ``counts``; ``None`` when even the largest is missed.

    Series are simulated on the Anscombe scale with the noise estimated from ``counts`` (at least Poisson's), a
    drop of the given size in the middle; a detection counts when a drop is dated within a week of it.
    """
    y = np.asarray(counts, dtype=float)
    n = len(y)
    if n < 4 or y.mean() <= 0:
        return None
    sigma = max(1.0, _noise(2 * np.sqrt(y + 3 / 8)))
    rng = np.random.default_rng(seed)
    at = n // 2
    for size in sizes:
        level = np.where(np.arange(n) < at, y.mean(), y.mean() * (1 - size))
        found = 0
        for _ in range(trials):
            z = 2 * np.sqrt(level + 3 / 8) + sigma * rng.standard_normal(n)
            series = np.maximum(0.0, np.round((z / 2) ** 2 - 3 / 8))
            found += any(c["direction"] == "drop" and abs(c["index"] - at) <= 1
                         for c in detect_changes(series, min_change=min_change))
        if found >= power * trials:
            return float(size)
    return None
