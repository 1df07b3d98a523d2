"""A normalised view of a text that remembers where each character came from.

Matching runs on the view (NFKC, case-folded: full-width digits and letters become ASCII, ``￥`` becomes
``¥``); every match maps back to a span of the original text, so what is shown is what was written.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_DROPPED = str.maketrans("", "", "\ufe0f\u20e3")  # emoji presentation and keycap marks: 6️⃣8️⃣ reads 68


def fold(text: str) -> str:
    """The normal form terms are matched in: NFKC, case-folded, without emoji presentation or keycap marks."""
    return unicodedata.normalize("NFKC", text).casefold().translate(_DROPPED)


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    return fold(ch)


@dataclass(frozen=True)
class View:
    """``text`` is the folded original; ``starts[i]``/``ends[i]`` bound the original of character ``i``."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def of(cls, original: str) -> View:
        folded = fold(original)
        if len(folded) == len(original) and unicodedata.is_normalized("NFKC", original):
            ident = tuple(range(len(original)))
            return cls(original, folded, ident, tuple(i + 1 for i in ident))
        parts: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        i = 0
        while i < len(original):
            j = i + 1
            while j < len(original) and unicodedata.combining(original[j]):
                j += 1  # a base character and its combining marks normalise together
            piece = _fold_char(original[i]) if j == i + 1 else fold(original[i:j])
            if not piece and ends:
                ends[-1] = j  # a dropped mark belongs to the character before it
            parts.append(piece)
            starts.extend([i] * len(piece))
            ends.extend([j] * len(piece))
            i = j
        return cls(original, "".join(parts), tuple(starts), tuple(ends))

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of view characters ``start:end``."""
        if start >= end:
            pos = self.starts[start] if start < len(self.starts) else len(self.original)
            return pos, pos
        return self.starts[start], self.ends[end - 1]

    def raw(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.original[a:b]


def digit_view(text: str, cn_digits: dict[str, int], min_run: int = 7) -> str:
    """``text`` with obfuscated digits read as digits, character for character (same length).

    Chinese digits (一三八, 幺, 〇) count only inside runs of at least ``min_run`` digit-like characters, so
    ordinary words keep their meaning; o/l/i count as 0/1 only beside a digit and not inside a word.
    """
    chars = list(text)
    n = len(chars)
    i = 0
    while i < n:
        if chars[i] in cn_digits or chars[i].isdigit():
            j = i
            while j < n and (chars[j] in cn_digits or chars[j].isdigit() or chars[j] in " -"):
                j += 1
            run = [c for c in chars[i:j] if c != " " and c != "-"]
            if len(run) >= min_run and any(c in cn_digits for c in run):
                for k in range(i, j):
                    if chars[k] in cn_digits:
                        chars[k] = str(cn_digits[chars[k]])
            i = max(j, i + 1)
        else:
            i += 1
    for k, c in enumerate(chars):
        if c in "oli":
            prev = chars[k - 1] if k else ""
            nxt = chars[k + 1] if k + 1 < n else ""
            if (prev.isdigit() or nxt.isdigit()) and not (prev.isalpha() or nxt.isalpha()):
                chars[k] = "0" if c == "o" else "1"
    return "".join(chars)
