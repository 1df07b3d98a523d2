"""What a post names, learned from reviewers: their species and product corrections as training labels.

The lexicon names species and products by the words it knows. A reviewer who corrects a verdict ("this post
offers pangolin scales") says what the post names, often in words the lexicon does not know yet (a new code word).
Retraining with those corrections (``wildtrace train --from-reviews``) fits, for each species and product that a
correction adds where the lexicon named nothing of it, a logistic regression over the post's character n-grams
(the screening model's own hashed features): its positives are the training posts a reviewer corrected to it
and those the lexicon names it on, its negatives every other training post. The model keeps these heads
(``ScreenModel.namer``); screening then adds to a flagged post's verdict each species or product a head is
confident of and the lexicon missed. A correction that takes a name away is not learned (the lexicon's own
naming stays; such corrections are counted in the report as lexicon errors to fix).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse

from wildtrace.screen._features import hash_ngrams

if TYPE_CHECKING:
    from wildtrace.lexicon import Lexicon
    from wildtrace.screen._evaluate import LabelledSet, SpeciesLabel
    from wildtrace.screen._model import ScreenModel

KINDS = ("species", "product")
THRESHOLD = 0.5  # a head names its label on a post when its probability is at least this
_C = 1.0


class Namer:
    """Learned heads ``labels`` (``species:<id>`` or ``product:<id>``): sparse weights over the hashed n-grams
    (one column per head) and an intercept each."""

    def __init__(self, labels: list[str], coef: sparse.csc_matrix, intercept: np.ndarray,
                 threshold: float = THRESHOLD) -> None:
        self.labels, self.coef, self.intercept, self.threshold = labels, coef, intercept, threshold

    def predict(self, ngrams: sparse.csr_matrix) -> list[list[tuple[str, float]]]:
        """The labels each row of the n-gram matrix is named by, with the head's probability."""
        prob = 1.0 / (1.0 + np.exp(-(np.asarray((ngrams @ self.coef).todense()) + self.intercept)))
        return [[(self.labels[j], round(float(row[j]), 4)) for j in np.flatnonzero(row >= self.threshold)]
                for row in prob]

    def add(self, names: list[tuple[tuple[str, ...], ...]], ngrams: sparse.csr_matrix, tiers: Sequence[str]
            ) -> tuple[list[tuple[tuple[str, ...], ...]], dict[int, list[tuple[str, float]]]]:
        """``names`` (species, products, code words, claims per post) with what the heads name on flagged posts
        that the lexicon did not, and those additions by post (label, probability), for the explanation."""
        flagged = [i for i, tier in enumerate(tiers) if tier != "none"]
        out, added = list(names), {}
        for i, learned in zip(flagged, self.predict(ngrams[flagged]) if flagged else [], strict=True):
            species, products, *rest = out[i]
            new = [(lab, p) for lab, p in learned
                   if lab.split(":", 1)[1] not in (species if lab.startswith("species:") else products)]
            if new:
                species += tuple(lab.split(":", 1)[1] for lab, _ in new if lab.startswith("species:"))
                products += tuple(lab.split(":", 1)[1] for lab, _ in new if lab.startswith("product:"))
                out[i], added[i] = (species, products, *rest), new
        return out, added

    def summary(self) -> dict[str, Any]:
        return {"labels": self.labels, "threshold": self.threshold,
                "weights": int(self.coef.nnz)}


def _named(result: Any) -> set[str]:
    return {f"species:{s}" for s in result.species} | {f"product:{p}" for p in result.products}


def _corrected(c: SpeciesLabel) -> set[str]:
    return {f"species:{s}" for s in c.species} | {f"product:{p}" for p in c.products}


def fit_namer(ngrams: sparse.csr_matrix, named: list[set[str]], corrections: Sequence[SpeciesLabel]) -> Namer | None:
    """Heads for the labels corrections add where the lexicon (``named``: what screening names on each training
    post) did not; the corrected posts' labels replace the lexicon's. None when no correction adds a label."""
    from sklearn.linear_model import LogisticRegression

    truth = list(named)
    for c in corrections:
        truth[c.position] = _corrected(c)
    heads = sorted({lab for c in corrections for lab in _corrected(c) - named[c.position]})
    labels, columns, intercepts = [], [], []
    for lab in heads:
        y = np.array([lab in t for t in truth], dtype=int)
        if y.min() == y.max():
            continue
        clf = LogisticRegression(C=_C, class_weight="balanced", solver="liblinear").fit(ngrams, y)
        labels.append(lab)
        columns.append(sparse.csc_matrix(clf.coef_.reshape(-1, 1)))
        intercepts.append(float(clf.intercept_[0]))
    if not labels:
        return None
    return Namer(labels, sparse.hstack(columns).tocsc(), np.array(intercepts))


def teach_names(model: ScreenModel, lexicon: Lexicon, data: LabelledSet) -> dict[str, Any]:
    """Give ``model`` the heads the reviewers' corrections in ``data`` teach (``model.namer``; None when they add
    nothing the lexicon missed) and say what they taught: how often screening names the corrected species and
    products before and after (after: on the same posts the heads were fitted on, so an upper bound), the heads,
    and how many corrections take away a name the lexicon gave."""
    from wildtrace.screen._evaluate import naming_agreement
    from wildtrace.screen._screener import Screener

    screener = Screener(lexicon, model)  # it reads ``model.namer`` when it screens: the heads once fitted too
    before = list(screener.screen_documents(data.docs))
    named = [_named(r) for r in before]
    prepared = screener.prepare(data.docs)
    model.namer = fit_namer(hash_ngrams(prepared.batch), named, data.corrections)
    report: dict[str, Any] = {**naming_agreement([before[c.position] for c in data.corrections], data.corrections),
                              "taken_away": sum(bool(named[c.position] - _corrected(c)) for c in data.corrections)}
    if model.namer is not None:
        after = list(screener.screen_documents([data.docs[c.position] for c in data.corrections]))
        learned = naming_agreement(after, data.corrections)
        report |= {"learned": model.namer.labels, "species_agree_after": learned["species_agree"],
                   "products_agree_after": learned["products_agree"]}
        model.info["namer"] = model.namer.summary()
    return report
