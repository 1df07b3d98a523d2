"""Operating points: the cut-offs of the tiers, chosen on out-of-fold scores for the metric the user names."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HIGH_PRECISION = 0.9  # tier high: the lowest cut-off whose out-of-fold precision reaches this
LOW_RECALL = 0.98  # tier low: the highest cut-off that still keeps this share of the positives


@dataclass(frozen=True)
class Objective:
    """What the medium cut-off maximises: ``f1``, ``mcc``, or precision at a recall of at least ``recall``."""

    name: str
    recall: float | None = None

    def __str__(self) -> str:
        return f"precision-at-recall {self.recall:g}" if self.recall is not None else self.name


def parse_objective(text: str) -> Objective:
    """``f1``, ``mcc`` or ``precision-at-recall R`` (also ``precision-at-recall:R``, ``precision-at-recall=R``)."""
    words = text.strip().lower().replace(":", " ").replace("=", " ").split()
    if words in (["f1"], ["mcc"]):
        return Objective(words[0])
    if len(words) == 2 and words[0] == "precision-at-recall":
        try:
            recall = float(words[1])
        except ValueError:
            recall = -1.0
        if 0 < recall <= 1:
            return Objective("precision-at-recall", recall)
    raise ValueError(f"--optimise {text!r}: use f1, mcc or 'precision-at-recall R' with 0 < R <= 1")


@dataclass
class Curve:
    """Confusion counts when flagging ``score >= cutoffs[i]``, for every distinct score (descending)."""

    cutoffs: np.ndarray
    tp: np.ndarray
    fp: np.ndarray
    positives: int
    n: int

    @classmethod
    def of(cls, labels: np.ndarray | list[int], scores: np.ndarray | list[float]) -> Curve:
        y = np.asarray(labels, dtype=bool)
        s = np.asarray(scores, dtype=np.float64)
        order = np.argsort(-s, kind="stable")
        s, y = s[order], y[order]
        last = np.append(s[1:] != s[:-1], True)  # the last position of each distinct score
        tp, fp = np.cumsum(y)[last], np.cumsum(~y)[last]
        return cls(s[last], tp.astype(np.float64), fp.astype(np.float64), int(y.sum()), len(y))

    @property
    def precision(self) -> np.ndarray:
        return self.tp / np.maximum(self.tp + self.fp, 1)

    @property
    def recall(self) -> np.ndarray:
        return self.tp / max(self.positives, 1)

    @property
    def f1(self) -> np.ndarray:
        return 2 * self.tp / np.maximum(self.tp + self.fp + self.positives, 1)

    @property
    def mcc(self) -> np.ndarray:
        fn = self.positives - self.tp
        tn = self.n - self.positives - self.fp
        denom = np.sqrt((self.tp + self.fp) * self.positives * (tn + self.fp) * (tn + fn))
        return np.where(denom > 0, (self.tp * tn - self.fp * fn) / np.where(denom > 0, denom, 1), 0.0)

    def value(self, objective: Objective) -> np.ndarray:
        """The objective at every cut-off (precision where the recall falls short of the target counts as 0)."""
        if objective.recall is not None:
            return np.where(self.recall >= objective.recall - 1e-12, self.precision, 0.0)
        return self.f1 if objective.name == "f1" else self.mcc

    def best(self, objective: Objective) -> tuple[float, float]:
        """(cut-off, objective value) of the best cut-off. Where several cut-offs tie (separable scores), the
        middle of their range: a cut-off at the edge of the gap between the classes would drop new posts that
        score a little lower (or higher) than the training ones."""
        values = self.value(objective)
        top = float(values.max())
        tied = np.flatnonzero(values >= top - 1e-9)
        first, last = int(tied[0]), int(tied[-1])
        below = self.cutoffs[last + 1] if last + 1 < len(self.cutoffs) else 0.0
        return float((self.cutoffs[first] + below) / 2), top


def choose_thresholds(labels: np.ndarray | list[int], scores: np.ndarray | list[float],
                      objective: Objective) -> dict[str, float]:
    """Tier cut-offs from out-of-fold (calibrated) scores: medium maximises ``objective``; high is the lowest
    cut-off at or above medium whose precision reaches ``HIGH_PRECISION`` (else halfway from medium to 1); low
    the highest cut-off at or below medium that keeps ``LOW_RECALL`` of the positives."""
    y, s = np.asarray(labels, dtype=int), np.asarray(scores, dtype=np.float64)
    curve = Curve.of(y, s)
    medium = curve.best(objective)[0]
    above = (curve.cutoffs >= medium) & (curve.precision >= HIGH_PRECISION)
    high = float(curve.cutoffs[above].min()) if above.any() else (medium + 1) / 2
    kept = (curve.cutoffs <= medium) & (curve.recall >= LOW_RECALL)
    low = float(curve.cutoffs[kept].max()) if kept.any() else medium / 2
    return {"high": round(max(high, medium), 6), "medium": round(medium, 6), "low": round(min(low, medium), 6)}
