"""Multi-term matching over a folded text with Aho-Corasick: leftmost-longest, whole words for Latin terms."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ahocorasick


def wordish(ch: str) -> bool:
    """A letter of an alphabet written with spaces between words (Latin, Vietnamese...): terms in such
    alphabets must not run on into another letter (digits may follow: ``vx13812345678``). Thai, Lao, Khmer
    and Burmese are written without spaces between words, like Chinese."""
    return ch.isalpha() and ord(ch) < 0x2E80 and not any(a <= ord(ch) <= b for a, b in _UNSPACED)


_UNSPACED = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF))


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    term: str
    payload: Any


class TermMatcher:
    """Find terms (already folded) in a folded text. A term made of Latin letters or digits must stand
    as a whole word; CJK terms match anywhere (Chinese has no spaces)."""

    def __init__(self, terms: Iterable[tuple[str, Any]]) -> None:
        self._automaton = ahocorasick.Automaton()
        seen: dict[str, Any] = {}
        for term, payload in terms:
            if term and term not in seen:
                seen[term] = payload
        for term, payload in seen.items():
            self._automaton.add_word(term, (term, payload))
        self._empty = not seen
        if seen:
            self._automaton.make_automaton()

    def find(self, text: str) -> list[Hit]:
        if self._empty:
            return []
        hits = []
        for end_index, (term, payload) in self._automaton.iter(text):
            start = end_index - len(term) + 1
            end = end_index + 1
            if wordish(term[0]) and start > 0 and wordish(text[start - 1]):
                continue
            if wordish(term[-1]) and end < len(text) and wordish(text[end]):
                continue
            hits.append(Hit(start, end, term, payload))
        hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
        chosen: list[Hit] = []
        last_end = -1
        for hit in hits:
            if hit.start >= last_end:
                chosen.append(hit)
                last_end = hit.end
        return chosen
