"""Features of the fast path: hashed character n-grams of the folded text plus lexicon features."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from wildtrace.screen._match import Hit

FEATURES_VERSION = "char1-3-hash18-lex25"  # change whenever features change: old models are refused
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
_VIA_HOMOPHONE = _INDEX["via:homophone"]
_NUMBER_UNIT = re.compile(
    r"[¥$￥]\s*\d|\d\s*(?:元|块|rmb|cny|usd|k\b|w\b|万|克|g\b|kg|公斤|斤|两|grams?\b|/g|每克)", re.IGNORECASE)


_PRIMES = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D], dtype=np.uint64)
_MASK = np.uint64(0xFFFFFFFF)


def _hash_codes(codes: np.ndarray, n: int) -> np.ndarray:
    """Hash of every n-gram starting at each position (codes: uint64 code points, long enough)."""
    h = np.full(len(codes) - n + 1, n * 0x27D4EB2F, dtype=np.uint64)
    for j in range(n):
        h = ((h ^ codes[j:len(codes) - n + 1 + j]) * _PRIMES[j]) & _MASK
        h ^= h >> np.uint64(15)
    return h % np.uint64(N_FEATURES)


def hash_ngrams(texts: Sequence[str]) -> sparse.csr_matrix:
    """Character 1-3-grams of a whole batch, hashed into ``N_FEATURES`` columns, rows L2-normalised.

    One vectorised pass over the concatenated batch (no Python loop per post or per n-gram): the
    hashing trick of scikit-learn's ``HashingVectorizer``, at the speed a firehose needs.
    """
    texts = [t[:MAX_CHARS] for t in texts]
    joined = "\x00".join(texts) + "\x00"
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    doc = np.repeat(np.arange(len(texts)), lengths)
    rows, cols = [], []
    for n in range(NGRAMS[0], NGRAMS[1] + 1):
        if len(codes) < n:
            continue
        h = _hash_codes(codes, n)
        valid = doc[: len(h)] == doc[n - 1:]
        valid &= codes[n - 1:] != 0  # no n-gram crosses the separator
        rows.append(doc[: len(h)][valid])
        cols.append(h[valid])
    if not rows:
        return sparse.csr_matrix((len(texts), N_FEATURES), dtype=np.float32)
    # (row, column) pairs counted in one sort: the result is already in CSR order, rows L2-normalised
    keys, counts = np.unique(np.concatenate(rows) * N_FEATURES + np.concatenate(cols).astype(np.int64),
                             return_counts=True)
    r, c = np.divmod(keys, N_FEATURES)
    data = counts.astype(np.float32)
    data /= np.sqrt(np.bincount(r, weights=data * data, minlength=len(texts))).astype(np.float32)[r]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(r, minlength=len(texts)))])
    return sparse.csr_matrix((data, c, indptr), shape=(len(texts), N_FEATURES))


def ngram_names(text: str, indices: set[int]) -> dict[int, str]:
    """The n-grams of ``text`` that hash to ``indices`` (to name the n-gram features of an explanation)."""
    text = text[:MAX_CHARS]
    codes = np.frombuffer((text + "\x00\x00\x00").encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    out: dict[int, str] = {}
    for n in range(NGRAMS[0], NGRAMS[1] + 1):
        for i, h in enumerate(_hash_codes(codes, n)[: max(len(text) - n + 1, 0)].tolist()):
            if h in indices:
                out.setdefault(h, text[i:i + n])
    return out


def lexicon_vector(hits: Sequence[Hit], original: str, n_images: int = 0, image_text: bool = False) -> list[float]:
    """Counts (log1p) and flags of what the lexicon found in one text (plain floats: built once per post)."""
    v = [0.0] * len(LEXICON_FEATURES)
    if not hits:
        v[_INDEX["number+unit"]] = float(bool(_NUMBER_UNIT.search(original)))
        v[_INDEX["images"]] = math.log1p(n_images)
        v[_INDEX["image_text"]] = float(image_text)
        return v
    species = code = product = trade = benign = 0
    cites_i = False
    for h in hits:
        kind = h.term.kind
        if h.via == "homophone":
            v[_VIA_HOMOPHONE] += 1
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
    v = [math.log1p(x) if x else 0.0 for x in v]
    v[_INDEX["species+trade"]] = float(species > 0 and trade > 0)
    v[_INDEX["species+product"]] = float(species > 0 and product > 0)
    v[_INDEX["code_word+trade"]] = float(code > 0 and trade > 0)
    v[_INDEX["benign+species"]] = float(benign > 0 and species > 0)
    v[_INDEX["number+unit"]] = float(bool(_NUMBER_UNIT.search(original)))
    v[_INDEX["cites:I"]] = float(cites_i)
    v[_INDEX["images"]] = math.log1p(n_images)
    v[_INDEX["image_text"]] = float(image_text)
    return v


def lexicon_matrix(lexicon_rows: Sequence[Sequence[float]], lexicon_scale: float) -> np.ndarray:
    """The lexicon features of a batch, scaled as the model was trained."""
    return np.array(lexicon_rows, dtype=np.float32).reshape(len(lexicon_rows), len(LEXICON_FEATURES)) * lexicon_scale


def design_matrix(spaced: Sequence[str], lexicon_rows: Sequence[Sequence[float]],
                  lexicon_scale: float) -> sparse.csr_matrix:
    """The model's input for training: hashed n-grams next to the (scaled) lexicon features."""
    lexicon = sparse.csr_matrix(lexicon_matrix(lexicon_rows, lexicon_scale))
    return sparse.hstack([hash_ngrams(spaced), lexicon], format="csr")
