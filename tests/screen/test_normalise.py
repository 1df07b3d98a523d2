from __future__ import annotations

import pytest

from wildtrace.lexicon import load_lexicon
from wildtrace.screen import Normalised
from wildtrace.screen._match import Matcher
from wildtrace.screen._normalise import NormalisedBatch


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_lexicon())


@pytest.mark.parametrize(("text", "via"), [
    ("象牙", "exact"), ("象 牙", "split"), ("象-牙", "split"), ("象🐘牙", "split"), ("象\u200b牙", "split"),
    ("xiang ya", "pinyin"), ("XIANGYA", "pinyin"), ("ivory", "exact"), ("IVORY", "exact"), ("ｉｖｏｒｙ", "variant"),
    ("1v0ry", "leet"), ("іvоrу", "variant"), ("i.v.o.r.y", "split"), ("橡牙", "homophone"), ("ngà voi", "exact"),
])  # "nga voi", typed without its diacritics, counts in Vietnamese text only: test_word_senses.py
def test_every_writing_of_ivory_meets_the_elephant(matcher: Matcher, text: str, via: str) -> None:
    post = f"出 {text} 手镯"
    hits = [h for h in matcher.match(Normalised.of(post)) if h.term.implied_species() == "elephant"]
    assert hits, post
    h = hits[0]
    assert post[h.start:h.end] == text  # the span points into the original text
    assert h.via == via


def test_traditional_characters_meet_simplified_names(matcher: Matcher) -> None:
    hits = matcher.match(Normalised.of("出售犀牛角與穿山甲鱗片"))
    assert {h.term.id for h in hits} >= {"rhinoceros", "pangolin", "sale"}


def test_initials_match_only_whole_words(matcher: Matcher) -> None:
    ids = {h.term.id for h in matcher.match(Normalised.of("XY bangle 30g"))}
    assert "xy" in ids
    assert not {h.term.id for h in matcher.match(Normalised.of("sexy dress, max yield"))} & {"xy", "elephant"}


def test_benign_look_alike_swallows_the_species_inside_it(matcher: Matcher) -> None:
    hits = matcher.match(Normalised.of("象牙白连衣裙"))
    assert [h.term.kind for h in hits] == ["benign"]


def test_prices_are_not_read_as_letters() -> None:
    norm = Normalised.of("价格5000元 50g")
    assert "5000" in norm.surface and "50g" in norm.surface


def test_a_batch_matches_as_each_text_alone(matcher: Matcher) -> None:
    texts = ["出 象🐘牙 手镯 微信私聊", "", "ﬁne ＩＶＯＲＹ bangle", "xiang ya 原料\x00犀角", "今天天气真好",
             "1v0ry XY 30克", "ABC\x00象牙"]
    batch = NormalisedBatch(texts)
    alone = [matcher.match(Normalised.of(t)) for t in texts]
    hits = matcher.match_batch(batch)
    assert [hits.of_text(i) for i in range(len(texts))] == alone
    assert [n.original for n in batch.items] == texts
    assert any(h.term.id == "elephant" for h in alone[6])  # a NUL inside a text separates words, nothing more


@pytest.mark.parametrize(("text", "folded"), [
    ("1v0ry", "ivory"), ("P4NG0L1N", "pangoiin"), ("50g", "50g"), ("vx2024", "vx2024"), ("x1", "x1"),
    ("a 1v0ry, 5g x1", "a ivory  5g x1"), ("ｉｖ0ｒｙ", "ivory"), ("", ""),
])
def test_digits_are_read_as_letters_only_in_mostly_letter_words(text: str, folded: str) -> None:
    from wildtrace.screen import fold

    assert fold(text) == folded


def test_number_with_unit_is_found_where_the_pattern_finds_it() -> None:
    from wildtrace.screen._features import _NUMBER_UNIT, _number_with_unit

    texts = ["价格5000元", "30 克", "５０克", "¥ 500", "$5", "５km", "2k obo", "5 kilometres", "no digits", "500",
             "12 grams", "3/g", "USD 50", "50 USD", "١٢ usd", "20w", "x\x00元", "9\n每克"]
    expected = [bool(_NUMBER_UNIT.search(t)) for t in texts]
    assert _number_with_unit(NormalisedBatch(texts)) == expected
    assert 0 < sum(expected) < len(texts)


def test_a_word_repeated_thousands_of_times_keeps_every_hit_and_drops_every_contained_one(matcher: Matcher) -> None:
    hits = matcher.match(Normalised.of("象牙白" * 6000 + " 象牙"))
    assert len(hits) == 6001
    assert [h.term.kind for h in hits[:-1]] == ["benign"] * 6000 and hits[-1].term.implied_species() == "elephant"
