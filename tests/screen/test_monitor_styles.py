"""Styles a monitor sees and the simulator lacks (``data/monitor_styles.csv``, 188 posts written by hand for
session 5, never used for training): Vietnamese, Thai, Indonesian and Malay sellers, emoji slang, pinyin typed in
Latin letters, mixed-script and Hong Kong Chinese, teasers, "DM for pics", parts named by the species at auction,
against legal antiques, mammoth ivory where legal, faux ivory, seizure news, NGO campaigns, pet shops and chat.
Measured (docs/screen.md, Styles a monitor sees): scope illegal P 0.938 R 0.809 MCC 0.763 (0.818 / 0.574 / 0.468
before this round); the floors below leave room for a retrained model."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wildtrace.screen import Screener, metrics

STYLES = Path(__file__).parent / "data" / "monitor_styles.csv"


@pytest.fixture(scope="module")
def styles() -> pd.DataFrame:
    return pd.read_csv(STYLES)


@pytest.mark.parametrize(("scope", "column"), [("illegal", "label"), ("regulated", "regulated")])
def test_offers_in_every_style_are_found_and_news_and_campaigns_are_not(styles: pd.DataFrame, scope: str,
                                                                         column: str) -> None:
    results = list(Screener.load(scope=scope).screen_texts(styles["text"].tolist()))
    flagged = pd.Series([r.tier in ("high", "medium") for r in results])
    m = metrics(styles[column].tolist(), flagged.tolist())
    assert m["precision"] >= 0.85 and m["recall"] >= 0.7, m
    reporting = styles["category"].isin(["news", "campaign"])
    # under regulated, one Hong Kong news post (檢獲, 市值約200萬) reads as an offer: 萬 is a price word and HK's 檢獲
    # (seized) is no reporting word of the lexicon; a post of the held-out half, so it was left as it is
    assert flagged[reporting].sum() <= (0 if scope == "illegal" else 1), styles["text"][reporting & flagged].tolist()
    pinyin = styles["category"] == "offer_pinyin"  # typed in Latin letters: tone marks, none, joined, mergers
    assert flagged[pinyin].sum() >= 10
    benign_chat = styles["category"] == "pinyin_chat"
    assert not flagged[benign_chat].any() and not any(results[i].species for i in styles.index[benign_chat])
