"""Normalisation before matching, with a map back to the original text.

One folding table (built once per process, applied with numpy to code points) does Unicode NFKC (which
turns full-width forms into half-width), lower case, diacritics off Latin letters (Vietnamese, pinyin
tones), homoglyphs (Cyrillic and Greek look-alikes to Latin), traditional to simplified Chinese
(OpenCC's character table), and turns separators, punctuation, symbols and emoji into spaces. Then
digits inside letter words are read as letters (``1v0ry`` -> ``ivory``) and the spaces are squeezed out,
so ``象 牙``, ``象-牙``, ``象🐘牙`` and ``象牙`` are one string. A second stream spells every Chinese
character in pinyin, so ``xiang ya``, ``象ya`` and homophones meet ``象牙``. Texts are normalised in
batches, and the maps from the streams back to the original are numpy arrays over the whole batch.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np

_HOMOGLYPHS = dict(zip(  # Cyrillic and Greek letters that pass for Latin ones
    "авсеһіјкмнорѕтхуԁνορτυχκιαβεη",
    "abcehijkmhopstxydvoptuxkiaben", strict=True,
))
_SEP = "\x00"  # joins the texts of a batch; a NUL inside a text is read as a separator
_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


def is_cjk(ch: str) -> bool:
    """Whether ``ch`` is a Chinese character (one of ``_CJK_RANGES``)."""
    return any(lo <= ord(ch) <= hi for lo, hi in _CJK_RANGES)


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
    """(fold table, pinyin table), built once per process: what each code point becomes, as lists indexed by
    code point (see ``_arrays`` for the form numpy applies)."""
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


@dataclass(frozen=True)
class _Table:
    """A table of ``_tables`` as arrays: each code point's entry is ``flat[start[cp]:start[cp] + length[cp]]``."""

    start: np.ndarray
    length: np.ndarray
    flat: np.ndarray

    def apply(self, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The code points after the table, and how many each input code point became (code points beyond
        the table stay as they are)."""
        beyond = codes >= _TABLE_SIZE
        cp = np.where(beyond, 0, codes)
        length = np.where(beyond, 1, self.length[cp])
        out = self.flat[ranges(self.start[cp], length)]
        out[(np.cumsum(length) - length)[beyond]] = codes[beyond]
        return out, length


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``starts[i], starts[i] + 1, ..., starts[i] + counts[i] - 1`` for every ``i``, concatenated."""
    first = np.cumsum(counts) - counts
    return np.repeat(starts - first, counts) + np.arange(int(counts.sum()))


@cache
def _arrays() -> tuple[_Table, _Table, np.ndarray]:
    """The per-code-point tables numpy applies, built together at start-up: fold and pinyin (see ``_Table``),
    and whether each code point is a decimal digit."""
    out = []
    for table in _tables():
        length = np.fromiter(map(len, table), dtype=np.int64, count=_TABLE_SIZE)
        out.append(_Table(np.cumsum(length) - length, length, code_points("".join(table))))
    decimal = np.array([chr(cp).isdecimal() for cp in range(_TABLE_SIZE)], dtype=bool)
    return out[0], out[1], decimal


def _text(codes: np.ndarray) -> str:
    return codes.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


def decimal_digits(codes: np.ndarray) -> np.ndarray:
    """Whether each code point is a decimal digit in any script (what ``\\d`` matches)."""
    return _arrays()[2][np.minimum(codes, _TABLE_SIZE - 1)] & (codes < _TABLE_SIZE)


@cache
def _marked_table() -> np.ndarray:
    """Whether each code point is a Latin letter with a diacritic (``á``, ``ệ``, ``ç``, ``đ``; not ``ß``)."""
    table = np.zeros(_TABLE_SIZE, dtype=bool)
    for lo, hi in ((0x00C0, 0x024F), (0x1E00, 0x1EFF)):  # Latin-1, Latin Extended A and B, Extended Additional
        for cp in range(lo, hi + 1):
            c = chr(cp)
            marks = any(unicodedata.combining(b) for b in unicodedata.normalize("NFD", c))
            table[cp] = c.isalpha() and (marks or c in "đĐ")
    return table


def marked_letters(codes: np.ndarray) -> np.ndarray:
    """Whether each code point is a Latin letter with a diacritic (what folding takes off, see ``_fold_char``)."""
    return _marked_table()[np.minimum(codes, _TABLE_SIZE - 1)] & (codes < _TABLE_SIZE)


def code_points(text: str) -> np.ndarray:
    """The code points of a text (lone surrogates included) as a uint32 array."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def _cjk(codes: np.ndarray) -> np.ndarray:
    out = np.zeros(len(codes), dtype=bool)
    for lo, hi in _CJK_RANGES:
        out |= (codes >= lo) & (codes <= hi)
    return out


_DIGITS_AS_LETTERS = np.arange(ord("z") + 1, dtype=np.uint32)
_DIGITS_AS_LETTERS[[ord(c) for c in "013457"]] = [ord(c) for c in "oieast"]  # 1 and l both fold to i (_fold_char)


def _unleet(codes: np.ndarray) -> np.ndarray:
    """Digits read as letters in the words that mix both and are mostly letters (``1v0ry`` -> ``ivory``,
    while ``50g`` and ``vx2024`` stay)."""
    letter = (codes >= ord("a")) & (codes <= ord("z"))
    alnum = letter | ((codes >= ord("0")) & (codes <= ord("9")))
    mixed = np.flatnonzero(alnum[:-1] & alnum[1:] & (letter[:-1] != letter[1:]))  # a letter next to a digit
    if not len(mixed):
        return codes
    breaks = np.append(np.flatnonzero(~alnum), len(codes))  # where words end
    i = np.unique(np.searchsorted(breaks, mixed))  # the word of each mixed pair, once
    starts, ends = np.where(i > 0, breaks[np.maximum(i - 1, 0)] + 1, 0), breaks[i]
    letters = np.concatenate([[0], np.cumsum(letter)])
    mostly = 2 * (letters[ends] - letters[starts]) > ends - starts
    inside = np.zeros(len(codes) + 1, dtype=np.int64)  # +1 at each rewritten word's start, -1 after its end
    np.add.at(inside, starts[mostly], 1)
    np.add.at(inside, ends[mostly], -1)
    rewrite = np.flatnonzero(np.cumsum(inside[:-1]) > 0)
    codes = codes.copy()
    codes[rewrite] = _DIGITS_AS_LETTERS[codes[rewrite]]
    return codes


def _fold_codes(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The folded code points (separators as spaces, NUL kept), and how many each original one became."""
    folded, length = _arrays()[0].apply(codes)
    return _unleet(folded), length


def fold(text: str) -> str:
    """The folded text with separators as spaces (same folding for texts and lexicon names)."""
    return _text(_fold_codes(code_points(text.replace(_SEP, " ")))[0])


def squeeze(text: str) -> str:
    """Folded, with every separator removed: the surface stream matched against the lexicon."""
    return fold(text).replace(" ", "")


@dataclass(frozen=True)
class Normalised:
    """One text in its matching streams."""

    original: str
    spaced: str  # folded, separators as spaces
    surface: str  # folded, separators removed: what the lexicon is matched against
    pinyin: str  # the surface with every Chinese character spelled in pinyin

    @classmethod
    def of(cls, text: str) -> Normalised:
        return NormalisedBatch([text]).items[0]


class NormalisedBatch:
    """Texts normalised together: the folding and pinyin tables are applied with numpy to the code points of
    the texts joined by NUL, and the maps from stream positions back to the original are arrays over the
    joined streams, so a batch costs no Python per character or per text."""

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)
        joined = _SEP.join(self.texts)
        if joined.count(_SEP) >= len(self.texts):  # a NUL inside a text is read as a space
            joined = _SEP.join(t.replace(_SEP, " ") for t in self.texts)
        self.joined = joined
        self.codes = code_points(joined)  # of ``joined``
        self.spaced_codes, per_char = _fold_codes(self.codes)
        self._surface_in_spaced = np.flatnonzero(self.spaced_codes != ord(" "))
        self._surface = self.spaced_codes[self._surface_in_spaced]
        pinyin, self._spelled = _arrays()[1].apply(self._surface)
        self.spaced, self.surface, self.pinyin = _text(self.spaced_codes), _text(self._surface), _text(pinyin)
        # offset in ``joined`` of each surface character: the fold says how many characters each original one
        # became, and the spaces among them are what the surface drops
        self.surface_to_original = np.repeat(np.arange(len(self.codes)), per_char)[self._surface_in_spaced]

    @property
    def items(self) -> list[Normalised]:
        return [Normalised(*row) for row in zip(self.texts, self.spaced.split(_SEP), self.surface.split(_SEP),
                                                   self.pinyin.split(_SEP), strict=True)]

    @cached_property
    def spaced_texts(self) -> list[str]:
        return self.spaced.split(_SEP)

    @cached_property
    def text_starts(self) -> np.ndarray:
        """Offset of each text in ``joined``, and the end of the last (len(texts) + 1 values)."""
        lengths = np.fromiter(map(len, self.texts), dtype=np.int64, count=len(self.texts))
        return np.concatenate([[0], np.cumsum(lengths + 1)])

    def text_of(self, offsets: np.ndarray) -> np.ndarray:
        """The text each offset in ``joined`` falls in."""
        return np.searchsorted(self.text_starts, offsets, side="right") - 1

    @cached_property
    def verbatim_before(self) -> np.ndarray:
        """How many of the surface characters before each position are the original character unchanged
        (len(surface) + 1 values): where a span's count grows by its length, the original reads as the surface."""
        same = self.codes[self.surface_to_original] == self._surface
        return np.concatenate([[0], np.cumsum(same)])

    @property
    def surface_codes(self) -> np.ndarray:
        """The code points of ``surface``."""
        return self._surface

    @cached_property
    def marked_before(self) -> np.ndarray:
        """How many Latin letters with a diacritic come before each offset of ``joined`` (len(joined) + 1 values)."""
        return np.concatenate([[0], np.cumsum(marked_letters(self.codes))])

    @cached_property
    def surface_cjk(self) -> np.ndarray:
        """Whether each surface character is a Chinese character."""
        return _cjk(self._surface)

    @cached_property
    def word_start(self) -> np.ndarray:
        """Whether a word starts at each surface position (after a separator, a text's start, or at a
        Chinese character); one more value, True, for the end of the stream."""
        cjk = self.surface_cjk
        nul = self._surface == 0
        gap = np.diff(self._surface_in_spaced, prepend=-2) > 1
        after = np.concatenate([[True], cjk[:-1] | nul[:-1]]) if len(cjk) else gap
        return np.append(gap | cjk | nul | after, True)

    @cached_property
    def pinyin_to_surface(self) -> np.ndarray:
        """Surface position of each pinyin character."""
        return np.repeat(np.arange(len(self._surface)), self._spelled)

    @cached_property
    def pinyin_syllables(self) -> tuple[np.ndarray, np.ndarray]:
        """For each pinyin position: whether a Chinese character's reading starts there, and whether it was
        spelled from a Chinese character at all."""
        lengths = self._spelled
        spelled = np.repeat(self.surface_cjk & (lengths > 0), lengths)
        first = np.zeros(len(spelled), dtype=bool)
        first[(np.cumsum(lengths) - lengths)[self.surface_cjk & (lengths > 0)]] = True
        return first, spelled

    @cached_property
    def pinyin_unit(self) -> np.ndarray:
        """Whether a unit (a syllable at a word start) starts at each pinyin position, and True at the end."""
        first = np.zeros(len(self.pinyin) + 1, dtype=bool)
        lengths = self._spelled
        first[(np.cumsum(lengths) - lengths)[lengths > 0]] = True
        first[:-1] &= self.word_start[:-1][self.pinyin_to_surface]
        first[-1] = True
        return first


def char_pinyin(ch: str) -> str | None:
    """The toneless pinyin the pinyin stream uses for one (simplified) character."""
    spelled = _tables()[1][ord(ch)] if ord(ch) < _TABLE_SIZE else ch
    return spelled if spelled != ch else None
