from __future__ import annotations

import pytest

from wildtrace.model import Post, Tier
from wildtrace.screen import Screener


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener.load()


def test_verdict_explains_itself_with_spans_in_the_original(screener: Screener) -> None:
    text = "出售 象🐘牙 手鐲，禁令前老货带证，XY 30克 克价28 微信私聊"
    r = screener.screen_text(text)
    assert 0.0 <= r.score <= 1.0 and r.tier in ("high", "medium")
    assert "elephant" in r.species and "bangle" in r.products
    for span in r.spans:
        assert text[span.start:span.end] == span.text
    assert any(s.via == "split" and s.term == "elephant" for s in r.spans)
    assert any(c.startswith("XY") for c in r.code_words)
    assert r.legality_claims  # shown, never a reason to pass
    assert r.features and all(isinstance(w, float) for _, w in r.features)


def test_legality_claim_does_not_lower_the_score(screener: Screener) -> None:
    base = screener.screen_text("ivory bangle 60g, 20 usd per gram, whatsapp me").score
    claimed = screener.screen_text("ivory bangle 60g, 20 usd per gram, whatsapp me, pre-ban with certificate").score
    assert claimed >= base - 0.05


def test_benign_look_alike_lowers_the_score(screener: Screener) -> None:
    offer = screener.screen_text("象牙手镯 出 价格私聊").score
    colour = screener.screen_text("象牙白手镯 出 价格私聊").score
    assert colour < offer


def test_screen_texts_streams_and_keeps_order(screener: Screener) -> None:
    texts = ["犀角杯 出", "出二手手机", "pangolin scales 1kg dm"] * 300
    results = list(screener.screen_texts(iter(texts), batch_size=64))
    assert len(results) == len(texts)
    assert [r.score for r in results[:3]] == [r.score for r in results[3:6]]


def test_screen_post_returns_a_verdict_and_hostile_text_is_data(screener: Screener) -> None:
    post = Post(id="p1", platform="wechat", text="<script>alert(1)</script> ivory carving for sale \x00" + "x" * 50000)
    v = screener.screen_post(post)
    assert v.post_id == "p1" and v.tier in {t.value for t in Tier}
    assert v.model_version.startswith("wildtrace-screen")


def test_lone_surrogates_and_nul_are_data_not_a_crash(screener: Screener) -> None:
    texts = ["ivory \ud800 bangle 30g", "\udfff", "象牙\x00手镯", "出闲置手机"]
    results = list(screener.screen_texts(texts))
    assert [r.tier for r in results][3] == "none"
    assert "elephant" in results[0].species and "elephant" in results[2].species
    assert all(texts[0][s.start:s.end] == s.text for s in results[0].spans)


# Issue 17: contacts are contacts, and a species needs evidence of its own.
@pytest.mark.parametrize("text", [
    "出手镯 加微信 w x _ l o t u s 1 2 3",  # wx_l...: the initials of 血料 (blood material)
    "出手镯 加微信 W X _ L O T U S 1 2 3",  # the same in capitals, as initials are usually written
    "出手镯 私聊 w x _ x u e l i a o 8 8",  # the pinyin of 血料 spelled out inside a handle
])
def test_a_spelled_out_handle_is_a_contact_not_a_code_word(screener: Screener, text: str) -> None:
    result = screener.screen_text(text)
    assert result.code_words == () and result.species == ()
    assert not [s for s in result.spans if s.category == "code_word"]


def test_a_code_word_outside_the_handle_still_counts(screener: Screener) -> None:
    result = screener.screen_text("出血料手镯 加微信 w x _ l o t u s 1 2 3")
    assert result.code_words == ("血料 = elephant",) and result.species == ("elephant",)


@pytest.mark.parametrize(("text", "species"), [
    ("ivory bangle, pay by Alipay", ("elephant",)),  # "by" is not 豹牙 (leopard tooth) in initials
    ("山甲片 出 回馈新老朋友 vx w x _ o r c h i d 2 3 7 0 7", ("pangolin",)),  # 馈新老 is not 盔犀鸟; h i is no 红料
    ("象牙料108念珠 私聊 w x _ d r a g o n 3 3 3 4 3", ("elephant",)),  # x _ d is not 熊胆 (bear bile)
    ("Xả hàng sừng tê giác, chuỗi hạt 9g, 2200 tệ, 12 ly", ("rhinoceros",)),  # "ly" is not 老牙
    ("出 XY 手镯 老货", ("elephant",)),  # initials in capitals are still read
])
def test_species_need_their_own_evidence(screener: Screener, text: str, species: tuple[str, ...]) -> None:
    assert screener.screen_text(text).species == species


def test_a_name_that_is_one_emoji_is_read_in_the_original(screener: Screener) -> None:
    """🦏 stands where "rhino" would (species.yaml); the generic animal, 🐘 like "elephant", names nothing; an
    emoji between the characters of a name stays a separator there (犀🦏角 is 犀角, one hit)."""
    text = "Whole horn 🦏 1.1kg, DM for pics n price"
    r = screener.screen_text(text)
    assert r.species == ("rhinoceros",) and r.tier in ("high", "medium")
    assert any(s.text == "🦏" and s.term == "rhinoceros" and text[s.start:s.end] == "🦏" for s in r.spans)
    assert not screener.screen_text("Whole horn 🐘 1.1kg, DM for pics n price").species
    split = screener.screen_text("犀🦏角 杯 老件 议价")
    assert [s.text for s in split.spans if s.term == "rhinoceros"] == ["犀🦏角 杯"]
    assert screener.screen_text("Just saw the baby 🦏 at the zoo today, so cute").tier == "none"
