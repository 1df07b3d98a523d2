"""Quality floors of the shipped model on hand-labelled posts it was not trained on."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wildtrace.screen import Screener, metrics

HELDOUT = Path(__file__).parent / "data" / "heldout.csv"
RECALL_FLOOR = 0.65  # share of illegal offers flagged, per obfuscation category (3-6 posts each: 2 of 3)
PASS_FLOOR = 0.7  # share of benign posts not flagged, per look-alike category


@pytest.fixture(scope="module", params=[False, True], ids=["fast", "full"])
def scored(request: pytest.FixtureRequest) -> pd.DataFrame:
    frame = pd.read_csv(HELDOUT)
    screener = Screener.load(full=request.param)
    frame["flagged"] = [r.tier in ("high", "medium") for r in screener.screen_texts(frame["text"].tolist())]
    return frame


def test_each_obfuscation_is_recalled(scored: pd.DataFrame) -> None:
    positives = scored[scored["label"] == 1]
    recall = positives.groupby("category")["flagged"].mean()
    assert len(recall) >= 10
    assert recall.min() >= RECALL_FLOOR, recall.to_dict()


def test_benign_look_alikes_pass(scored: pd.DataFrame) -> None:
    benign = scored[scored["label"] == 0]
    passed = 1 - benign.groupby("category")["flagged"].mean()
    assert len(passed) >= 8
    assert passed.min() >= PASS_FLOOR, passed.to_dict()


@pytest.mark.parametrize("language", ["zh", "en"])
def test_precision_and_recall_per_language(scored: pd.DataFrame, language: str) -> None:
    part = scored[scored["language"] == language]
    m = metrics(part["label"].tolist(), part["flagged"].tolist())
    assert m["precision"] >= 0.85 and m["recall"] >= 0.85, m
