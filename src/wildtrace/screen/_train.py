"""Training: feature set and regularisation chosen by inner cross-validation, calibrated scores, tier cut-offs
for the user's metric; then the stacker of the embedding stage."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, StratifiedKFold

from wildtrace.lexicon import Lexicon
from wildtrace.screen._baselines import tfidf_union
from wildtrace.screen._embed import embed, top_k_similarity
from wildtrace.screen._features import FEATURES_VERSION, LEXICON_FEATURES, N_FEATURES, hash_ngrams
from wildtrace.screen._model import DEFAULT_THRESHOLDS, ScreenModel, _sigmoid
from wildtrace.screen._operating import Curve, Objective, choose_thresholds, parse_objective
from wildtrace.screen._screener import Document, Prepared, Screener

LEXICON_SCALE = 0.5
MAX_EXEMPLARS = 600
INNER_FOLDS = 3
FINAL_FOLDS = 10
# feature sets (the lexicon features are in all): the shipped fast path's hashed character 1-3-grams, TF-IDF word
# 1-2-grams and character 2-5-grams of the folded text, or both
# (the first one, at DEFAULT_C, is the default: another candidate must beat it clearly to be chosen)
FEATURE_SETS: dict[str, tuple[str, ...]] = {
    "fast+tfidf": ("ngrams", "tfidf"), "fast": ("ngrams",), "tfidf": ("tfidf",)}
C_GRID = (0.5, 2.0, 8.0, 32.0, 128.0)
DEFAULT_C = 32.0
CLEAR_WIN = 0.9  # share of bootstrap resamples of the out-of-fold scores in which a challenger must do better


class _Linear:
    """A class-balanced, L2-regularised logistic regression fitted on the columns that occur in the training rows
    only (the hashed space is mostly empty), its weights spread back over all columns."""

    def __init__(self, c: float) -> None:
        self.c = c

    def fit(self, X: sparse.csr_matrix, y: np.ndarray) -> _Linear:
        used = np.flatnonzero(X.getnnz(axis=0))
        clf = LogisticRegression(C=self.c, class_weight="balanced", max_iter=5000, solver="liblinear", dual=True,
                                 random_state=0)
        clf.fit(X[:, used], y)
        self.coef_ = np.zeros(X.shape[1])
        self.coef_[used] = clf.coef_.ravel()
        self.intercept_ = float(clf.intercept_[0])
        return self

    @classmethod
    def mean(cls, models: list[_Linear]) -> _Linear:
        out = cls(models[0].c)
        out.coef_ = np.mean([m.coef_ for m in models], axis=0)
        out.intercept_ = float(np.mean([m.intercept_ for m in models]))
        return out

    def decision_function(self, X: sparse.csr_matrix) -> np.ndarray:
        return np.asarray(X @ self.coef_).ravel() + self.intercept_


@dataclass
class _Inputs:
    """The training documents once normalised and matched: hashed n-grams, scaled lexicon features, folded texts."""

    ngrams: sparse.csr_matrix
    lexicon: sparse.csr_matrix
    folded: list[str]

    @classmethod
    def of(cls, prepared: Prepared) -> _Inputs:
        return cls(hash_ngrams(prepared.batch), sparse.csr_matrix(prepared.lexicon * LEXICON_SCALE),
                   prepared.batch.spaced_texts)

    def vectoriser(self, blocks: tuple[str, ...]) -> Any:
        """The TF-IDF vocabulary of the training texts (unsupervised), or None when ``blocks`` has no TF-IDF."""
        return clone(tfidf_union()).fit(self.folded) if "tfidf" in blocks else None

    def design(self, blocks: tuple[str, ...], vectoriser: Any) -> sparse.csr_matrix:
        """The design matrix: [hashed n-grams] [lexicon] [TF-IDF by the fitted ``vectoriser``]."""
        parts = [self.ngrams] if "ngrams" in blocks else []
        parts.append(self.lexicon)
        if vectoriser is not None:
            parts.append(vectoriser.transform(self.folded))
        return sparse.hstack(parts, format="csr")


def _inner_folds(y: np.ndarray, groups: Sequence[str] | None, seed: int, folds: int = INNER_FOLDS
                 ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Inner folds: grouped when groups are given (and enough), else stratified."""
    k = min(folds, int(np.bincount(y, minlength=2).min()))
    if k < 2:
        return []
    idx = np.arange(len(y))
    if groups is not None and len(set(groups)) >= k:
        grouped = list(GroupKFold(n_splits=k).split(idx, y, list(groups)))
        if all(len(set(y[test].tolist())) == 2 and len(set(y[train].tolist())) == 2 for train, test in grouped):
            return grouped
    return list(StratifiedKFold(k, shuffle=True, random_state=seed).split(idx, y))


