"""Normalisation before matching, with a map back to the original text.

One folding table (built once, applied with ``str.translate`` at C speed) does Unicode NFKC (which
turns full-width forms into half-width), lower case, diacritics off Latin letters (Vietnamese, pinyin
tones), homoglyphs (Cyrillic and Greek look-alikes to Latin), traditional to simplified Chinese
(OpenCC's character table), and turns separators, punctuation, symbols and emoji into spaces. Then
digits inside letter words are read as letters (``1v0ry`` -> ``ivory``) and the spaces are squeezed out,
so ``象 牙``, ``象-牙``, ``象🐘牙`` and ``象牙`` are one string. A second stream spells every Chinese
character in pinyin, so ``xiang ya``, ``象ya`` and homophones meet ``象牙``. Offsets back to the original
are computed only for posts that have a match.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache

_HOMOGLYPHS = dict(zip(  # Cyrillic and Greek letters that pass for Latin ones
    "авсеһіјкмнорѕтхуԁνορτυχκιαβεη",
    "abcehijkmhopstxydvoptuxkiaben", strict=True,
))
_LETTERISH_DIGITS = str.maketrans("013457", "oieast")  # 1 and l both fold to i (see _fold_char)
_SEP = "\x00"  # joins the texts of a batch; a NUL inside a text is read as a separator
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_MIXED_TOKEN = re.compile(r"(?<![a-z0-9])[a-z0-9]*(?:[a-z][0-9]|[0-9][a-z])[a-z0-9]*(?![a-z0-9])")


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is a Chinese character (the ranges of ``_CJK_RANGES``, compared as strings: hot path)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def _fold_char(ch: str, t2s: dict[str, str]) -> str:
    out = []
    for c in unicodedata.normalize("NFKC", ch).lower():
        c = t2s.get(c, c)
        c = _HOMOGLYPHS.get(c, c)
        base = "".join(b for b in unicodedata.normalize("NFKD", c) if not unicodedata.combining(b))
        if base.isascii() and base:
            c = base
        if c == "đ":
            c = "d"
        if c == "l":
            c = "i"  # "l", "I" and "1" are written for one another; fold them together
        cat = unicodedata.category(c)
        if cat in ("Mn", "Me", "Cf"):
            continue  # invisible: combining marks, zero-width characters
        out.append(c if cat[0] in "LN" else " ")
    return "".join(out)


_TABLE_SIZE = 0x20000  # the Basic and Supplementary Multilingual Planes; characters beyond are kept as they are


@cache
def _tables() -> tuple[list[str], list[str]]:
    """(fold table, pinyin table), built once per process: lists indexed by code point, since
    ``str.translate`` reads a list several times faster than a dict that lacks most keys."""
    import opencc
    from pypinyin.pinyin_dict import pinyin_dict

    cjk = [chr(c) for lo, hi in _CJK_RANGES for c in range(lo, hi + 1)]
    simplified = opencc.OpenCC("t2s").convert("\n".join(cjk)).split("\n")
    t2s = {a: b for a, b in zip(cjk, simplified, strict=True) if a != b and len(b) == 1}
    identity = [chr(cp) for cp in range(_TABLE_SIZE)]
    fold = identity.copy()
    for cp in range(1, _TABLE_SIZE):  # NUL is kept: it separates the texts of a batch (see NormalisedBatch)
        if not 0xD800 <= cp <= 0xDFFF:
            fold[cp] = _fold_char(identity[cp], t2s)
    pinyin = identity.copy()
    for cp, readings in pinyin_dict.items():
        if cp < _TABLE_SIZE and is_cjk(chr(cp)):
            first = readings.split(",")[0]
            pinyin[cp] = "".join(_fold_char(c, {}) for c in first).replace("ü", "v").strip()
    return fold, pinyin


def _look_up(table: list[str], ch: str) -> str:
    cp = ord(ch)
    return table[cp] if cp < _TABLE_SIZE else ch


def _unleet(match: re.Match[str]) -> str:
    token = match.group(0)
    letters = sum(c.isalpha() for c in token)
    return token.translate(_LETTERISH_DIGITS) if letters > len(token) - letters else token


def _fold_keeping_nul(text: str) -> str:
    table, _ = _tables()
    return _MIXED_TOKEN.sub(_unleet, text.translate(table))


def fold(text: str) -> str:
    """The folded text with separators as spaces (same folding for texts and lexicon names)."""
    return _fold_keeping_nul(text.replace(_SEP, " "))


def squeeze(text: str) -> str:
    """Folded, with every separator removed: the surface stream matched against the lexicon."""
    return fold(text).replace(" ", "")


def to_pinyin(squeezed: str) -> str:
    """The pinyin stream: every Chinese character spelled in toneless pinyin, the rest as is."""
    return squeezed.translate(_tables()[1])


@dataclass
class Normalised:
    """A text in its matching streams, with maps from stream positions back to the original."""

    original: str
    spaced: str
    surface: str
    pinyin: str
    _smap: tuple[Sequence[int], list[bool] | None] | None = field(default=None, init=False, repr=False, compare=False)
    _pmap: tuple[list[int], list[bool]] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, text: str) -> Normalised:
        return NormalisedBatch.of([text]).items[0]

    def _surface_map(self) -> tuple[Sequence[int], list[bool] | None]:
        """Original index of each surface character, and (unless :meth:`_word_starts` can tell from the
        index alone) whether a word starts there. Built on first use: most texts never need it."""
        if self._smap is None:
            self._smap = self._build_surface_map()
        return self._smap

    def _build_surface_map(self) -> tuple[Sequence[int], list[bool] | None]:
        if len(self.spaced) == len(self.original):  # the common case: folding kept every position
            if " " not in self.spaced:
                return range(len(self.spaced)), None
            return [i for i, c in enumerate(self.spaced) if c != " "], None
        table, _ = _tables()
        index: list[int] = []
        starts: list[bool] = []
        gap = True
        prev_cjk = False
        for i, ch in enumerate(self.original):
            for c in " " if ch == _SEP else _look_up(table, ch):
                if c == " ":
                    gap = True
                    continue
                cjk = is_cjk(c)
                starts.append(gap or cjk or prev_cjk)
                index.append(i)
                gap, prev_cjk = False, cjk
        return index, starts

    def _word_starts(self, k: int, index: Sequence[int], starts: list[bool] | None) -> bool:
        """Whether a word starts at surface position ``k`` (after a separator, or at a Chinese character)."""
        if starts is not None:
            return starts[k]
        return k == 0 or index[k] - index[k - 1] > 1 or is_cjk(self.surface[k]) or is_cjk(self.surface[k - 1])

    @property
    def _pinyin_map(self) -> tuple[list[int], list[bool]]:
        """Surface index of each pinyin character, and whether a unit (syllable or word) starts there."""
        if self._pmap is None:
            self._pmap = self._build_pinyin_map()
        return self._pmap

    def _build_pinyin_map(self) -> tuple[list[int], list[bool]]:
        _, pinyin = _tables()
        surface_index, surface_starts = self._surface_map()
        index: list[int] = []
        unit: list[bool] = []
        for k, c in enumerate(self.surface):
            spelled = _look_up(pinyin, c)
            starts = self._word_starts(k, surface_index, surface_starts)
            for j in range(len(spelled)):
                index.append(k)
                unit.append(j == 0 and starts)
        return index, unit

    def surface_bounded(self, start: int, end: int) -> bool:
        """Whether surface[start:end] begins and ends on word boundaries."""
        index, starts = self._surface_map()
        return self._word_starts(start, index, starts) and (
            end == len(self.surface) or self._word_starts(end, index, starts))

    def pinyin_bounded(self, start: int, end: int) -> bool:
        _, unit = self._pinyin_map
        return unit[start] and (end == len(unit) or unit[end])

    def pinyin_to_surface(self, start: int, end: int) -> tuple[int, int]:
        index, _ = self._pinyin_map
        return index[start], index[end - 1] + 1

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of surface[start:end]."""
        index, _ = self._surface_map()
        return index[start], index[end - 1] + 1


