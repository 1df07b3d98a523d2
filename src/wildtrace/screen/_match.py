"""Multi-pattern matching of the lexicon (Aho-Corasick) over the normalised streams of a text."""

from __future__ import annotations

import sys
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

import ahocorasick
from pypinyin import Style, lazy_pinyin

from wildtrace.lexicon import Lexicon, Term
from wildtrace.screen._normalise import Normalised, NormalisedBatch, char_pinyin, fold, is_cjk, squeeze

# Kinds whose Chinese names are also matched by their pinyin, homophones and initials.
_PHONETIC_KINDS = ("species", "product", "code_word")
# Two-letter initials that are everyday abbreviations (DM, PM, HD, ...) would only add noise.
_INITIALS_STOP = {"dm", "pm", "hd", "hp", "ok", "gg", "mm", "bb", "dd", "qq", "wx", "vx", "tv", "pc", "id", "ip",
                  "ad", "cd", "dj", "hk", "ss", "sz", "xz", "hg", "hy", "dx", "jp", "sb", "nb", "zt", "cs"}


class Hit(NamedTuple):
    """One match: where in the original text, which term, and how it was written (``via``)."""

    start: int
    end: int
    term: Term
    name: str
    via: str  # exact, variant, split, leet, pinyin, initials, homophone


@dataclass(frozen=True)
class _Pattern:
    term: Term
    name: str
    latin: bool
    via: str


def _pinyin_forms(name: str) -> set[str]:
    phrase = fold("".join(lazy_pinyin(name, style=Style.NORMAL))).replace(" ", "")
    per_char = "".join(char_pinyin(c) or c for c in squeeze(name))
    return {phrase, per_char}


class Matcher:
    """Both automatons for one lexicon: surface (names, initials) and pinyin (pinyin and homophones)."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        surface: dict[str, list[_Pattern]] = {}
        pinyin: dict[str, list[_Pattern]] = {}
        for term in lexicon.terms:
            for name in term.all_names():
                key = squeeze(name)
                if not key:
                    continue
                surface.setdefault(key, []).append(_Pattern(term, name, key.isascii(), "exact"))
                cjk = all(is_cjk(c) for c in key)
                if term.kind not in _PHONETIC_KINDS or not cjk or len(key) < 2:
                    continue
                for form in _pinyin_forms(name):
                    pinyin.setdefault(form, []).append(_Pattern(term, name, True, "pinyin"))
                initials = "".join(p[0] for p in lazy_pinyin(name, style=Style.NORMAL))
                initials = squeeze(initials)
                if term.kind != "product" and initials not in _INITIALS_STOP:
                    surface.setdefault(initials, []).append(_Pattern(term, name, True, "initials"))
        self._surface = _automaton(surface)
        self._pinyin = _automaton(pinyin)

    def raw_hit_count(self, surface: str) -> int:
        """Number of surface matches before boundary checks (what a bare scan would report)."""
        return sum(1 for _ in self._surface.iter(surface))

    def match(self, norm: Normalised) -> list[Hit]:
        """Every lexicon hit in the text, spans in the original, overlapping duplicates removed."""
        return self._hits(norm, self._surface.iter(norm.surface), self._pinyin.iter(norm.pinyin))

    def match_batch(self, batch: NormalisedBatch) -> list[list[Hit]]:
        """:meth:`match` for every text of a batch, with one automaton scan per stream for the whole batch
        (texts without a raw match cost no Python at all)."""
        surface = _by_text(self._surface.iter(batch.surface), NormalisedBatch.starts([n.surface for n in batch.items]))
        pinyin = _by_text(self._pinyin.iter(batch.pinyin), NormalisedBatch.starts([n.pinyin for n in batch.items]))
        return [self._hits(norm, surface.get(i, ()), pinyin.get(i, ())) if i in surface or i in pinyin else []
                for i, norm in enumerate(batch.items)]

    def _hits(self, norm: Normalised, surface: Iterable[_Raw], pinyin: Iterable[_Raw]) -> list[Hit]:
        hits: dict[tuple[int, int, str], Hit] = {}
        original = norm.original
        for end, (key, patterns) in surface:
            start, stop = end - len(key) + 1, end + 1
            o_start, o_end = norm.original_span(start, stop)
            bounded = None
            for p in patterns:
                if p.latin:
                    if bounded is None:
                        bounded = norm.surface_bounded(start, stop)
                    if not bounded:
                        continue
                found = (o_start, o_end, p.term.id)
                if found not in hits:
                    via = p.via if p.via != "exact" else _how_written(original[o_start:o_end], p.name)
                    hits[found] = Hit(o_start, o_end, p.term, p.name, via)
        for end, (key, patterns) in pinyin:
            start, stop = end - len(key) + 1, end + 1
            if not norm.pinyin_bounded(start, stop):
                continue
            s_start, s_end = norm.pinyin_to_surface(start, stop)
            written = norm.surface[s_start:s_end]
            o_start, o_end = norm.original_span(s_start, s_end)
            for p in patterns:
                if written == squeeze(p.name) or (o_start, o_end, p.term.id) in hits:
                    continue  # the surface stream already has it
                via = "homophone" if any(is_cjk(c) for c in written) else "pinyin"
                hits.setdefault((o_start, o_end, p.term.id), Hit(o_start, o_end, p.term, p.name, via))
        if len(hits) < 2:
            return list(hits.values())
        return _drop_contained(sorted(hits.values(), key=lambda h: (h.start, -h.end)))


_Raw = tuple[int, tuple[str, tuple[_Pattern, ...]]]  # (end offset, (key, patterns)) as the automaton yields


def _by_text(raw: Iterable[_Raw], starts: list[int]) -> dict[int, list[_Raw]]:
    """Matches over a joined stream, grouped by text, with offsets made local to each text (the automaton
    reports matches in order of their end, so the text changes only when the next one's start is passed)."""
    out: dict[int, list[_Raw]] = {}
    i, start, following = -1, 0, 0
    for end, value in raw:
        if end >= following:
            i = bisect_right(starts, end) - 1
            start, following = starts[i], starts[i + 1] if i + 1 < len(starts) else sys.maxsize
            found = out[i] = []
        found.append((end - start, value))
    return out


def _automaton(patterns: dict[str, list[_Pattern]]) -> ahocorasick.Automaton:
    auto = ahocorasick.Automaton()
    for key, values in patterns.items():
        auto.add_word(key, (key, tuple(values)))
    auto.make_automaton()
    return auto


@lru_cache(maxsize=65536)
def _how_written(original: str, name: str) -> str:
    """exact, variant (case, width, traditional, homoglyphs), leet (digits for letters) or split."""
    if any(c.isdigit() for c in original) and not any(c.isdigit() for c in name):
        return "leet"
    if fold(original) == fold(name) and len(original) == len(name):
        return "exact" if original.casefold() == name.casefold() else "variant"
    return "split" if len(squeeze(original)) < len(original.replace(" ", "")) or " " in fold(original) else "variant"


def _drop_contained(hits: list[Hit]) -> list[Hit]:
    """Drop a hit inside a longer one of the same kind or inside a benign look-alike (象牙 in 象牙白), and
    initials or pinyin that another hit on the same span already explains (XY the code word, XY the initials)."""
    kept: list[Hit] = []
    for h in hits:
        phonetic = h.via in ("initials", "pinyin")
        for k in kept:
            if k.start > h.start or h.end > k.end:
                continue
            if (k.start, k.end) != (h.start, h.end) and k.term.kind in (h.term.kind, "benign"):
                break
            if phonetic and k.term.implied_species() == h.term.implied_species():
                break
        else:
            kept.append(h)
    return kept
