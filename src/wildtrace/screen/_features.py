"""Features of the fast path: hashed character n-grams of the folded text plus lexicon features."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from wildtrace.lexicon import Term
from wildtrace.screen._match import VIAS, BatchHits
from wildtrace.screen._normalise import NormalisedBatch, code_points, decimal_digits

FEATURES_VERSION = "char1-3-hash18-lex25-cites1"  # change whenever features change: old models are refused
_BITS = 18
N_FEATURES = 1 << _BITS
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
_TRADE = [i for i, name in enumerate(LEXICON_FEATURES) if name.startswith("trade:")]
_CURRENCY = [ord(c) for c in "¥$￥"]
_NUMBER_UNIT = re.compile(
    r"[¥$￥]\s*\d|\d\s*(?:元|块|rmb|cny|usd|k\b|w\b|万|克|g\b|kg|公斤|斤|两|grams?\b|/g|每克)", re.IGNORECASE)


_PRIMES = np.array([0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D], dtype=np.uint32)


def _hash_codes(codes: np.ndarray, n: int) -> np.ndarray:
    """Hash of every n-gram starting at each position (codes: uint32 code points; the arithmetic wraps at 32 bits)."""
    h = np.full(len(codes) - n + 1, n * 0x27D4EB2F, dtype=np.uint32)
    for j in range(n):
        h = (h ^ codes[j:len(codes) - n + 1 + j]) * _PRIMES[j]
        h ^= h >> np.uint32(15)
    return h & np.uint32(N_FEATURES - 1)


def hash_ngrams(batch: NormalisedBatch) -> sparse.csr_matrix:
    """Character 1-3-grams of the folded texts of a batch (their first ``MAX_CHARS`` characters), hashed into
    ``N_FEATURES`` columns, rows L2-normalised.

    One vectorised pass over the batch's code points (no Python loop per post or per n-gram): the
    hashing trick of scikit-learn's ``HashingVectorizer``, at the speed a firehose needs.
    """
    codes = np.append(batch.spaced_codes, np.uint32(0))
    cut = codes == 0  # the separators: no n-gram crosses one
    row = np.cumsum(cut) - cut  # the text of each position
    column = np.arange(len(codes)) - np.concatenate([[0], np.flatnonzero(cut) + 1])[row]  # position in its text
    n_texts = len(batch.texts)
    key_type = np.uint32 if n_texts <= 1 << (32 - _BITS) else np.uint64
    keys = []
    for n in range(NGRAMS[0], NGRAMS[1] + 1):
        whole = ~cut[: len(codes) - n + 1] & (column[: len(codes) - n + 1] <= MAX_CHARS - n)
        for j in range(1, n):
            whole &= ~cut[j: len(codes) - n + 1 + j]
        keys.append((row[: len(whole)][whole].astype(key_type) << _BITS) | _hash_codes(codes, n)[whole])
    # (row, column) pairs counted in one sort: the result is already in CSR order, rows L2-normalised
    found = np.sort(np.concatenate(keys))
    first = np.flatnonzero(np.concatenate([[True], found[1:] != found[:-1]]))
    data = np.diff(np.append(first, len(found))).astype(np.float32)
    found = found[first]
    r, c = (found >> _BITS).astype(np.int64), (found & (N_FEATURES - 1)).astype(np.int32)
    data /= np.sqrt(np.bincount(r, weights=data * data, minlength=n_texts)).astype(np.float32)[r]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(r, minlength=n_texts))])
    return sparse.csr_matrix((data, c, indptr), shape=(n_texts, N_FEATURES))


def ngram_names(text: str, indices: set[int]) -> dict[int, str]:
    """The n-grams of ``text`` that hash to ``indices`` (to name the n-gram features of an explanation)."""
    text = text[:MAX_CHARS]
    codes = code_points(text + "\x00\x00\x00")
    out: dict[int, str] = {}
    for n in range(NGRAMS[0], NGRAMS[1] + 1):
        for i, h in enumerate(_hash_codes(codes, n)[: max(len(text) - n + 1, 0)].tolist()):
            if h in indices:
                out.setdefault(h, text[i:i + n])
    return out


class LexiconFeatures:
    """The lexicon features of a batch, from its hits as columns: counts (log1p) of kinds, trade signals
    and ways of writing, and flags for the combinations that mark an offer."""

    def __init__(self, terms: Sequence[Term]) -> None:
        # a trade signal without a column (the open market's words, see trade.yaml) is no feature
        self._column = np.array([_INDEX.get(f"trade:{t.category}", -1) if t.kind == "trade" else _INDEX[t.kind]
                                 for t in terms])
        self._cites_i = np.array([t.on_appendix_i() for t in terms], dtype=bool)
        self._via_column = np.array([_INDEX.get(f"via:{v}", -1) for v in VIAS])

    def matrix(self, batch: NormalisedBatch, hits: BatchHits, n_images: Sequence[int],
               image_text: Sequence[bool]) -> np.ndarray:
        """One row of ``LEXICON_FEATURES`` per text of the batch (unscaled)."""
        n = len(batch.texts)
        counts = np.zeros((n, len(LEXICON_FEATURES)), dtype=np.float64)
        heard = hits.via == VIAS.index("homophone")  # a homophone counts as such, and as nothing else
        counted = ~heard & (self._column[hits.term] >= 0)
        np.add.at(counts, (hits.text[counted], self._column[hits.term[counted]]), 1)
        via = self._via_column[hits.via]
        np.add.at(counts, (hits.text[via >= 0], via[via >= 0]), 1)
        out = np.log1p(counts)
        has = counts > 0
        species, product, code, benign = (has[:, _INDEX[k]] for k in ("species", "product", "code_word", "benign"))
        trade = has[:, _TRADE].any(axis=1)
        out[:, _INDEX["species+trade"]] = species & trade
        out[:, _INDEX["species+product"]] = species & product
        out[:, _INDEX["code_word+trade"]] = code & trade
        out[:, _INDEX["benign+species"]] = benign & species
        out[:, _INDEX["number+unit"]] = _number_with_unit(batch)
        out[:, _INDEX["cites:I"]] = hits.texts_with(self._cites_i[hits.term] & ~heard)
        out[:, _INDEX["images"]] = np.log1p(np.asarray(n_images, dtype=np.float64))
        out[:, _INDEX["image_text"]] = np.asarray(image_text, dtype=bool)
        return out.astype(np.float32)


def _number_with_unit(batch: NormalisedBatch) -> list[bool]:
    """Whether each text writes a number with a currency or a unit (``¥500``, ``30克``, ``2k``). The pattern is
    tried only where a match can start: at a currency sign, or at the last digit of a number."""
    codes = batch.codes
    digit = decimal_digits(codes)
    starts = np.flatnonzero(digit & ~np.append(digit[1:], False) | np.isin(codes, _CURRENCY))
    out = [False] * len(batch.texts)
    joined = batch.joined
    for pos, t in zip(starts.tolist(), batch.text_of(starts).tolist(), strict=True):
        if not out[t] and _NUMBER_UNIT.match(joined, pos):
            out[t] = True
    return out


def design_matrix(batch: NormalisedBatch, lexicon: np.ndarray, lexicon_scale: float) -> sparse.csr_matrix:
    """The model's input for training: hashed n-grams next to the (scaled) lexicon features."""
    return sparse.hstack([hash_ngrams(batch), sparse.csr_matrix(lexicon * lexicon_scale)], format="csr")
