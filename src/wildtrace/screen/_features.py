"""Features of the fast path: hashed character n-grams of the folded text plus lexicon features."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

from wildtrace.screen._match import Hit

N_FEATURES = 2**18
NGRAMS = (1, 3)
MAX_CHARS = 2000  # n-grams of the first 2,000 characters; matching still reads the whole text

LEXICON_FEATURES = (
    "species", "product", "code_word", "legality", "benign",
    "trade:offer", "trade:price", "trade:weight", "trade:contact", "trade:delivery", "trade:discretion",
    "via:variant", "via:split", "via:leet", "via:pinyin", "via:initials", "via:homophone",
    "species+trade", "species+product", "code_word+trade", "benign+species", "number+unit", "cites:I",
    "images", "image_text",
)
_INDEX = {name: i for i, name in enumerate(LEXICON_FEATURES)}
_NUMBER_UNIT = re.compile(
    r"[¥$￥]\s*\d|\d\s*(?:元|块|rmb|cny|usd|k\b|w\b|万|克|g\b|kg|公斤|斤|两|grams?\b|/g|每克)", re.IGNORECASE)


def hasher() -> HashingVectorizer:
    return HashingVectorizer(analyzer="char", ngram_range=NGRAMS, n_features=N_FEATURES, alternate_sign=False,
                             lowercase=False, norm="l2")


def ngram_names(text: str, indices: set[int]) -> dict[int, str]:
    """The n-grams of ``text`` that hash to ``indices`` (to name the n-gram features of an explanation)."""
    text = text[:MAX_CHARS]
    out: dict[int, str] = {}
    for n in range(NGRAMS[0], NGRAMS[1] + 1):
        for i in range(len(text) - n + 1):
            gram = text[i:i + n]
            idx = abs(murmurhash3_32(gram, seed=0)) % N_FEATURES
            if idx in indices and idx not in out:
                out[idx] = gram
    return out


def lexicon_vector(hits: Sequence[Hit], original: str, n_images: int = 0, image_text: bool = False) -> np.ndarray:
    """Counts (log1p) and flags of what the lexicon found in one text."""
    v = np.zeros(len(LEXICON_FEATURES), dtype=np.float32)
    species = code = product = trade = benign = 0
    cites_i = False
    for h in hits:
        kind = h.term.kind
        if h.via == "homophone":
            v[_INDEX["via:homophone"]] += 1
            continue
        if h.via != "exact":
            v[_INDEX[f"via:{h.via}"]] += 1
        if kind == "trade":
            v[_INDEX[f"trade:{h.term.category}"]] += 1
            trade += 1
        else:
            v[_INDEX[kind]] += 1
        species += kind == "species"
        code += kind == "code_word"
        product += kind == "product"
        benign += kind == "benign"
        cites_i = cites_i or (kind == "species" and (h.term.cites or "").startswith("I"))
    v = np.log1p(v)
    v[_INDEX["species+trade"]] = float(species > 0 and trade > 0)
    v[_INDEX["species+product"]] = float(species > 0 and product > 0)
    v[_INDEX["code_word+trade"]] = float(code > 0 and trade > 0)
    v[_INDEX["benign+species"]] = float(benign > 0 and species > 0)
    v[_INDEX["number+unit"]] = float(bool(_NUMBER_UNIT.search(original)))
    v[_INDEX["cites:I"]] = float(cites_i)
    v[_INDEX["images"]] = np.log1p(n_images)
    v[_INDEX["image_text"]] = float(image_text)
    return v


def design_matrix(spaced: Sequence[str], lexicon_rows: np.ndarray, lexicon_scale: float) -> sparse.csr_matrix:
    """The model's input: hashed n-grams next to the (scaled) lexicon features."""
    grams = hasher().transform([s[:MAX_CHARS] for s in spaced])
    return sparse.hstack([grams, sparse.csr_matrix(lexicon_rows * lexicon_scale)], format="csr")
