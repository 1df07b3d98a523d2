"""Multi-pattern matching of the lexicon (Aho-Corasick) over the normalised streams of a batch of texts.

Each automaton scans a whole batch in one C-level call; boundaries, offsets back to the original,
de-duplication and containment are numpy operations over every match of the batch. Python runs per match
only to tell how a word was written (``via``) where the original does not read as the lexicon name.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain
from typing import NamedTuple

import ahocorasick
import numpy as np
from pypinyin import Style, lazy_pinyin

from wildtrace.lexicon import LANGUAGES, NUMBER_SLOT, Lexicon, Term
from wildtrace.screen._heard import Hearing, Lattice, _all_readings, dictionary_word, load_hearing
from wildtrace.screen._normalise import (
    Normalised,
    NormalisedBatch,
    _text,
    char_pinyin,
    code_points,
    decimal_digits,
    fold,
    is_cjk,
    marked_letters,
    ranges,
    squeeze,
)

# Kinds whose Chinese names are also matched by their pinyin, homophones and initials.
_PHONETIC_KINDS = ("species", "product", "code_word")
# Two-letter initials that are everyday abbreviations (DM, PM, HD, ...) would only add noise.
_INITIALS_STOP = {"dm", "pm", "hd", "hp", "ok", "gg", "mm", "bb", "dd", "qq", "wx", "vx", "tv", "pc", "id", "ip",
                  "ad", "cd", "dj", "hk", "ss", "sz", "xz", "hg", "hy", "dx", "jp", "sb", "nb", "zt", "cs",
                  "st", "lh", "fh", "gj", "wfh"}
VIAS = ("exact", "variant", "split", "leet", "pinyin", "initials", "homophone")
_VIA = {name: code for code, name in enumerate(VIAS)}
_PHONETIC_VIAS = (_VIA["initials"], _VIA["pinyin"])
_SOUNDED_VIAS = (*_PHONETIC_VIAS, _VIA["homophone"])
_ENGLISH = 1 << LANGUAGES.index("en")
# Languages whose diacritics tell words apart (Vietnamese bán sell, bạn friend, ban board): in a text typed with
# them, a word written without them is another word. French and German writers drop accents here and there.
_MARKS_MAKE_WORDS = 1 << LANGUAGES.index("vi")


class Hit(NamedTuple):
    """One match: where in the original text, which term, and how it was written (``via``)."""

    start: int
    end: int
    term: Term
    name: str
    via: str  # one of VIAS


def _pinyin_forms(name: str) -> dict[str, int]:
    """The pinyin spellings of a Chinese name (by phrase, and character by character), each with the bit mask of
    where its syllables start inside it (see ``_spelled``)."""
    phrase = [fold(p).replace(" ", "") for p in lazy_pinyin(name, style=Style.NORMAL)]
    return _spelled((phrase, [char_pinyin(c) or c for c in squeeze(name)]))


def _merged_forms(name: str, hearing: Hearing) -> dict[str, int]:
    """A Chinese name's pinyin typed in Latin letters through near-homophone mergers (``chuan san jia``)."""
    return _spelled([[fold(s).replace(" ", "") for s in spelled]
                     for spelled in hearing.merged(lazy_pinyin(name, style=Style.NORMAL))])


def _spelled(spellings: Iterable[list[str]]) -> dict[str, int]:
    """Each spelling (a list of syllables) as one key, with the bit mask of where its syllables start inside it
    (bit ``i``: a syllable starts at offset ``i > 0``; -1: not known)."""
    forms: dict[str, int] = {}
    for syllables in spellings:
        starts = np.cumsum([len(x) for x in syllables])[:-1]
        key = "".join(syllables)
        mask = sum(1 << int(b) for b in starts) if len(key) < 64 and all(syllables) else -1
        forms[key] = mask if forms.get(key, mask) == mask else -1
    return forms


