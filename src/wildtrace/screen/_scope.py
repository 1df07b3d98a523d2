"""Scope: which offers a monitoring team flags, and the rule that put each post in or out.

- none chosen (a model trained on a team's own labels, without ``--scope``): the labels decide; no rule applies.
- either scope: a post written in the context of reporting, enforcement, policy or a campaign (seized, ban on,
  petition, do not buy; bắt giữ, rampas) that gives no way to buy (no price, contact or shipping) and no covert
  signal is out, whatever its score: news of a seizure is no offer, of the illegal trade or of any other.
- ``illegal`` (the shipped model's own): offers of the illegal trade. The model decides, and legality claims
  never lower its score; but an offer made in the open, regulated market (an auction: lot, estimate, bidding)
  with no covert signal (code words, obfuscated names, discretion) is taken out of the flagged tiers, and the
  verdict says so. That lawful market exists only for worked items: a post that names a raw product or an
  unworked part (products.yaml categories ``raw`` and ``part``, or a species' name that is one, species.yaml
  ``parts``: 犀角, tiger bone) of a CITES Appendix I species (the product's own species, or one the post names) and
  no worked product stays flagged, and the verdict says why.
- ``regulated``: every offer of a regulated product (antique and pre-ban ivory, mammoth ivory, auction lots,
  carvings, trophies). The model's flags stay, and a post that names a regulated product and gives more signals
  of an offer (selling, price, auction, contact, shipping) than of a look-alike, news, policy or a campaign is
  flagged too.

The rule is decided for a whole batch with numpy; its wording is built only when a verdict is read.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from wildtrace.lexicon import Term
from wildtrace.screen._features import LEXICON_FEATURES
from wildtrace.screen._match import VIAS, BatchHits

SCOPES = ("illegal", "regulated")
# who decided: the model's score, the regulated-offer rule, the open-market rule, the reporting-context rule, and
# the model's score on an auction the open-market rule may not lower (a raw product or part of Appendix I)
MODEL, RAISED, LOWERED, CONTEXT, KEPT = 0, 1, 2, 3, 4
_NUMBER_UNIT = LEXICON_FEATURES.index("number+unit")
_HEARD = VIAS.index("homophone")
_CHANNELS = ("price", "contact", "delivery")  # a way to buy: what a report, a policy or a campaign does not give
_OBFUSCATED = [VIAS.index(v) for v in ("split", "leet", "pinyin", "initials", "homophone")]
_UNWORKED = ("raw", "part")  # product types with no lawful open market for Appendix I species
_WORKED = ("worked_uncarved", "worked_carved")


def _appendix_one(terms: Sequence[Term]) -> set[str]:
    """The species listed on CITES Appendix I, wholly or for some populations ("I", "I/II")."""
    return {t.id for t in terms if t.on_appendix_i()}


def check_scope(scope: str) -> str:
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {', '.join(SCOPES)}, got {scope!r}")
    return scope


class Scope:
    """The scope rule for the terms of one matcher (see module docstring)."""

    def __init__(self, name: str | None, terms: Sequence[Term]) -> None:
        self.name = check_scope(name) if name else None
        self.regulated = np.array([t.kind in ("species", "code_word") or (t.kind == "product" and bool(t.species))
                                   or (t.kind == "legality" and t.id == "mammoth") for t in terms], dtype=bool)
        self.context = np.array([t.reports() for t in terms], dtype=bool)
        self.offer = np.array([t.kind == "trade" and t.category != "context" for t in terms], dtype=bool)
        self.against = np.array([t.kind == "benign" for t in terms], dtype=bool) | self.context
        self.channel = np.array([t.kind == "trade" and t.category in _CHANNELS for t in terms], dtype=bool)
        self.auction = np.array([t.kind == "trade" and t.id == "auction" for t in terms], dtype=bool)
        self.covert = np.array([t.kind == "code_word" or t.category == "discretion" for t in terms], dtype=bool)
        listed = _appendix_one(terms)
        self.unworked = np.array([t.kind == "product" and t.category in _UNWORKED for t in terms], dtype=bool)
        self.unworked_listed = self.unworked & np.array([t.species in listed for t in terms], dtype=bool)
        self.listed = np.array([t.kind in ("species", "code_word") and t.implied_species() in listed for t in terms],
                               dtype=bool)
        self.worked = np.array([t.kind == "product" and t.category in _WORKED for t in terms], dtype=bool)

    def _unworked_rows(self, hits: BatchHits, rows: slice = slice(None)) -> tuple[np.ndarray, np.ndarray]:
        """Per hit of ``rows``: a raw product or part (a product, or a species' name that is one of its parts), and
        a raw product or part of an Appendix I species (the product's own, or the species whose part name it is)."""
        term, part = hits.term[rows], hits.matcher.pattern_part[hits.pattern[rows]]
        named_part = (part >= 0) & self.unworked[np.maximum(part, 0)]
        return self.unworked[term] | named_part, self.unworked_listed[term] | named_part & self.listed[term]

    def evidence(self, hits: BatchHits, lexicon: np.ndarray) -> tuple[np.ndarray, ...]:
        """Per text of a batch: names a regulated product, offer signals, look-alike/news signals, auction
        signals, covert signals, reporting context with no way to buy, a raw product or part of an Appendix I
        species and no worked product."""
        n = len(hits.bounds) - 1
        heard = hits.via == _HEARD
        term = hits.term
        offers = np.bincount(hits.text[self.offer[term]], minlength=n) + (lexicon[:, _NUMBER_UNIT] > 0)
        against = np.bincount(hits.text[self.against[term]], minlength=n)
        covert = self.covert[term] | (self.regulated[term] & np.isin(hits.via, _OBFUSCATED))
        reporting = hits.texts_with(self.context[term]) & ~hits.texts_with(self.channel[term])
        any_part, listed_part = self._unworked_rows(hits)
        unworked = (hits.texts_with(listed_part & ~heard)
                    | hits.texts_with(any_part & ~heard) & hits.texts_with(self.listed[term] & ~heard))
        return (hits.texts_with(self.regulated[term] & ~heard), offers, against, hits.texts_with(self.auction[term]),
                hits.texts_with(covert), reporting, unworked & ~hits.texts_with(self.worked[term]))

    def words(self, hits: BatchHits, lexicon: np.ndarray, i: int, original: str) -> dict[str, str]:
        """The words of text ``i`` that the rule counted: regulated products, offer and against signals, reporting
        context, raw products and parts, Appendix I species."""
        lo, hi = int(hits.bounds[i]), int(hits.bounds[i + 1])
        out = {}
        term = hits.term[lo:hi]  # this text's hits only: a batch's explanations stay linear in its hits
        unworked = self._unworked_rows(hits, slice(lo, hi))[0]
        for role, of_row in (("regulated", self.regulated[term]), ("offer", self.offer[term]),
                             ("against", self.against[term]), ("context", self.context[term]),
                             ("unworked", unworked), ("listed", self.listed[term])):
            rows = [r for r in range(lo, hi) if of_row[r - lo] and hits.via[r] != _HEARD]
            words = [original[hits.start[r]:hits.end[r]] for r in rows]
            if role == "offer" and lexicon[i, _NUMBER_UNIT] > 0:
                words.append("an amount with its currency or unit")
            out[role] = ", ".join(dict.fromkeys(words)) or "none"
        return out

    def decide(self, hits: BatchHits, lexicon: np.ndarray, score: np.ndarray, medium: float
               ) -> tuple[np.ndarray, np.ndarray]:
        """The scores after the rule, and who decided each (MODEL, RAISED, LOWERED, CONTEXT or KEPT)."""
        decided = np.full(len(score), MODEL, dtype=np.int8)
        if self.name is None:
            return score, decided
        regulated, offers, against, auction, covert, reporting, unworked = self.evidence(hits, lexicon)
        flagged = score >= medium
        score = score.copy()
        out = flagged & reporting & ~covert
        score[out] = medium - 1e-4
        decided[out] = CONTEXT
        if self.name == "regulated":  # a post the reporting rule took out is not raised again
            raise_ = ~flagged & regulated & (offers > against)
            score[raise_] = medium
            decided[raise_] = RAISED
        else:
            market = flagged & ~out & regulated & auction & ~covert
            lower = market & ~unworked
            score[lower] = medium - 1e-4  # just below the cut-off, still shown to four decimals
            decided[lower] = LOWERED
            decided[market & unworked] = KEPT
        return score, decided
