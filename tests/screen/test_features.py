"""The lexicon features of the fast path, read on the lexicon's own terms."""

from __future__ import annotations

import numpy as np
import pytest

from wildtrace.lexicon import Lexicon, Term, load_lexicon
from wildtrace.screen import Document, Screener, ScreenModel
from wildtrace.screen._features import LEXICON_FEATURES, N_FEATURES

_CITES_I = LEXICON_FEATURES.index("cites:I")
_SPECIES = LEXICON_FEATURES.index("species")


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return load_lexicon()


@pytest.fixture(scope="module")
def screener(lexicon: Lexicon) -> Screener:
    blank = ScreenModel(coef=np.zeros(N_FEATURES + len(LEXICON_FEATURES), dtype=np.float32), intercept=0.0)
    return Screener(lexicon, blank)


def _features(screener: Screener, texts: list[str]) -> np.ndarray:
    return screener.prepare([Document(t) for t in texts]).lexicon


def _named_alone(screener: Screener, term: Term) -> list[str]:
    """The English and Chinese names of ``term`` that, written alone, name it and no other species."""
    names = [n for lang in ("en", "zh-Hans") for n in term.names.get(lang, ())]
    results = list(screener.screen_texts(names))
    return [n for n, r in zip(names, results, strict=True) if r.species == (term.id,)]


@pytest.mark.parametrize(("appendix", "expected"), [("I", 1.0), ("I/II", 1.0), ("II", 0.0), ("III", 0.0)])
def test_cites_i_is_exactly_the_species_on_appendix_i(screener: Screener, lexicon: Lexicon, appendix: str,
                                                      expected: float) -> None:
    """Every species of the appendix, by each of its names that names it alone: ``cites:I`` fires for Appendix I
    (and split listings with populations on I, as the elephant's), never for II or III (it did for both)."""
    species = [t for t in lexicon.terms if t.kind == "species" and t.cites == appendix]
    assert species, f"the lexicon lists no species on {appendix}"
    for term in species:
        names = _named_alone(screener, term)
        assert names, f"no name of {term.id} names it alone"
        rows = _features(screener, names)
        assert (rows[:, _SPECIES] > 0).all(), term.id
        assert rows[:, _CITES_I].tolist() == [expected] * len(names), (term.id, appendix, names)


def test_a_post_naming_appendix_ii_and_appendix_i_species_is_on_appendix_i(screener: Screener) -> None:
    rows = _features(screener, ["walrus ivory and hippo tooth, 2kg", "walrus ivory and pangolin scales, 2kg"])
    assert rows[:, _CITES_I].tolist() == [0.0, 1.0]


def test_a_heard_name_is_no_appendix_i_species(screener: Screener) -> None:
    """A homophone counts as such and as nothing else (see Heard in docs/screen.md)."""
    heard, written = _features(screener, ["潒牙手镯 私聊", "象牙手镯 私聊"])
    assert heard[_CITES_I] == 0.0 and written[_CITES_I] == 1.0
    assert heard[LEXICON_FEATURES.index("via:homophone")] > 0
