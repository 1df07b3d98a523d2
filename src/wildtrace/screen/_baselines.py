"""The textbook models a trained screener must beat, on the same folds: TF-IDF + logistic regression, and a
keyword rule."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline, make_pipeline

from wildtrace.lexicon import Lexicon


def tfidf_union() -> FeatureUnion:
    """Character 2-5-grams (within words) and word 1-2-grams, TF-IDF weighted (sublinear tf)."""
    return FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1,
                                  dtype=np.float32)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1,
                                  token_pattern=r"(?u)\b\w+\b", dtype=np.float32)),
    ])


def tfidf_baseline() -> Pipeline:
    """The textbook text classifier: TF-IDF (char 2-5 + word 1-2) and a class-balanced logistic regression
    with scikit-learn's defaults, flagging at probability 0.5."""
    return make_pipeline(tfidf_union(), LogisticRegression(class_weight="balanced", max_iter=2000))


class KeywordRule:
    """Flags every text that names a species of the lexicon (any language, as written, case-insensitive): what a
    keyword search of the platform finds."""

    def __init__(self, lexicon: Lexicon) -> None:
        names = sorted({n.lower() for t in lexicon.of_kind("species") for n in t.all_names()},
                       key=len, reverse=True)
        latin = [re.escape(n) for n in names if n.isascii()]
        other = [re.escape(n) for n in names if not n.isascii()]
        parts = ([rf"\b(?:{'|'.join(latin)})\b"] if latin else []) + ([f"(?:{'|'.join(other)})"] if other else [])
        self.pattern = re.compile("|".join(parts) or r"(?!)", re.IGNORECASE)

    def flags(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([bool(self.pattern.search(t)) for t in texts], dtype=bool)