class _Keys:
    """One automaton: its keys, and for each key the patterns (rows of the matcher's pattern table) it stands for."""

    def __init__(self, keys: dict[str, list[int]]) -> None:
        self.automaton = ahocorasick.Automaton()
        for i, key in enumerate(keys):
            self.automaton.add_word(key, i)
        self.automaton.make_automaton()
        self.length = np.array([len(k) for k in keys], dtype=np.int64)
        self.latin = np.array([k.isascii() for k in keys], dtype=bool)
        counts = np.array([len(p) for p in keys.values()], dtype=np.int64)
        self.first = np.cumsum(counts) - counts
        self.count = counts
        self.patterns = np.fromiter(chain.from_iterable(keys.values()), dtype=np.int64, count=int(counts.sum()))

    def scan(self, stream: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every key found in ``stream``: (start, end, key) arrays, overlapping matches included."""
        flat = np.fromiter(chain.from_iterable(self.automaton.iter(stream)), dtype=np.int64)
        end, key = flat[0::2] + 1, flat[1::2]
        return end - self.length[key], end, key

    def expand(self, key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(index of the match, pattern) for every pattern of every matched key."""
        counts = self.count[key]
        return np.repeat(np.arange(len(key)), counts), self.patterns[ranges(self.first[key], counts)]


class Matcher:
    """Both automatons for one lexicon: surface (names, initials) and pinyin (pinyin and homophones)."""

    def __init__(self, lexicon: Lexicon, hearing: Hearing | None = None) -> None:
        self.lexicon = lexicon
        self.hearing = hearing or load_hearing()
        self.terms: list[Term] = list(lexicon.terms)
        self.pattern_term: list[int] = []
        self.pattern_name: list[str] = []
        pattern_via: list[int] = []
        verbatim_via: list[int] = []  # how a word was written when the original reads exactly as the key
        surface: dict[str, list[int]] = {}
        pinyin: dict[str, list[int]] = {}
        pictographs: dict[int, list[int]] = {}  # a name that is one emoji (🦏): its code point's patterns
        heard: list[tuple[int, int, str]] = []  # (pattern, term, name) of the names the lattice hears

        syllables: list[int] = []  # of each pattern: where its pinyin syllables start (see _pinyin_forms)
        languages: list[int] = []  # of each pattern: bit mask of the languages (LANGUAGES) that list its name
        marked: list[bool] = []  # whether its name is written with diacritics (Latin letters)
        number: list[bool] = []  # whether it matches only before a number (a name ending in NUMBER_SLOT)
        latin: list[bool] = []  # whether it counts only where typed in Latin letters (merged or trade pinyin)

        def add(keys: dict[str, list[int]], key: str, term: int, name: str, via: str, starts: int = -1,
                latin_only: bool = False) -> None:
            keys.setdefault(key, []).append(len(self.pattern_term))
            self.pattern_term.append(term)
            self.pattern_name.append(name)
            pattern_via.append(_VIA[via])
            verbatim_via.append(_VIA[_how_written(key, name)] if via == "exact" else _VIA[via])
            syllables.append(starts)
            languages.append(mask)
            marked.append(via == "exact" and bool(marked_letters(code_points(name)).any()))
            number.append(via == "exact" and slot)
            latin.append(latin_only)

        for t, term in enumerate(self.terms):
            for written, langs in term.name_languages().items():
                mask = sum(1 << LANGUAGES.index(lang) for lang in langs)
                slot = written.endswith(NUMBER_SLOT)
                name = written.removesuffix(NUMBER_SLOT)
                key = squeeze(name)
                if not key:
                    if (emoji := _pictograph(name)) is not None:
                        pictographs.setdefault(emoji, []).append(len(self.pattern_term))
                        add({}, name, t, name, "exact")
                    continue
                add(surface, key, t, name, "exact")
                if not all(is_cjk(c) for c in key) or len(key) < 2:
                    continue
                if term.kind in self.hearing.latin_only_kinds:
                    for form, starts in _pinyin_forms(name).items():
                        add(pinyin, form, t, name, "pinyin", starts, latin_only=True)
                if term.kind not in _PHONETIC_KINDS:
                    continue
                for form, starts in _pinyin_forms(name).items():
                    add(pinyin, form, t, name, "pinyin", starts)
                if term.kind in self.hearing.kinds:
                    heard.append((len(self.pattern_term), t, name))
                    add({}, key, t, name, "homophone")
                    for form, starts in _merged_forms(name, self.hearing).items():
                        add(pinyin, form, t, name, "homophone", starts, latin_only=True)
                initials = squeeze("".join(p[0] for p in lazy_pinyin(name, style=Style.NORMAL)))
                if term.kind != "product" and initials not in _INITIALS_STOP:
                    add(surface, initials, t, name, "initials")
        kinds = sorted({t.kind for t in self.terms})
        species = sorted({s for t in self.terms if (s := t.implied_species())})
        index = {t.id: i for i, t in enumerate(self.terms)}
        parts = [dict(t.parts) for t in self.terms]
        # of each pattern: the product its name is (a species' part name, 犀角: horn), as a term index, or -1
        self.pattern_part = np.array([index.get(parts[t].get(n, ""), -1) for t, n in zip(
            self.pattern_term, self.pattern_name, strict=True)], dtype=np.int64)
        self._term_kind = np.array([kinds.index(t.kind) for t in self.terms], dtype=np.int64)
        self.code_word = np.array([t.kind == "code_word" for t in self.terms], dtype=bool)
        self._benign = kinds.index("benign") if "benign" in kinds else -1
        self._claim = np.array([t.kind == "legality" for t in self.terms], dtype=bool)
        self._reports = np.array([t.reports() for t in self.terms], dtype=bool)
        self._term_species = np.array([species.index(s) if (s := t.implied_species()) else -1 for t in self.terms],
                                      dtype=np.int64)
        self._pattern_term = np.array(self.pattern_term, dtype=np.int64)
        self._pattern_via = np.array(pattern_via, dtype=np.int8)
        self._verbatim_via = np.array(verbatim_via, dtype=np.int8)
        self._syllables = np.array(syllables, dtype=np.int64)
        self._languages = np.array(languages, dtype=np.int64)
        self._marked = np.array(marked, dtype=bool)
        self._number = np.array(number, dtype=bool)
        self._latin_only = np.array(latin, dtype=bool)
        self._pictograph = np.array(sorted(pictographs), dtype=np.uint32)
        self._pictograph_patterns = [pictographs[c] for c in sorted(pictographs)]
        self._surface = _Keys(surface)
        self._pinyin = _Keys(pinyin)
        # keys that count only where typed in Latin letters: their matches in pinyin spelled from characters (every
        # 价格 of a Chinese post is jiage) are dropped before anything else is done with them
        self._latin_key = np.array([all(latin[p] for p in patterns) for patterns in pinyin.values()], dtype=bool)
        self.lattice = Lattice(heard, self.hearing)

    def match(self, norm: Normalised) -> list[Hit]:
        """Every lexicon hit in one text, spans in the original, overlapping duplicates removed."""
        return self.match_batch(NormalisedBatch([norm.original])).of_text(0)

    def match_batch(self, batch: NormalisedBatch) -> BatchHits:
        """Every lexicon hit of every text of a batch."""
        surface = self._surface_hits(batch)
        pinyin = self._pinyin_hits(batch)
        heard = self._heard_hits(batch)
        emoji = self._pictograph_hits(batch)
        start, end, pattern, via = (np.concatenate(a) for a in zip(surface, pinyin, heard, emoji, strict=True))
        term = self._pattern_term[pattern]
        # the first of the hits on one span for one term wins (surface, pinyin, then the lattice; in scan order)
        order = np.lexsort((np.arange(len(start)), term, end, start))
        first = np.ones(len(order), dtype=bool)
        first[1:] = (np.diff(start[order]) != 0) | (np.diff(end[order]) != 0) | (np.diff(term[order]) != 0)
        kept = np.sort(order[first])
        kept = kept[np.lexsort((kept, -end[kept], start[kept]))]  # by start, longest first, then scan order
        start, end, term, pattern, via = start[kept], end[kept], term[kept], pattern[kept], via[kept]
        text = batch.text_of(start)
        counts = self._in_its_language(batch, text, start, end, pattern)
        start, end, term, pattern, via, text = (a[counts] for a in (start, end, term, pattern, via, text))
        keep = self._not_contained(text, start, end, term, via)
        keep[keep] = self._not_claimed(start[keep], end[keep], term[keep])
        start, end, term, pattern, via, text = start[keep], end[keep], term[keep], pattern[keep], via[keep], text[keep]
        offset = batch.text_starts[text]
        return BatchHits(self, text, start - offset, end - offset, term, pattern, via,
                         np.searchsorted(text, np.arange(len(batch.texts) + 1)))

    def _surface_hits(self, batch: NormalisedBatch) -> tuple[np.ndarray, ...]:
        start, end, key = self._surface.scan(batch.surface)
        if len(key) == 0:
            return _no_hits()
        word_start = batch.word_start
        bounded = ~self._surface.latin[key] | (word_start[start] & word_start[end])
        start, end, key = start[bounded], end[bounded], key[bounded]
        match, pattern = self._surface.expand(key)
        start, end = start[match], end[match]
        codes = batch.surface_codes
        before_number = ~self._number[pattern] | decimal_digits(codes[np.minimum(end, len(codes) - 1)])
        start, end, pattern = start[before_number], end[before_number], pattern[before_number]
        to_original = batch.surface_to_original
        o_start, o_end = to_original[start], to_original[end - 1] + 1
        verbatim = batch.verbatim_before
        verbatim = (o_end - o_start == end - start) & (verbatim[end] - verbatim[start] == end - start)
        via = np.where(verbatim, self._verbatim_via[pattern], self._pattern_via[pattern]).astype(np.int8)
        capitals = _written_in_capitals(batch.codes, o_start, o_end, via == _VIA["initials"])
        capitals[capitals] = self._not_a_size(batch, o_start[capitals], o_end[capitals], via[capitals])
        o_start, o_end, pattern, via, verbatim = (a[capitals] for a in (o_start, o_end, pattern, via, verbatim))
        exact = np.flatnonzero(~verbatim & (via == _VIA["exact"]))  # how the rest was written is read from it
        joined, names = batch.joined, self.pattern_name
        via[exact] = [_VIA[_how_written(joined[a:b], names[p])] for a, b, p in zip(
            o_start[exact].tolist(), o_end[exact].tolist(), pattern[exact].tolist(), strict=True)]
        return o_start, o_end, pattern, via

    def _not_a_size(self, batch: NormalisedBatch, start: np.ndarray, end: np.ndarray, via: np.ndarray) -> np.ndarray:
        """Which hits to keep: initials that are also a garment size (XL, 血料) only where they are no size
        (``sizes`` of ``mergers.yaml``: S到XL码, M/L/XL, a dress)."""
        keep = np.ones(len(start), dtype=bool)
        joined, sizes, first = batch.joined, self.hearing.sizes, batch.text_starts
        for k in np.flatnonzero(via == _VIA["initials"]).tolist():
            a, b = int(start[k]), int(end[k])
            if sizes.is_size(joined[a:b]):
                t = int(batch.text_of(start[k:k + 1])[0])
                keep[k] = not sizes.as_size(batch.texts[t], a - int(first[t]), b - int(first[t]))
        return keep

    def _pinyin_hits(self, batch: NormalisedBatch) -> tuple[np.ndarray, ...]:
        start, end, key = self._pinyin.scan(batch.pinyin)
        spelled = np.concatenate([[0], np.cumsum(batch.pinyin_syllables[1])])
        typed = ~self._latin_key[key] | (spelled[end] == spelled[start])
        start, end, key = start[typed], end[typed], key[typed]
        if len(key) == 0:
            return _no_hits()
        unit = batch.pinyin_unit
        bounded = unit[start] & unit[end]
        bounded[~bounded] = _inside_pinyin_words(batch, start[~bounded], end[~bounded])
        start, end, key = start[bounded], end[bounded], key[bounded]
        match, pattern = self._pinyin.expand(key)
        aligned = _syllables_align(batch, start[match], end[match], self._syllables[pattern])
        match, pattern = match[aligned], pattern[aligned]
        to_surface = batch.pinyin_to_surface
        s_start, s_end = to_surface[start[match]], to_surface[end[match] - 1] + 1
        cjk = np.concatenate([[0], np.cumsum(batch.surface_cjk)])
        chinese = cjk[s_end] - cjk[s_start]
        typed = ~self._latin_only[pattern] | (chinese == 0)  # merged and trade pinyin: where typed in Latin only
        s_start, s_end, pattern, chinese = s_start[typed], s_end[typed], pattern[typed], chinese[typed]
        via = np.where(chinese > 0, _VIA["homophone"], self._pattern_via[pattern]).astype(np.int8)
        mixed = np.flatnonzero((chinese > 0) & (chinese < s_end - s_start))  # 象ya, xiang牙: the name half spelled
        codes, names = batch.surface_codes, self.pattern_name
        via[mixed] = [_VIA["pinyin"] if set(_text(codes[a:b])) <= _spelling_letters(names[p]) else
                      _VIA["homophone"] for a, b, p in zip(s_start[mixed].tolist(), s_end[mixed].tolist(),
                                                           pattern[mixed].tolist(), strict=True)]
        if self.hearing.not_a_word:  # 获得 (won) is what it says, not 活的 (alive) in first readings
            heard = np.flatnonzero(chinese == s_end - s_start)
            word = [k for k, a, b, p in zip(heard.tolist(), s_start[heard].tolist(), s_end[heard].tolist(),
                                            pattern[heard].tolist(), strict=True)
                    if (w := _text(codes[a:b])) != _squeezed(names[p]) and dictionary_word(w)]
            keep = np.ones(len(pattern), dtype=bool)
            keep[word] = False
            s_start, s_end, pattern, via = s_start[keep], s_end[keep], pattern[keep], via[keep]
        to_original = batch.surface_to_original
        return to_original[s_start], to_original[s_end - 1] + 1, pattern, via

    def _pictograph_hits(self, batch: NormalisedBatch) -> tuple[np.ndarray, ...]:
        """Names that are one emoji (🦏), found in the original: folding reads every symbol as a separator."""
        if not len(self._pictograph):
            return _no_hits()
        at = np.flatnonzero(np.isin(batch.codes, self._pictograph))
        which = np.searchsorted(self._pictograph, batch.codes[at])
        counts = np.array([len(self._pictograph_patterns[w]) for w in which.tolist()], dtype=np.int64)
        pattern = np.array([p for w in which.tolist() for p in self._pictograph_patterns[w]], dtype=np.int64)
        at = np.repeat(at, counts)
        return at, at + 1, pattern, np.full(len(at), _VIA["exact"], dtype=np.int8)

    def _heard_hits(self, batch: NormalisedBatch) -> tuple[np.ndarray, ...]:
        """Names heard through a character's other readings or a near-homophone merger (see ``_heard``)."""
        s_start, s_end, pattern = self.lattice.scan(batch.surface_codes, batch.surface_cjk)
        to_original = batch.surface_to_original
        return (to_original[s_start], to_original[s_end - 1] + 1, pattern,
                np.full(len(pattern), _VIA["homophone"], dtype=np.int8))

    def _in_its_language(self, batch: NormalisedBatch, text: np.ndarray, start: np.ndarray, end: np.ndarray,
                         pattern: np.ndarray) -> np.ndarray:
        """Which hits count. A name written with diacritics, matched where the original has none (bán in "ivory
        ban", défense in "defense"), counts only in a text of its language typed without them: one where another
        word of that language (a name only it lists, not English) stands apart from it ("ban nga voi"), and, for
        Vietnamese, whose marks tell words apart, a text with no diacritics at all ("Ban quản lý" is a board)."""
        keep = np.ones(len(start), dtype=bool)
        marks = batch.marked_before
        bare = np.flatnonzero(self._marked[pattern] & (marks[end] == marks[start]))
        if not len(bare):
            return keep
        langs = self._languages[pattern]
        own = np.where(langs & _ENGLISH, 0, langs)
        n, b_text = len(batch.texts), text[bare]
        found = np.zeros(len(bare), dtype=bool)
        for bit in (1 << i for i in range(len(LANGUAGES))):
            wanted, g = (langs[bare] & bit) != 0, np.flatnonzero(own & bit)
            if not wanted.any() or not len(g):
                continue
            first_end, last_start = np.full(n, np.iinfo(np.int64).max), np.full(n, -1)
            np.minimum.at(first_end, text[g], end[g])
            np.maximum.at(last_start, text[g], start[g])
            found |= wanted & ((first_end[b_text] <= start[bare]) | (last_start[b_text] >= end[bare]))
        bounds = batch.text_starts
        typed_with_marks = marks[bounds[b_text + 1] - 1] > marks[bounds[b_text]]
        keep[bare] = found & ~(((langs[bare] & ~_MARKS_MAKE_WORDS) == 0) & typed_with_marks)
        return keep

    def _not_contained(self, text: np.ndarray, start: np.ndarray, end: np.ndarray, term: np.ndarray,
                       via: np.ndarray) -> np.ndarray:
        """Drop a hit inside a longer one of the same kind or inside a benign look-alike (象牙 in 象牙白),
        initials or pinyin that another hit on the same span already explains (XY the code word, XY the
        initials), and initials, pinyin or homophones inside a longer name of any species (X.N, hornbill, inside
        X.N.J, rhino horn); a homophone drops only hits that are heard too (甲片, written, stays inside 三甲片 heard as
山甲片). Hits come sorted by start, longest first; a hit is dropped only by one that is kept."""
        keep = np.ones(len(start), dtype=bool)
        inside = np.zeros(len(start), dtype=bool)
        inside[1:] = np.maximum.accumulate(end)[:-1] >= end[1:]
        h = np.flatnonzero(inside)
        if not len(h):
            return keep
        # every pair (k, h) of a hit h that lies inside an earlier one and an earlier hit k of its text that
        # could reach as far (one starting at least the longest span before h's end): bounded per hit, so a
        # text that repeats a word thousands of times costs linear, not quadratic, memory
        reach = np.searchsorted(start, end[h] - int((end - start).max()), side="left")
        earlier = h - np.maximum(np.searchsorted(text, text[h]), reach)
        k = ranges(h - earlier, earlier)
        h = np.repeat(h, earlier)
        covers = end[h] <= end[k]
        same_span = (start[k] == start[h]) & (end[k] == end[h])
        kind, species = self._term_kind[term], self._term_species[term]
        sounded = np.isin(via[h], _SOUNDED_VIAS) & (species[h] >= 0)
        drops = covers & (~same_span & ((kind[k] == kind[h]) | (kind[k] == self._benign) | sounded & (species[k] >= 0))
                          | np.isin(via[h], _PHONETIC_VIAS) & (species[k] == species[h]))
        drops &= (via[k] != _VIA["homophone"]) | np.isin(via[h], _SOUNDED_VIAS)  # a homophone drops no written hit
        k, h = k[drops], h[drops]
        while True:  # a dropped hit drops nothing: iterate to the fixed point (chains of containment are short)
            kept = np.ones(len(start), dtype=bool)
            kept[h[keep[k]]] = False
            if (kept == keep).all():
                return keep
            keep = kept


    def _not_claimed(self, start: np.ndarray, end: np.ndarray, term: np.ndarray) -> np.ndarray:
        """A word has one sense: a word of reporting or campaigns that shares a word with a seller's legality claim
        does not count, the claim keeps the word ("pre-ban ivory" is not the campaigners' "ban ivory", #banivory
        spelled apart). Hits come sorted by start, with offsets in the batch, so a claim never reaches another
        text."""
        keep = np.ones(len(start), dtype=bool)
        claim, report = np.flatnonzero(self._claim[term]), np.flatnonzero(self._reports[term])
        if not len(claim) or not len(report):
            return keep
        reach = np.maximum.accumulate(end[claim])  # the furthest end of the claims starting up to each one
        last = np.searchsorted(start[claim], end[report], side="left") - 1  # the last claim starting before it ends
        keep[report] = (last < 0) | (reach[np.maximum(last, 0)] <= start[report])
        return keep


def _written_in_capitals(codes: np.ndarray, start: np.ndarray, end: np.ndarray, initials: np.ndarray) -> np.ndarray:
    """Which hits to keep: initials only where the original has no lower-case letter (``XY``, ``X.N.J``; not
    ``by`` in "pay by", nor ``x _ d`` in a spelled-out handle ``w x _ d r a g o n``)."""
    keep = np.ones(len(start), dtype=bool)
    i = np.flatnonzero(initials)
    if not len(i):
        return keep
    length = end[i] - start[i]
    c = codes[ranges(start[i], length)]
    lower = ((c >= ord("a")) & (c <= ord("z"))) | ((c >= 0xFF41) & (c <= 0xFF5A))
    keep[i] = np.bincount(np.repeat(np.arange(len(i)), length), weights=lower, minlength=len(i)) == 0
    return keep


def _syllables_align(batch: NormalisedBatch, start: np.ndarray, end: np.ndarray, syllables: np.ndarray) -> np.ndarray:
    """Whether each pinyin match keeps to the syllables of the Chinese it was spelled from: the name's syllables
    must start where the text's characters do (馈新老 kui|xin|lao spells the letters of 盔犀鸟 kui|xi|niao once
    "l" is folded into "i", but not its syllables). Latin letters typed by a user have no syllables to keep to."""
    ok = np.ones(len(start), dtype=bool)
    known = syllables >= 0
    if not known.any():
        return ok
    first, spelled = batch.pinyin_syllables
    length = end - start
    text_starts = np.zeros(len(start), dtype=np.int64)
    inside = np.zeros(len(start), dtype=np.int64)  # spelled from a Chinese character, not its first letter
    for j in range(1, int(length.max())):
        at = np.minimum(start + j, len(first) - 1)
        on = length > j
        text_starts |= (first[at] & on).astype(np.int64) << j
        inside |= (spelled[at] & ~first[at] & on).astype(np.int64) << j
    return ~known | (((text_starts & ~syllables) == 0) & ((inside & syllables) == 0))


_LATIN = set("abcdefghijklmnopqrstuvwxyz")


def _pictograph(name: str) -> int | None:
    """The code point of a name that is one pictograph (an emoji, 🦏; a variation selector after it is dropped)."""
    bare = name.replace("\ufe0f", "")
    return ord(bare) if len(bare) == 1 and unicodedata.category(bare) == "So" else None


@lru_cache(maxsize=4096)
def _squeezed(name: str) -> str:
    """A name folded as texts are, once per name (matching compares it with every hit of the name)."""
    return squeeze(name)


@lru_cache(maxsize=4096)
def _spelling_letters(name: str) -> frozenset[str]:
    """What a name half written, half spelled may hold: its own characters (folded) and Latin letters."""
    return frozenset(_squeezed(name)) | _LATIN


@cache
def _syllables() -> frozenset[str]:
    """Every toneless pinyin syllable with a vowel (not the interjections ng, m, hm), folded as texts are (``l``
    read as ``i``)."""
    return frozenset(s for listed in _all_readings()[0].values() for r in listed
                     if set(s := fold(r).replace(" ", "")) & set("aeiouv"))


@lru_cache(maxsize=4096)
def _segments(word: str, first: bool) -> bool:
    """Whether ``word`` (folded Latin letters, maybe empty) is a run of pinyin syllables; one that begins with a,
    e or o only at the start of a word (``first``): inside one, pinyin writes an apostrophe (xi'an)."""
    syllables = _syllables()
    ok = [True] + [False] * len(word)
    for i in range(1, len(word) + 1):
        ok[i] = any(ok[j] and word[j:i] in syllables and ((first and j == 0) or word[j] not in "aeo")
                    for j in range(max(0, i - 6), i))
    return ok[-1]


def _inside_pinyin_words(batch: NormalisedBatch, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Which pinyin matches that begin or end inside a word stand on syllable boundaries of a word typed in pinyin
    with no spaces (``xiangya`` in ``xiangyashouzhuo``): the word is Latin letters only, and its letters before and
    after the match are pinyin syllables too. Only the few matches inside a word pay for it (Python per match)."""
    ok = np.zeros(len(start), dtype=bool)
    if not len(start):
        return ok
    _, spelled = batch.pinyin_syllables
    units = np.flatnonzero(batch.pinyin_unit)
    word_start = units[np.searchsorted(units, start, side="right") - 1]
    word_end = units[np.searchsorted(units, end, side="left")]
    stream = batch.pinyin
    spelled_before = np.concatenate([[0], np.cumsum(spelled)])
    latin = spelled_before[word_end] == spelled_before[word_start]  # no syllable spelled from a Chinese character
    for i in np.flatnonzero(latin).tolist():
        a, s, e, b = int(word_start[i]), int(start[i]), int(end[i]), int(word_end[i])
        if set(stream[a:b]) <= _LATIN:
            inside = s == a or stream[s] not in "aeo"  # a syllable inside a word begins with no a, e or o
            ok[i] = inside and _segments(stream[a:s], True) and _segments(stream[e:b], False)
    return ok


def _no_hits() -> tuple[np.ndarray, ...]:
    empty = np.zeros(0, dtype=np.int64)
    return empty, empty, empty, np.zeros(0, dtype=np.int8)


@dataclass
class BatchHits:
    """The hits of a batch as columns, sorted by text, start and longest first: ``start`` and ``end`` are
    offsets in each text's original, ``bounds[i]:bounds[i + 1]`` are the rows of text ``i``."""

    matcher: Matcher
    text: np.ndarray
    start: np.ndarray
    end: np.ndarray
    term: np.ndarray
    pattern: np.ndarray
    via: np.ndarray
    bounds: np.ndarray

    def of_text(self, i: int) -> list[Hit]:
        lo, hi = int(self.bounds[i]), int(self.bounds[i + 1])
        terms, names = self.matcher.terms, self.matcher.pattern_name
        return [Hit(s, e, terms[t], names[p], VIAS[v]) for s, e, t, p, v in zip(
            self.start[lo:hi].tolist(), self.end[lo:hi].tolist(), self.term[lo:hi].tolist(),
            self.pattern[lo:hi].tolist(), self.via[lo:hi].tolist(), strict=True)]

    def only(self, keep: np.ndarray) -> BatchHits:
        """The hits selected by the boolean ``keep``."""
        text = self.text[keep]
        return BatchHits(self.matcher, text, self.start[keep], self.end[keep], self.term[keep], self.pattern[keep],
                         self.via[keep], np.searchsorted(text, np.arange(len(self.bounds))))

    def texts_with(self, rows: np.ndarray) -> np.ndarray:
        """Whether each text has at least one of the hits selected by the boolean ``rows``."""
        out = np.zeros(len(self.bounds) - 1, dtype=bool)
        out[self.text[rows]] = True
        return out


@lru_cache(maxsize=65536)
def _how_written(original: str, name: str) -> str:
    """exact, variant (case, width, traditional, homoglyphs), leet (digits for letters) or split."""
    if any(c.isdigit() for c in original) and not any(c.isdigit() for c in name):
        return "leet"
    if fold(original) == fold(name) and len(original) == len(name):
        return "exact" if original.casefold() == name.casefold() else "variant"
    return "split" if len(squeeze(original)) < len(original.replace(" ", "")) or " " in fold(original) else "variant"
