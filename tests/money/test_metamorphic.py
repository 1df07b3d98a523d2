"""Metamorphic test on a ledger WildTrace did not write (AMLGentex small1k): the same payments in another
currency unit, time form, time scale, account naming, row order or column layout are found the same, hit for
hit and score for score (``wildtrace.money._metamorphic``; the full table on small1k and mid4k is in
docs/money.md, made by ``scripts/money_invariance.py``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from wildtrace.money._metamorphic import LEDGER_REWRITES, VariantRun, compare, ledger_rows, run_variant

SMALL1K = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "aml" / "amlgentex-small1k"
EXACT = [n for n, t in LEDGER_REWRITES.items() if n not in ("original", "jitter")]
NEW_FACTS = {"span_2_weeks": {"night_cluster"}}  # steps of 3 hours give the payments a time of day: night is judged


@pytest.fixture(scope="module")
def ledger() -> dict[str, pd.DataFrame]:
    if not SMALL1K.is_dir():
        pytest.skip(f"{SMALL1K} is not here")
    p = pd.read_csv(SMALL1K / "patterns.csv", dtype=str)
    return {"rows": ledger_rows(SMALL1K / "transactions.parquet"),
            "accounts": pd.read_csv(SMALL1K / "accounts.csv", dtype=str),
            "patterns": pd.DataFrame({"account": p["account"], "pattern": p["pattern_id"], "type": p["type"]})}


@pytest.fixture(scope="module")
def runs(ledger: dict[str, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory) -> dict[str, VariantRun]:
    folder = tmp_path_factory.mktemp("metamorphic")
    return {name: run_variant(name, ledger["rows"], ledger["accounts"], ledger["patterns"], folder)
            for name in LEDGER_REWRITES}


def test_the_original_finds_the_patterns(runs: dict[str, VariantRun]) -> None:
    base = runs["original"]
    assert base.metrics["average_precision"] >= 0.8
    assert base.metrics["pattern_members"]["all"]["recall"] >= 0.9
    assert {t for t, _, _ in base.hits} >= {"fan_in", "fan_out", "bipartite", "cycle", "gather_scatter"}


@pytest.mark.parametrize("name", EXACT)
def test_the_same_ledger_written_another_way_gets_the_same_hits_and_scores(runs: dict[str, VariantRun],
                                                                           name: str) -> None:
    """Every hit (typology, subject, score) and every account's score, mapped back to the original names (a
    renaming of the accounts too: bipartite blocks are read from the data, not from the order of names); a
    ledger of 3-hour steps has a time of day, and night_cluster may find what a ledger of days cannot show."""
    base, other = runs["original"], runs[name]
    skip = NEW_FACTS.get(name, set())
    assert {h for h in other.hits if h[0] not in skip} == {h for h in base.hits if h[0] not in skip}
    if not skip:
        assert other.scores == base.scores
    row = compare(base, other)
    assert abs(row["delta_ap"]) <= (0.001 if skip else 0), row
    assert row["recall"] == {k: v["recall"] for k, v in base.metrics["pattern_members"].items()}, row


def test_the_profile_sees_the_tick_whatever_the_time_scale(runs: dict[str, VariantRun]) -> None:
    """Steps x7 tick in 7 steps, a step of a week in 7 days, a step of 3 hours in 3 hours; dates written in
    the payers' own UTC offsets have no time of day, nor the same instants as epoch seconds."""
    seen = {n: (r.profile["unit"], r.profile["span"], r.profile["time_of_day"]) for n, r in runs.items()}
    assert seen["original"] == ("step", "95 steps", False)
    assert seen["steps_x7"] == ("step", "665 steps", False)
    assert seen["span_2_years"] == seen["everything"] == ("day", "665 days", False)
    assert seen["span_2_weeks"] == ("hour", "11.9 days", True)
    assert seen["iso_offsets"] == seen["dates"] == ("day", "95 days", False)
    assert seen["epoch_seconds"] == seen["epoch_ms"] == ("day", "95 days", False)
    assert any("one tick" in w and "7 steps" in w for w in runs["steps_x7"].profile["why"])


def test_payments_spread_over_their_day_are_found_about_as_well(runs: dict[str, VariantRun]) -> None:
    """Not the same data (the order within a day changes, and a time of day appears): reported, and close."""
    row = compare(runs["original"], runs["jitter"])
    assert abs(row["delta_ap"]) <= 0.02, row
    assert row["recall"]["all"] >= runs["original"].metrics["pattern_members"]["all"]["recall"] - 0.02, row
