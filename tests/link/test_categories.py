"""Trader categories A-D from all that a trader's posts show, and the side-business reading on hand-written posts."""

import csv
from pathlib import Path

import pandas as pd
import pytest

from tests.link.factories import edited_data_file
from wildtrace.link._traders import side_line, trader_category
from wildtrace.link._vocab import default_vocabulary, fold, load_vocabulary

SIDE_POSTS = Path(__file__).parent / "data" / "side_posts.csv"


def _posts(*rows):
    """Posts as (text, tier, species[, ocr text])."""
    return pd.DataFrame([{"text": r[0], "tier": r[1], "species": r[2], "ocr_text": r[3] if len(r) > 3 else ""}
                         for r in rows])


IVORY_ADS = [("象牙手镯 克价 30 微信", "high", ["elephant"]), ("牙雕 摆件 私聊", "medium", ["elephant"])]


def test_side_business_on_hand_written_posts():
    """Posts written for this test (not by the simulator): collectables, everyday goods and services, and posts
    that offer nothing (greetings, a picture's caption)."""
    vocab = default_vocabulary()
    with SIDE_POSTS.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    got = [(r["label"], side_line(fold(r["text"]), vocab) or "none") for r in rows]
    assert len(got) >= 70 and {t for t, _ in got} == {"collectables", "other_business", "none"}
    assert sum(t == p for t, p in got) / len(got) >= 0.9, [g for g in got if g[0] != g[1]]
    assert not [g for g in got if g[0] == "none" and g[1] != "none"]  # chat is never a business


def test_b_from_a_species_screening_found_or_a_picture():
    vocab = default_vocabulary()
    assert trader_category(_posts(*IVORY_ADS, ("山君 骨 老料 私聊", "high", ["tiger"])), vocab)[0] == "B"
    assert trader_category(_posts(*IVORY_ADS, ("鱼胶 老货 私聊", "high", ["totoaba"])), vocab)[0] == "B"
    assert trader_category(_posts(*IVORY_ADS, ("看图", "medium", [], "穿山甲片 500克")), vocab)[0] == "B"
    assert trader_category(_posts(*IVORY_ADS, ("看图", "none", [], "穿山甲片 500克")), vocab)[0] == "A"  # not flagged


def test_c_or_d_by_what_its_other_posts_mostly_sell():
    vocab = default_vocabulary()
    collect = [("和田玉手镯 带证书", "none", []), ("小叶紫檀手串", "low", [])]
    shop = [("新鲜水果 今日特价", "none", []), ("女装连衣裙 包邮", "none", []), ("面膜团购", "low", [])]
    assert trader_category(_posts(*IVORY_ADS, *collect, shop[0]), vocab)[0] == "C"
    assert trader_category(_posts(*IVORY_ADS, *shop, collect[0]), vocab)[0] == "D"
    category, basis = trader_category(_posts(*IVORY_ADS, *collect, *shop), vocab)
    assert category == "D" and "3 other business" in basis


def test_one_other_post_or_a_flagged_one_is_no_side_business():
    vocab = default_vocabulary()
    assert trader_category(_posts(*IVORY_ADS, ("私人收藏转让 白玉米 约46克", "low", [])), vocab)[0] == "A"
    flagged_shop = [("手串 老料 懂的来 克价", "medium", []), ("收藏级 老货 私聊", "high", [])]
    assert trader_category(_posts(*IVORY_ADS, *flagged_shop), vocab)[0] == "A"
    assert trader_category(_posts(*IVORY_ADS, ("晚安", "none", []), ("如图", "none", [])), vocab)[0] == "A"


def test_not_a_trader_without_flagged_ads():
    vocab = default_vocabulary()
    assert trader_category(_posts(("和田玉手镯", "none", []), ("面膜团购", "none", [])), vocab) == (
        None, "no flagged ads: not a trader")
    assert trader_category(_posts(), vocab) == (None, "posts nothing: what it sells is unknown")


def test_min_side_posts_is_validated(tmp_path):
    bad = edited_data_file(tmp_path, "vocabulary.yaml",
                           lambda text: text.replace("min_side_posts: 2", "min_side_posts: two"))
    with pytest.raises(ValueError, match="'min_side_posts' must be a whole number"):
        load_vocabulary(bad)
    assert default_vocabulary().min_side_posts == 2
