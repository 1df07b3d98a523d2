"""Code-word discovery: candidate terms for an analyst to accept (``lexicon add``) or ignore.

A new code word takes the place of a name: traders write it where the species would be, beside the words of a
sale. So the candidates are the terms of posts that read as offers (a score at or above ``high``: the model
weighs the known trade signals, prices per gram, weights, contacts, discretion) but name no species or code word
the lexicon knows; they are ranked by how much more often they
appear there than in every other post (smoothed log-odds of document frequencies), which sets the words of the
trade's templates (found in offers that do name a species just as often) below the new names. Contact
identifiers (read by extraction), numbers, known terms and the vocabulary of prices, weights, shops and
payments are never candidates. Chinese is read as character n-grams (2-3), so a word the segmenter has never
seen is still whole (most code words have two or three characters), and a fragment that only ever appears
inside a longer candidate gives way to it.
Optionally, terms whose embedding lies near a known code word are added.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np

from wildtrace.lexicon._model import Lexicon

_LATIN = re.compile(r"[^\W\d_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{3,}")  # letters, not Chinese
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
_NGRAMS = (2, 3)
_STOP = {"the", "and", "for", "with", "you", "are", "this", "that", "have", "has", "can", "all", "new", "from",
         "your", "our", "not", "but", "just", "get", "now", "one", "out", "was", "will", "any", "more", "only",
         "very", "les", "des", "une", "und", "der", "die", "das", "mit", "của", "cho", "không", "các", "hàng"}


@dataclass
class Suggestion:
    term: str
    reason: str
    score: float
    in_high: int  # posts of the offers that name nothing known (see module docstring) with the term
    in_rest: int
    examples: list[str] = field(default_factory=list)


@dataclass
class Corpus:
    """Screened texts read once for suggestion: each post's candidate terms, and whether it makes an offer that
    names nothing the lexicon knows."""

    texts: list[str]
    blanked: list[str]  # the texts with contacts and known terms blanked out
    terms: list[set[str]]
    unexplained_offer: np.ndarray


@cache
def _boilerplate() -> tuple[frozenset[str], frozenset[str]]:
    """Words of prices, weights, quantities, payment, delivery, places and contact labels (extraction's
    vocabulary), and every piece of them: never a code word, nor part of one."""
    from wildtrace.extract import load_vocabulary

    v = load_vocabulary()
    words = [*v.price_cues, *v.negotiable, *v.not_price_before, *v.not_price_after, *v.count_cues, *v.weight_cues,
             *v.weight_units, *v.quantity_units, *v.currency_prefixes, *v.currency_suffixes, *v.multipliers]
    for group in (v.payment, v.delivery, v.claims):
        words += [w for names in group.values() for w in names]
    words += [n for place in v.places for n in place.names]
    contacts = v.contacts
    words += [w for labels in contacts["messengers"].values() for w in labels]
    for key in ("generic", "qq", "telegram", "alipay", "wechat_pay", "bank", "phone_cues"):
        words += contacts[key]
    whole = frozenset(w.casefold() for w in words if len(w) >= 2)
    return whole, frozenset(w[i:j] for w in whole for i in range(len(w)) for j in range(i + 2, len(w) + 1))


@lru_cache(maxsize=1 << 18)
def _is_boilerplate(term: str) -> bool:
    whole, pieces = _boilerplate()
    return term in pieces or any(term[i:j] in whole for i in range(len(term)) for j in range(i + 2, len(term) + 1))


def read_corpus(texts: Sequence[str], scores: Sequence[float], lexicon: Lexicon, high: float = 0.5) -> Corpus:
    """Read screened texts for :func:`suggest_from` (contacts and known terms blanked out first)."""
    from wildtrace.extract import identifier_spans
    from wildtrace.screen._match import VIAS, Matcher
    from wildtrace.screen._normalise import NormalisedBatch

    texts = list(texts)
    matcher = Matcher(lexicon)
    hits = matcher.match_batch(NormalisedBatch(texts))
    kinds = np.array([t.kind for t in matcher.terms])
    named = np.isin(kinds, ["species", "code_word"])[hits.term] & (hits.via != VIAS.index("homophone"))
    unexplained = (np.asarray(scores) >= high) & ~hits.texts_with(named)
    terms, blanked = [], []
    for i, text in enumerate(texts):
        lo, hi = int(hits.bounds[i]), int(hits.bounds[i + 1])
        blank = [*identifier_spans(text), *zip(hits.start[lo:hi].tolist(), hits.end[lo:hi].tolist(), strict=True)]
        chars = list(text)
        for a, b in blank:
            chars[a:b] = [" "] * (b - a)
        blanked.append("".join(chars))
        terms.append(_terms(blanked[-1]))
    return Corpus(texts, blanked, terms, unexplained)


def _terms(text: str) -> set[str]:
    lowered = text.casefold()
    words = [w for w in _LATIN.findall(lowered) if w not in _STOP]
    found = set(words)
    for run in _CJK_RUN.findall(text):
        found |= {run[i:i + n] for n in range(_NGRAMS[0], _NGRAMS[1] + 1) for i in range(len(run) - n + 1)}
    return {t for t in found if not _is_boilerplate(t)}


def suggest(texts: Sequence[str], scores: Sequence[float], lexicon: Lexicon, *, high: float = 0.5,
            min_count: int = 3, limit: int = 20, embeddings: bool = True) -> list[Suggestion]:
    """Candidate code words from screened texts and their scores (see module docstring)."""
    corpus = read_corpus(texts, scores, lexicon, high)
    return suggest_from(corpus, lexicon, min_count=min_count, limit=limit, embeddings=embeddings)


def suggest_from(corpus: Corpus, lexicon: Lexicon, *, posts: np.ndarray | None = None, min_count: int = 3,
                 limit: int = 20, embeddings: bool = False) -> list[Suggestion]:
    """Suggestions from the posts of a read corpus (``posts``: a boolean mask; default all of them)."""
    from wildtrace.screen import squeeze

    chosen = np.ones(len(corpus.texts), dtype=bool) if posts is None else posts
    target = chosen & corpus.unexplained_offer
    n_high, n_rest = int(target.sum()), int((chosen & ~target).sum())
    in_high: Counter[str] = Counter()
    in_rest: Counter[str] = Counter()
    for i in np.flatnonzero(chosen).tolist():
        (in_high if target[i] else in_rest).update(corpus.terms[i])
    known = {squeeze(n) for t in lexicon.terms for n in t.all_names()}

    def log_odds(t: str) -> float:
        a, b = in_high[t], in_rest[t]
        return math.log((a + 0.5) / (n_high - a + 0.5)) - math.log((b + 0.5) / (n_rest - b + 0.5))

    candidates = [t for t, c in in_high.items() if c >= min_count and squeeze(t) not in known and log_odds(t) > 0]
    candidates = _maximal(candidates, in_high)
    candidates = [t for t in candidates if not _inside_a_phrase(t, [corpus.blanked[i] for i in np.flatnonzero(target)])]

    def examples(t: str) -> list[str]:
        return [corpus.texts[i][:160] for i in np.flatnonzero(target).tolist() if t in corpus.terms[i]][:3]

    ranked = sorted(candidates, key=lambda t: (-log_odds(t), -in_high[t], t))
    out = [Suggestion(t, "in offers that name no known species", round(log_odds(t), 3), in_high[t], in_rest[t],
                      examples(t)) for t in ranked[:limit]]
    if embeddings and candidates:
        out += _neighbours(sorted(candidates, key=lambda t: -in_high[t])[:300], lexicon, in_high, in_rest,
                           examples, limit)
    return out


def _maximal(candidates: list[str], count: Counter[str]) -> list[str]:
    """Drop a candidate that appears (nearly) only inside a longer one: 冰糖 and 糖料 give way to 冰糖料."""
    by_length = sorted(candidates, key=len, reverse=True)
    kept: list[str] = []
    for t in by_length:
        if not any(t in longer and count[longer] >= 0.8 * count[t] for longer in kept):
            kept.append(t)
    return kept


def _inside_a_phrase(term: str, texts: list[str], share: float = 0.8) -> bool:
    """Whether ``term`` is mostly a piece of one longer phrase (the same character right before or after it in
    ``share`` of its uses): 3-grams of 白玉米真空包装 are not words, while a code word stands between other words."""
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    uses = 0
    for text in texts:
        for m in re.finditer(re.escape(term), text):
            uses += 1
            before[text[m.start() - 1:m.start()]] += 1
            after[text[m.end():m.end() + 1]] += 1
    return any(_CJK_RUN.match(c + c) is not None and n >= share * uses for side in (before, after)
               for c, n in side.most_common(1)) if uses else False


def _neighbours(candidates: list[str], lexicon: Lexicon, in_high: Counter[str], in_rest: Counter[str],
                examples: Callable[[str], list[str]], limit: int, min_similarity: float = 0.6) -> list[Suggestion]:
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
                                    in_rest[term], examples(term)))
    return sorted(found, key=lambda x: -x.score)[:limit]