def _out_of_fold(X: sparse.csr_matrix, y: np.ndarray, folds: list[tuple[np.ndarray, np.ndarray]],
                 grid: Sequence[float]) -> dict[float, tuple[np.ndarray, _Linear]]:
    """For every C in ``grid``: the out-of-fold decision values, and the mean of the fold models (a linear model
    whose logits are on the scale of the out-of-fold ones, so that their calibration and cut-offs carry over)."""
    out = {}
    for c in grid:
        oof, models = np.zeros(len(y)), []
        for train, test in folds:
            models.append(_Linear(c).fit(X[train], y[train]))
            oof[test] = models[-1].decision_function(X[test])
        out[c] = (oof, _Linear.mean(models))
    return out


def _clearly_better(y: np.ndarray, challenger: np.ndarray, default: np.ndarray, objective: Objective,
                    seed: int, rounds: int = 200) -> bool:
    """Whether the challenger's out-of-fold scores reach a better ``objective`` than the default's in at least
    ``CLEAR_WIN`` of paired bootstrap resamples: on a few hundred posts, smaller differences between candidates
    are noise, and following them costs more than it gains."""
    rng = np.random.default_rng(seed)
    wins = tried = 0
    for _ in range(rounds):
        pick = rng.integers(0, len(y), len(y))
        if 0 < y[pick].sum() < len(y):
            tried += 1
            wins += Curve.of(y[pick], challenger[pick]).best(objective)[1] > Curve.of(
                y[pick], default[pick]).best(objective)[1]
    return tried > 0 and wins >= CLEAR_WIN * tried


