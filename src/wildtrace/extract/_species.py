"""Species and their CITES appendix, from the screening lexicon (the one source of truth for names)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from wildtrace.extract._terms import TermMatcher
from wildtrace.extract._text import View, fold
from wildtrace.lexicon import Lexicon, load_lexicon

_INDEX: dict[str, tuple[TermMatcher, dict[str, str]]] = {}


@cache
def packaged_lexicon() -> Lexicon:
    return load_lexicon()


def _index(lexicon: Lexicon) -> tuple[TermMatcher, dict[str, str]]:
    """A matcher of every name of a species, code word or species-implying product -> species id, and
    every such name (and id) -> species id."""
    if lexicon.version not in _INDEX:
        names: dict[str, str] = {}
        for term in lexicon.terms:
            species = term.implied_species() if term.kind in ("species", "code_word", "product") else None
            if species:
                for name in (term.id if term.kind == "species" else "", *term.all_names()):
                    if name:
                        names.setdefault(fold(name), species)
        _INDEX[lexicon.version] = (TermMatcher(names.items()), names)
    return _INDEX[lexicon.version]


def species_of(given: Iterable[str], view: View, lexicon: Lexicon) -> list[dict[str, Any]]:
    """``given`` species (lexicon ids or names, from screening) or, without them, those named in the text;
    each with its CITES appendix."""
    matcher, names = _index(lexicon)
    ids = [names.get(fold(g), g) for g in given if g]
    if not ids:
        ids = [h.payload for h in matcher.find(view.text)]
    return [{"name": s, "cites_appendix": lexicon.cites(s)} for s in dict.fromkeys(ids)]


def product_types_of(products: Iterable[str], lexicon: Lexicon, types: tuple[str, ...]) -> list[str]:
    """Product types of lexicon product ids (what screening found)."""
    out = []
    for p in products:
        term = lexicon.by_id.get(p)
        if term is not None and term.kind == "product" and term.category in types:
            out.append(term.category)
    return out
