"""Code-word discovery: candidate terms for an analyst to accept (``lexicon add``) or ignore.

Two sources: terms over-represented in high-scoring posts against the rest (smoothed log-odds of
document frequencies), and terms whose embedding lies near a known code word.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from wildtrace.lexicon._model import Lexicon

_LATIN = re.compile(r"[a-z][a-z'-]+")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_STOP = {"the", "and", "for", "with", "you", "me", "my", "is", "are", "of", "to", "in", "on", "a", "an", "it", "pm",
         "dm", "we", "our", "your", "this", "that", "have", "has", "can", "all", "new", "from", "at", "by", "or"}


@dataclass
class Suggestion:
    term: str
    reason: str
    score: float
    in_high: int
    in_rest: int
    examples: list[str] = field(default_factory=list)


def _terms(text: str) -> set[str]:
    import jieba

    lowered = text.lower()
    words = {w for w in _LATIN.findall(lowered) if w not in _STOP and len(w) > 2}
    latin = _LATIN.findall(lowered)
    words |= {f"{a} {b}" for a, b in itertools.pairwise(latin) if a not in _STOP and b not in _STOP}
    for run in _CJK_RUN.findall(text):
        words |= {w for w in jieba.lcut(run) if len(w) >= 2}
    return words


def _known(lexicon: Lexicon) -> set[str]:
    from wildtrace.screen import squeeze

    return {squeeze(n) for t in lexicon.terms for n in t.all_names()}


def suggest(texts: Sequence[str], scores: Sequence[float], lexicon: Lexicon, *, high: float = 0.5,
            min_count: int = 3, limit: int = 20, embeddings: bool = True) -> list[Suggestion]:
    """Candidate code words from screened texts and their scores (see module docstring)."""
    from wildtrace.screen import squeeze

    known = _known(lexicon)
    docs = [_terms(t) for t in texts]
    is_high = [s >= high for s in scores]
    n_high = sum(is_high)
    n_rest = len(docs) - n_high
    in_high: Counter[str] = Counter()
    in_rest: Counter[str] = Counter()
    for terms, h in zip(docs, is_high, strict=True):
        (in_high if h else in_rest).update(terms)
    candidates = [t for t, c in in_high.items() if c >= min_count and squeeze(t) not in known and not t.isdigit()]

    def log_odds(t: str) -> float:
        a, b = in_high[t], in_rest[t]
        return math.log((a + 0.5) / (n_high - a + 0.5)) - math.log((b + 0.5) / (n_rest - b + 0.5))

    def examples(t: str) -> list[str]:
        return [texts[i][:160] for i, terms in enumerate(docs) if t in terms and is_high[i]][:3]

    ranked = sorted(candidates, key=log_odds, reverse=True)
    out = [Suggestion(t, "over-represented in high-scoring posts", round(log_odds(t), 3), in_high[t], in_rest[t],
                      examples(t)) for t in ranked[:limit] if log_odds(t) > 0]
    if embeddings and candidates:
        out += _neighbours(sorted(candidates, key=lambda t: -in_high[t])[:300], lexicon, in_high, in_rest,
                           examples, limit)
    return out


def _neighbours(candidates: list[str], lexicon: Lexicon, in_high: Counter[str], in_rest: Counter[str],
                examples: object, limit: int, min_similarity: float = 0.6) -> list[Suggestion]:
    from wildtrace.screen._embed import embed

    codes = [(n, t.meaning or "") for t in lexicon.of_kind("code_word") for n in t.all_names()]
    if not codes:
        return []
    sims = embed(candidates) @ embed([n for n, _ in codes]).T
    best = np.argmax(sims, axis=1)
    found = []
    for i, term in enumerate(candidates):
        s = float(sims[i, best[i]])
        if s >= min_similarity:
            name, meaning = codes[best[i]]
            found.append(Suggestion(term, f"near code word {name!r} (= {meaning})", round(s, 3), in_high[term],
                                    in_rest[term], examples(term)))  # type: ignore[operator]
    return sorted(found, key=lambda x: -x.score)[:limit]
