"""Training: the linear model on labelled documents, then the stacker of the embedding stage."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from wildtrace.lexicon import Lexicon
from wildtrace.screen._embed import embed, top_k_similarity
from wildtrace.screen._features import FEATURES_VERSION, LEXICON_FEATURES, N_FEATURES
from wildtrace.screen._model import ScreenModel
from wildtrace.screen._screener import Document, Screener

LEXICON_SCALE = 0.5
MAX_EXEMPLARS = 600


def _linear() -> LogisticRegression:
    return LogisticRegression(C=4.0, class_weight="balanced", max_iter=5000, solver="liblinear")


def train_model(docs: Sequence[Document], labels: Sequence[int], lexicon: Lexicon, *, embeddings: bool = True,
                version: str = "custom", seed: int = 0, threads: int = 1) -> ScreenModel:
    """Fit a screening model on labelled documents (1 = illegal trade, 0 = not)."""
    y = np.asarray(labels, dtype=int)
    if len(set(y.tolist())) < 2:
        raise ValueError("training needs both positive and negative labels")
    blank = ScreenModel(coef=np.zeros(N_FEATURES + len(LEXICON_FEATURES), dtype=np.float32), intercept=0.0,
                        lexicon_scale=LEXICON_SCALE)
    screener = Screener(lexicon, blank)
    X = screener.design(screener.prepare(docs))
    clf = _linear().fit(X, y)
    model = ScreenModel(
        coef=clf.coef_.ravel().astype(np.float32), intercept=float(clf.intercept_[0]), lexicon_scale=LEXICON_SCALE,
        version=version,
        info={"trained_at": datetime.now(UTC).isoformat(timespec="seconds"), "n": len(y), "positives": int(y.sum()),
              "lexicon_version": lexicon.version, "features": FEATURES_VERSION},
    )
    folds = min(5, int(np.bincount(y).min()))
    if embeddings and folds >= 2:
        oof = cross_val_predict(_linear(), X, y, cv=StratifiedKFold(folds, shuffle=True, random_state=seed),
                                method="decision_function")
        emb = embed([d.combined for d in docs], threads=threads)
        rng = np.random.default_rng(seed)
        pos = emb[rng.permutation(np.flatnonzero(y == 1))[:MAX_EXEMPLARS]]
        neg = emb[rng.permutation(np.flatnonzero(y == 0))[:MAX_EXEMPLARS]]
        feats = np.column_stack([oof, top_k_similarity(emb, pos, exclude_self=True),
                                 top_k_similarity(emb, neg, exclude_self=True)])
        stacker = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000).fit(feats, y)
        model.stack = np.append(stacker.coef_.ravel(), stacker.intercept_[0]).astype(np.float32)
        model.pos_emb, model.neg_emb = pos.astype(np.float16), neg.astype(np.float16)
    return model
