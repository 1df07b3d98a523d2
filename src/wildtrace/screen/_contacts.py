"""Contacts before code words: the characters of a contact identifier belong to the contact.

A handle spelled out letter by letter ("w x _ l o t u s 1 2 3") holds initials, pinyin and code words by
accident. Extraction reads the identifiers first, and the hits that only sound like a term (initials, pinyin,
homophones, split or leet spellings) or that are code words lose the characters a contact claims. Extraction
runs only on the texts where such a hit is written with Latin letters or digits inside a run of the characters
identifiers are made of that is long enough to be one (``XY手串`` is not), so the firehose does not pay.
"""

from __future__ import annotations

import re

import numpy as np

from wildtrace.screen._match import VIAS, BatchHits, Matcher
from wildtrace.screen._normalise import NormalisedBatch, ranges

_CLAIMABLE_VIAS = [VIAS.index(v) for v in ("split", "leet", "pinyin", "initials", "homophone")]
# a run of identifier characters (half- or full-width), words joined by single spaces ("w x _ l o t u s 1 2 3")
_RUN = re.compile(r"[0-9A-Za-z_.@+\-\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+"
                  r"(?: [0-9A-Za-z_.@+\-\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+)*")
_SHORTEST_ID = 4  # no identifier extraction reads is shorter (a LINE ID; phones, QQ and handles are longer)


def without_contacts(batch: NormalisedBatch, hits: BatchHits, matcher: Matcher) -> BatchHits:
    """The hits of a batch minus those inside a contact identifier that a contact may claim (see module)."""
    claimable = matcher.code_word[hits.term] | np.isin(hits.via, _CLAIMABLE_VIAS)
    i = np.flatnonzero(claimable)
    if not len(i):
        return hits
    offset = batch.text_starts[hits.text[i]]
    length = hits.end[i] - hits.start[i]
    c = batch.codes[ranges(hits.start[i] + offset, length)]
    latin = ((c >= ord("0")) & (c <= ord("9"))) | ((c | 0x20) >= ord("a")) & ((c | 0x20) <= ord("z"))
    i = i[np.bincount(np.repeat(np.arange(len(i)), length), weights=latin, minlength=len(i)) > 0]
    if not len(i):
        return hits
    from wildtrace.extract import identifier_spans

    keep = np.ones(len(hits.term), dtype=bool)
    for text in np.unique(hits.text[i]).tolist():
        rows = i[hits.text[i] == text].tolist()
        if not _may_hold_identifier(batch.texts[text], [(int(hits.start[r]), int(hits.end[r])) for r in rows]):
            continue
        spans = identifier_spans(batch.texts[text])
        for row in rows:
            a, b = int(hits.start[row]), int(hits.end[row])
            keep[row] = not any(x < b and a < y for x, y in spans)
    return hits if keep.all() else hits.only(keep)


def _may_hold_identifier(text: str, hits: list[tuple[int, int]]) -> bool:
    """Whether one of ``hits`` lies in a run of identifier characters long enough to be an identifier: a cheap
    test that spares extraction the posts where a contact cannot claim the hit."""
    return any(m.end() - m.start() >= _SHORTEST_ID and any(a < m.end() and m.start() < b for a, b in hits)
               for m in _RUN.finditer(text))
