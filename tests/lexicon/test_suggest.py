"""Code-word discovery (issue 17): handles, prices and boilerplate are never proposed; new code words are found
within two weeks of appearing in a simulated world."""

from __future__ import annotations

from pathlib import Path

import pytest

from wildtrace.lexicon import describe_suggestion_eval, evaluate_suggestions, load_lexicon, read_world, suggest
from wildtrace.screen import Screener

OPENERS = ["新到", "现货", "【", "好货", "出", "特价"]
GOODS = ["手镯", "吊坠", "手串", "摆件", "把件", "印章"]


def test_the_word_in_the_name_s_place_comes_first_and_no_handle_price_or_boilerplate() -> None:
    posts = ([f"{o}白条子{g} {30 + i}克 克价28 私聊 w x _ l o t u s {i} 2 3 包浆自然 #antique"
              for i, (o, g) in enumerate(zip(OPENERS, GOODS, strict=True))]
             + [f"象牙{g} {20 + i}克 克重{i} 批发价 {i}万 包浆自然 wx jade" for i, g in enumerate(GOODS)]
             + [f"出二手手机 {i} 包浆自然" for i in range(6)])
    scores = [r.score for r in Screener.load().screen_texts(posts)]
    found = [s.term for s in suggest(posts, scores, load_lexicon(), embeddings=False)]
    assert found[:1] == ["白条子"]
    assert not {"克重", "批发价", "wx jade", "jade", "包浆自然", "包浆", "antique", "lotus"} & set(found)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from wildtrace.simulate import simulate

    out = tmp_path_factory.mktemp("suggest_world")
    simulate(seed=11, scale=1, out=out)
    return out


def test_new_code_words_are_found_within_two_weeks(world: Path) -> None:
    texts, weeks, code_words = read_world(world)
    scores = [r.score for r in Screener.load().screen_texts(texts)]
    result = evaluate_suggestions(texts, weeks, scores, code_words, load_lexicon(), top=20, window=2)
    assert result["new_code_words"] >= 8 and result["findable"] >= 3
    assert result["recall_findable"] >= 0.75, result["words"]  # measured 1.0 (4 of 4); docs/screen.md
    assert result["precision_all_weeks_top5"] >= 0.6, result["top_all_weeks"]  # measured 0.8
    text = describe_suggestion_eval(result)
    assert (f"; {result['found_findable']} of the {result['findable']} used in at least 3 posts: "
            f"{result['recall_findable']})") in text
    assert f"precision of the top {len(result['top_all_weeks'])} suggestions on all weeks" in text


def test_the_summary_says_what_was_not_measured_and_never_mixes_rates_with_counts() -> None:
    """No new code word, none used often enough, no suggestion: said in words, not 'None of the 0'."""
    texts = [f"出二手手机 {i} 全新 包邮" for i in range(6)]
    weeks = [1, 1, 1, 2, 2, 2]
    scores = [0.0] * len(texts)
    none_new = describe_suggestion_eval(evaluate_suggestions(texts, weeks, scores, [("白条子", 1)], load_lexicon()))
    assert none_new.startswith("recall not measured: no code word appears after the first week; ")
    rare = describe_suggestion_eval(evaluate_suggestions([*texts, "白条子 手镯"], [*weeks, 2], [*scores, 0.0],
                                                         [("白条子", 2)], load_lexicon()))
    assert rare.startswith("recall 0.0 (0 of 1 new code word found; none of them used in at least 3 posts by the "
                           "end of its window); no suggestion on all weeks: precision not measured\n"), rare
    assert rare.endswith("白条子 (week 2, 1 post, rank -)")
    assert "None" not in none_new + rare
