"""Hearing names through every reading of a character and near-homophone mergers (``screen/_heard.py``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wildtrace.lexicon import load_lexicon
from wildtrace.screen import Screener
from wildtrace.screen._heard import HearingError, Lattice, Merger, load_hearing, parse_hearing
from wildtrace.screen._match import Matcher
from wildtrace.screen._normalise import Normalised, NormalisedBatch

HOMOPHONES = Path(__file__).parent / "data" / "homophones.csv"
PACKAGED = (Path(__file__).parents[2] / "src" / "wildtrace" / "screen" / "data" / "mergers.yaml").read_text("utf-8")


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.load()


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load_lexicon())


def _heard(matcher: Matcher, text: str) -> dict[str, str]:
    return {text[h.start:h.end]: h.term.id for h in matcher.match(Normalised.of(text)) if h.via == "homophone"}


def test_a_character_is_heard_in_its_other_readings_and_the_span_says_which(screener: Screener) -> None:
    r = screener.screen_text("潒牙手镯 老货 圈口58 要的私聊 可视频看货")
    assert r.tier in ("high", "medium") and r.species == ("elephant",)
    span = next(s for s in r.spans if s.text == "潒牙")
    assert span.via == "homophone" and span.term == "elephant"
    assert span.heard == "潒牙 heard as 象牙: 潒 in its reading xiang (first reading dang) for 象"
    assert r.model_version.split("+")[2].startswith("heard.")


def test_a_near_homophone_is_heard_through_one_merger_and_the_span_names_it(screener: Screener) -> None:
    r = screener.screen_text("刚到一批穿三甲 片子干净 按克算 私聊")
    assert "pangolin" in r.species
    span = next(s for s in r.spans if s.text == "穿三甲")
    assert span.heard == "穿三甲 heard as 穿山甲: 三 san heard as shan (merger s-sh) for 山"
    # a first-reading homophone says so too; pinyin typed in Latin letters has no characters to explain
    plain = screener.screen_text("橡牙吊坠 观音 细工 包邮 私聊价格")
    assert next(s for s in plain.spans if s.text == "橡牙").heard == "橡牙 heard as 象牙: 橡 xiang for 象"


@pytest.mark.parametrize("text, wrong", [
    ("本市新增两家三甲医院，患者就医更方便", "三甲"),  # a merger needs two of the name's own characters
    ("秋天到了，小区的银杏叶子全黄了，好漂亮", "黄了"),  # 了 is a particle: le only, not liao (黄料)
    ("今天天黑了才下班，累死了", "黑了"),
    ("牛角梳 手工雕刻 景区同款", "牛角"),  # a word of the phrase dictionary: ox horn, not 牛骨 (角 also gu)
    ("面包发酵时间不够，结果切开组织很密", "组织"),  # two mergers (zu/zhu, zhi/zi) for 珠子, and a word
])
def test_everyday_words_are_not_heard_as_names(matcher: Matcher, text: str, wrong: str) -> None:
    assert wrong not in _heard(matcher, text)


@pytest.mark.parametrize("text, heard", [
    ("洋装连衣裙，碎花款，S到XL码，包邮", False),  # a size range and a garment
    ("M/L/XL 三色可选 包邮", False),
    ("尺码：XL 现货", False),
    ("纯棉T恤 XL 包邮", False),  # a garment anywhere in the post
    ("XL 现货 白料手镯 私聊", True),  # no size beside it: 血料's initials
    ("XL, steel brand", True),  # S of steel is no size: a letter follows it
])
def test_initials_that_are_a_size_are_no_name_next_to_a_size_or_in_a_clothes_post(matcher: Matcher, text: str,
                                                                                   heard: bool) -> None:
    hits = {h.term.id for h in matcher.match(Normalised.of(text)) if h.via == "initials"}
    assert ("blood_material" in hits) == heard


def test_a_first_reading_homophone_is_not_heard_in_a_dictionary_word(matcher: Matcher) -> None:
    """获得 (won) reads huo de as 活的 (alive) does, in first readings; a word of the phrase dictionary is what it
    says, as it is for the other readings (牛角). 橡牙, no word, is still heard as 象牙."""
    assert "获得" not in _heard(matcher, "中国队在世锦赛上获得三金两银，创造历史最好成绩")
    assert ("live_animal", "exact") in {(h.term.id, h.via) for h in matcher.match(Normalised.of("活的鹦鹉 包邮"))}
    assert _heard(matcher, "橡牙手镯 私聊")["橡牙"] == "elephant"


def test_a_homophone_does_not_swallow_a_written_name(matcher: Matcher) -> None:
    hits = {(h.term.id, h.via) for h in matcher.match(Normalised.of("三甲片 现货 量大优惠"))}
    assert ("pangolin", "homophone") in hits and ("scales", "exact") in hits


def test_the_lattice_is_not_multiplied_out(matcher: Matcher) -> None:
    # 2,000 heard names in one text: one hit each, from (character, syllable) pairs, not spellings
    text = "潒牙，" * 2000
    assert sum(1 for h in matcher.match(Normalised.of(text)) if h.via == "homophone") == 2000


def test_a_lexicon_without_chinese_names_hears_nothing() -> None:
    batch = NormalisedBatch(["潒牙 穿三甲", "ivory"])
    assert all(len(a) == 0 for a in Lattice([], load_hearing()).scan(batch.surface_codes, batch.surface_cjk))


def test_mergers_swap_the_longer_sound_first() -> None:
    s_sh = Merger("s-sh", "initial", ("s", "sh"))
    an_ang = Merger("an-ang", "final", ("an", "ang"))
    assert (s_sh.apply("san"), s_sh.apply("shan"), s_sh.apply("ba")) == ("shan", "san", None)
    assert (an_ang.apply("xiang"), an_ang.apply("xian"), an_ang.apply("an")) == ("xian", "xiang", None)


@pytest.mark.parametrize("edit, message", [
    (("- id: z-zh", "- id: s-sh"), "mergers[1] (s-sh): id 's-sh' is used twice"),
    (("position: final", "position: middle"), "position must be initial or final"),
    (("sounds: [n, l]", "sounds: [n, n]"), "(n-l): sounds must be two different"),
    (("max_mergers: 1", "max_mergers: -1"), "rules.max_mergers must be a whole number"),
    (("not_a_word: true", "not_a_word: 1"), "rules.not_a_word must be true or false"),
    (("kinds: [species, code_word]", "kinds: [trade]"), "rules.kinds must list"),
    (("latin_only_kinds: [trade]", "latin_only_kinds: [species]"), "rules.latin_only_kinds must list"),
    (("  units: [", "  unit: ["), "sizes must be exactly sizes, joiners, units, garments"),
    (("  joiners: [到", "  joiners: [7, 到"), "sizes.joiners must be a list of words"),
])
def test_the_merger_file_is_validated_on_load(edit: tuple[str, str], message: str) -> None:
    assert parse_hearing(PACKAGED) == load_hearing()
    with pytest.raises(HearingError, match=r"^mergers\.yaml: .*" + message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")):
        parse_hearing(PACKAGED.replace(*edit, 1))


def test_hand_written_homophone_offers_and_benign_chinese(screener: Screener, matcher: Matcher) -> None:
    """The hand-written set (docs/screen.md, Heard): offers written with other readings, mergers and plain
    homophones, against cooking, news, shops, chat, travel, health and culture posts in Chinese."""
    d = pd.read_csv(HOMOPHONES)
    results = list(screener.screen_texts(d.text.tolist()))
    flagged = [r.tier in ("high", "medium") for r in results]
    benign, offers = d.label == 0, d.label == 1
    # everyday posts flagged: a fruit shop's prices (西瓜1.5元一斤), flagged before the hearing too, and since the
    # retrain of 2026-12-07 (docs/screen.md, The shipped model) weight words (八斤), which that model weighs more;
    # no other (S到XL码, no 血料 beside a size, and 获得, a word not heard as 活的, were flagged by it before fp5)
    known = ("西瓜1.5元一斤", "瘦了八斤")
    everyday = [t for t, f, b in zip(d.text, flagged, benign, strict=True) if f and b]
    assert all(any(k in t for k in known) for t in everyday), everyday
    # 14 before the hearing, 16 with it, 22 since the retrain with homophone offers
    assert sum(f for f, o in zip(flagged, offers, strict=True) if o) >= 22
    # every flagged offer names its species: the homophones are heard
    assert all(r.species for r, f, o in zip(results, flagged, offers, strict=True) if f and o)
    # few everyday posts hold a name heard through another reading or a merger (two of 110: 卤牛, 黄和)
    batch = NormalisedBatch(d.text[benign].tolist())
    start, _, _ = matcher.lattice.scan(batch.surface_codes, batch.surface_cjk)
    assert len(set(batch.text_of(batch.surface_to_original[start]).tolist())) <= 0.05 * benign.sum()


def test_pinyin_typed_in_latin_letters_is_heard_through_one_merger(screener: Screener, matcher: Matcher) -> None:
    """``chuan san jia`` (san for shan) is 穿山甲 as 穿三甲 is, by the same rules of mergers.yaml: one merger, two of
    the name's syllables as they are; so ``san jia`` alone (the top-grade hospital, 三甲) is no 山甲, and the merged
    spellings are read in Latin letters only (川三家 spelled in pinyin is no name)."""
    r = screener.screen_text("chuan san jia pian you huo, siliao")
    span = next(s for s in r.spans if s.text == "chuan san jia")
    assert span.via == "homophone" and span.term == "pangolin"
    assert span.heard == "chuan san jia heard as 穿山甲: san heard as shan (merger s-sh) for 山"
    assert _heard(matcher, "cuan shan jia pian 3 jin")["cuan shan jia"] == "pangolin"
    for text in ("san jia yi yuan de yi sheng dou hen hao", "xian ya tong le", "川三家 饭店 开业"):
        assert not _heard(matcher, text), text


def test_pinyin_typed_without_spaces_is_read_on_its_syllables(matcher: Matcher) -> None:
    """``xiangyashouzhuo`` is 象牙 手镯 typed as one word: a name inside a Latin word counts where the whole word
    is pinyin syllables and the name starts and ends on them; not inside a word that is not pinyin."""
    found = {h.term.id: h.via for h in matcher.match(Normalised.of("xiangyashouzhuo chu yi zhi"))}
    assert found["elephant"] == "pinyin" and found["bangle"] == "pinyin"
    for text in ("xiangyaq bracelet", "qxiangya", "shanghai xiangyang", "xiangyao"):  # 襄阳, 想要 (xiang'ao)
        assert "elephant" not in {h.term.id for h in matcher.match(Normalised.of(text))}, text


def test_a_name_half_written_half_spelled_is_spelled_not_heard(screener: Screener, matcher: Matcher) -> None:
    """象ya, xiang牙, 犀jiao: the name's own characters with the rest in pinyin are a spelling (via pinyin) and name
    the species; 橡ya (another character) stays a homophone."""
    text = "象ya手镯 56圈 出 xiang牙 pendant 犀jiao杯 橡ya"
    vias = {text[h.start:h.end]: h.via for h in matcher.match(Normalised.of(text))
            if h.term.id in ("elephant", "rhinoceros") and h.via in ("pinyin", "homophone")}
    assert vias == {"象ya": "pinyin", "xiang牙": "pinyin", "犀jiao杯": "pinyin", "橡ya": "homophone"}
    assert _heard(matcher, "橡ya手镯") == {"橡ya": "elephant"}
    assert screener.screen_text("象ya手镯 56圈 出").species == ("elephant",)


def test_trade_words_are_read_in_latin_pinyin_only(matcher: Matcher) -> None:
    """A post typed in pinyin names its price, contact and courier in pinyin too (``jia ge``, ``weixin``, ``kuai
    di``); the homophones of those words in Chinese characters are everyday words, and one syllable is too short."""
    def trade(text: str) -> set[str]:
        return {h.term.id for h in matcher.match(Normalised.of(text)) if h.term.kind == "trade"}

    assert trade("xiong dan fen, jia ge si liao, kuai di") == {"price", "contact", "shipping"}
    assert trade("佳哥 思辽") == set()  # jia ge, si liao in other characters
    assert trade("chu yi zhi") == set()