def _platt(logit: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(a, b) such that sigmoid(a * logit + b) is a calibrated probability (Platt scaling on out-of-fold logits)."""
    fit = LogisticRegression(C=100.0, max_iter=1000).fit(logit.reshape(-1, 1), y)
    return float(fit.coef_[0, 0]), float(fit.intercept_[0])


def _choose(inputs: _Inputs, y: np.ndarray, names: list[str], grid: Sequence[float],
            folds: list[tuple[np.ndarray, np.ndarray]], objective: Objective, seed: int
            ) -> tuple[str, float, list[dict[str, Any]]]:
    """(feature set, C, every candidate's out-of-fold score). The default (the first feature set at
    ``DEFAULT_C``) is kept unless the best-scoring candidate is clearly better (:func:`_clearly_better`)."""
    default = (names[0], DEFAULT_C if DEFAULT_C in grid else grid[len(grid) // 2])
    if not folds or len(names) * len(grid) == 1:
        return default[0], default[1], []
    candidates: list[dict[str, Any]] = []
    oof_of: dict[tuple[str, float], np.ndarray] = {}
    for name in names:
        X = inputs.design(FEATURE_SETS[name], inputs.vectoriser(FEATURE_SETS[name]))
        for c, (logit, _) in _out_of_fold(X, y, folds, grid).items():
            oof_of[name, c] = logit
            value = Curve.of(y, logit).best(objective)[1]
            candidates.append({"features": name, "C": c, str(objective): round(value, 4)})
    top = max(candidates, key=lambda cand: cand[str(objective)])
    challenger = (top["features"], top["C"])
    if challenger != default and _clearly_better(y, oof_of[challenger], oof_of[default], objective, seed):
        return challenger[0], challenger[1], candidates
    return default[0], default[1], candidates


def train_model(docs: Sequence[Document], labels: Sequence[int], lexicon: Lexicon, *, optimise: str = "f1",
                feature_sets: Sequence[str] | None = None, c: float | None = None,
                thresholds: dict[str, float] | None = None, groups: Sequence[str] | None = None,
                embeddings: bool = True, version: str = "custom", seed: int = 0, threads: int = 1) -> ScreenModel:
    """Fit a screening model on labelled documents (1 = illegal trade, 0 = not).

    The feature set and C are chosen among ``feature_sets`` (default: all of ``FEATURE_SETS``) and ``C_GRID``
    (or the fixed ``c``) by inner cross-validation, grouped by ``groups`` when given (see :func:`_choose`).
    Class weights are balanced, so any prevalence trains. Unless ``thresholds`` fixes the tier cut-offs (then
    the model is one fit on all the data, uncalibrated), the model is the mean of ``FINAL_FOLDS`` inner-fold
    models, Platt-calibrated on their out-of-fold logits (folded into the weights: the fast path stays one
    linear model), and the cut-offs are chosen on the calibrated out-of-fold scores for ``optimise`` (``f1``,
    ``mcc``, ``precision-at-recall R``).
    """
    y = np.asarray(labels, dtype=int)
    if len(set(y.tolist())) < 2:
        raise ValueError("training needs both positive and negative labels")
    objective = parse_objective(optimise)
    names = list(feature_sets or FEATURE_SETS)
    unknown = [n for n in names if n not in FEATURE_SETS]
    if unknown:
        raise ValueError(f"unknown feature set {unknown[0]!r} (choose from {', '.join(FEATURE_SETS)})")
    grid = (c,) if c is not None else C_GRID
    blank = ScreenModel(coef=np.zeros(N_FEATURES + len(LEXICON_FEATURES), dtype=np.float32), intercept=0.0,
                        lexicon_scale=LEXICON_SCALE)
    inputs = _Inputs.of(Screener(lexicon, blank).prepare(docs))
    name, chosen_c, candidates = _choose(inputs, y, names, grid, _inner_folds(y, groups, seed), objective, seed)
    vectoriser = inputs.vectoriser(FEATURE_SETS[name])
    X = inputs.design(FEATURE_SETS[name], vectoriser)
    oof = None
    final_folds = _inner_folds(y, groups, seed, FINAL_FOLDS) if thresholds is None or embeddings else []
    if final_folds:
        oof, clf = _out_of_fold(X, y, final_folds, [chosen_c])[chosen_c]
    if thresholds is not None or oof is None:
        clf = _Linear(chosen_c).fit(X, y)
    blocks = FEATURE_SETS[name]
    weights = clf.coef_
    a, b = (1.0, 0.0) if thresholds is not None or oof is None else _platt(oof, y)
    if thresholds is None:
        thresholds = choose_thresholds(y, _sigmoid(a * oof + b), objective) if oof is not None else dict(
            DEFAULT_THRESHOLDS)
    k = len(LEXICON_FEATURES)
    ngram_coef = weights[:N_FEATURES] if "ngrams" in blocks else np.zeros(N_FEATURES)
    start = N_FEATURES if "ngrams" in blocks else 0
    model = ScreenModel(
        coef=(a * np.concatenate([ngram_coef, weights[start:start + k]])).astype(np.float32),
        intercept=a * clf.intercept_ + b, lexicon_scale=LEXICON_SCALE, thresholds=thresholds,
        version=version, text_vectoriser=vectoriser,
        text_coef=(a * weights[start + k:]).astype(np.float32) if vectoriser is not None else None,
        info={"trained_at": datetime.now(UTC).isoformat(timespec="seconds"), "n": len(y), "positives": int(y.sum()),
              "lexicon_version": lexicon.version, "features": FEATURES_VERSION, "feature_set": name, "C": chosen_c,
              "optimise": str(objective), "calibration": [round(a, 6), round(b, 6)], "candidates": candidates},
    )
    if embeddings and oof is not None:
        _fit_stacker(model, docs, y, a * oof + b, seed, threads)
    return model


def _fit_stacker(model: ScreenModel, docs: Sequence[Document], y: np.ndarray, oof: np.ndarray, seed: int,
                 threads: int) -> None:
    """The embedding stage: similarity to illegal and benign exemplars, stacked on the out-of-fold fast logit."""
    emb = embed([d.combined for d in docs], threads=threads)
    rng = np.random.default_rng(seed)
    pos = emb[rng.permutation(np.flatnonzero(y == 1))[:MAX_EXEMPLARS]]
    neg = emb[rng.permutation(np.flatnonzero(y == 0))[:MAX_EXEMPLARS]]
    feats = np.column_stack([oof, top_k_similarity(emb, pos, exclude_self=True),
                             top_k_similarity(emb, neg, exclude_self=True)])
    stacker = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit(feats, y)
    model.stack = np.append(stacker.coef_.ravel(), stacker.intercept_[0]).astype(np.float32)
    model.pos_emb, model.neg_emb = pos.astype(np.float16), neg.astype(np.float16)


