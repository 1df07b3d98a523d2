"""Honest numbers: medians with interquartile ranges and bootstrap intervals, exact intervals for counts and
shares, changes with their intervals, and how far screening error moves a count.

Prices are skewed and positive: they are summarised by median and interquartile range, and the uncertainty of the
median by a percentile bootstrap, which stays inside the observed values (never below zero). Counts of ads are
Poisson: the change between two stretches of weeks is a rate ratio with the exact interval that follows from the
binomial split of the two counts. Shares get Wilson intervals.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy.stats import binomtest

BOOTSTRAP = 2000
LEVEL = 0.95
THIN = 10  # fewer events than this on either side: too few to tell


def _round(x: float | None, digits: int = 2) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), digits)


def distribution(values: Sequence[float] | np.ndarray, seed: int = 0) -> dict[str, Any]:
    """n, median, quartiles, mean and a 95% bootstrap interval of the median of positive ``values``."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if not len(v):
        return {"n": 0, "median": None, "p25": None, "p75": None, "mean": None, "ci_low": None, "ci_high": None}
    low, high = bootstrap_interval(v, seed=seed)
    p25, median, p75 = np.percentile(v, [25, 50, 75])
    return {"n": len(v), "median": _round(median), "p25": _round(p25), "p75": _round(p75), "mean": _round(v.mean()),
            "ci_low": _round(low), "ci_high": _round(high)}


def bootstrap_interval(values: np.ndarray, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap 95% interval of the median (within the range of ``values``)."""
    if len(values) < 2:
        return float(values[0]), float(values[0])
    rng = np.random.default_rng(seed)
    medians = np.median(rng.choice(values, size=(BOOTSTRAP, len(values)), replace=True), axis=1)
    low, high = np.percentile(medians, [100 * (1 - LEVEL) / 2, 100 * (1 + LEVEL) / 2])
    return float(low), float(high)


def median_change(before: Sequence[float], after: Sequence[float], seed: int = 0) -> dict[str, Any]:
    """Relative change of the median from ``before`` to ``after`` with a bootstrap 95% interval."""
    a, b = (np.asarray(x, dtype=float) for x in (before, after))
    a, b = a[np.isfinite(a) & (a > 0)], b[np.isfinite(b) & (b > 0)]
    out: dict[str, Any] = {"n_before": len(a), "n_after": len(b), "change": None, "ci_low": None, "ci_high": None,
                           "verdict": "too few to tell"}
    if len(a) < THIN or len(b) < THIN:
        return out
    rng = np.random.default_rng(seed)
    ratios = (np.median(rng.choice(b, size=(BOOTSTRAP, len(b))), axis=1)
              / np.median(rng.choice(a, size=(BOOTSTRAP, len(a))), axis=1)) - 1
    low, high = np.percentile(ratios, [2.5, 97.5])
    out.update(change=_round(np.median(b) / np.median(a) - 1, 3), ci_low=_round(low, 3), ci_high=_round(high, 3),
               verdict=_verdict(low, high))
    return out


def _verdict(low: float, high: float) -> str:
    if low > 0:
        return "rose"
    if high < 0:
        return "fell"
    return "no clear change"


def rate_change(before: int, after: int, weeks_before: int, weeks_after: int) -> dict[str, Any]:
    """Change of a weekly rate from ``before`` events in ``weeks_before`` weeks to ``after`` in ``weeks_after``:
    relative change and its exact 95% interval (binomial split of the two Poisson counts)."""
    out: dict[str, Any] = {"before": before, "after": after, "weeks_before": weeks_before, "weeks_after": weeks_after,
                           "per_week_before": _round(before / weeks_before, 1) if weeks_before else None,
                           "per_week_after": _round(after / weeks_after, 1) if weeks_after else None,
                           "change": None, "ci_low": None, "ci_high": None, "verdict": "too few to tell"}
    if not weeks_before or not weeks_after or before + after == 0:
        return out
    scale = weeks_before / weeks_after
    if before > 0:
        out["change"] = _round(after / before * scale - 1, 3)
    if before < THIN and after < THIN:
        return out
    ci = binomtest(after, before + after).proportion_ci(confidence_level=LEVEL, method="exact")
    low = ci.low / (1 - ci.low) * scale - 1
    high = ci.high / (1 - ci.high) * scale - 1 if ci.high < 1 else float("inf")
    out.update(ci_low=_round(low, 3), ci_high=_round(high, 3) if np.isfinite(high) else None,
               verdict=_verdict(low, high))
    return out


def share(hits: int, n: int) -> dict[str, Any]:
    """A share with its Wilson 95% interval."""
    if n == 0:
        return {"hits": 0, "n": 0, "share": None, "ci_low": None, "ci_high": None}
    ci = binomtest(hits, n).proportion_ci(confidence_level=LEVEL, method="wilson")
    low, high = ci.low, ci.high
    return {"hits": hits, "n": n, "share": _round(hits / n, 3), "ci_low": _round(low, 3), "ci_high": _round(high, 3)}


def corrected_count(flagged: int, precision: dict[str, Any], recall: dict[str, Any]) -> dict[str, Any]:
    """How many illegal ads ``flagged`` ads stand for, given screening precision and recall (each a :func:`share`
    or a point value): flagged x precision / recall, with the range the two intervals allow."""
    p, r = precision.get("share"), recall.get("share")
    if not p or not r:
        return {"estimate": None, "low": None, "high": None}
    p_low, p_high = precision.get("ci_low") or p, precision.get("ci_high") or p
    r_low, r_high = recall.get("ci_low") or r, recall.get("ci_high") or r
    return {"estimate": round(flagged * p / r), "low": round(flagged * p_low / r_high),
            "high": round(flagged * p_high / max(r_low, 1e-9)), "true_flagged": round(flagged * p)}