@dataclass
class NormalisedBatch:
    """Texts normalised together: each C-level step (translate, regex, replace) runs once over the texts
    joined by NUL, and the joined streams are kept so the matcher scans a whole batch in one call."""

    items: list[Normalised]
    surface: str  # the surface streams joined by NUL
    pinyin: str  # the pinyin streams joined by NUL

    @classmethod
    def of(cls, texts: Sequence[str]) -> NormalisedBatch:
        spaced = _fold_keeping_nul(_SEP.join(t.replace(_SEP, " ") for t in texts))
        surface = spaced.replace(" ", "")
        pinyin = to_pinyin(surface)
        items = [Normalised(*row) for row in zip(texts, spaced.split(_SEP), surface.split(_SEP),
                                                   pinyin.split(_SEP), strict=True)]
        return cls(items, surface, pinyin)

    @staticmethod
    def starts(streams: Sequence[str]) -> list[int]:
        """Offset of each text's stream in the joined stream."""
        out, offset = [], 0
        for stream in streams:
            out.append(offset)
            offset += len(stream) + 1
        return out


def char_pinyin(ch: str) -> str | None:
    """The toneless pinyin the pinyin stream uses for one (simplified) character."""
    spelled = _look_up(_tables()[1], ch)
    return spelled if spelled != ch else None
