"""The relational patterns' faster pass (windows counted before they are totalled, evidence read from the hit
windows' payments, scatter-gather's paths joined on the intermediary and the bucket) finds exactly what the
plain pass found (``reference_patterns``): the same rows, subject, strength, reason, evidence and members, with
the default parameters and with lowered or raised ones, on benign traffic with every pattern planted and on a
bank-like ledger with laundering rings. Bipartite is not held to the plain pass, which built its blocks from
the smallest-named payer (a renaming of the accounts changed what it found): its blocks are read from the data
now, so it must still find what the plain pass found of the planted block and the rings, and find the same under
another order of names."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pandas as pd
import pytest

from tests.money import reference_patterns
from tests.money.factory import PLANTS, benign_transactions, labelled_ledger, write_csv
from wildtrace.money import TYPOLOGIES, Frame, open_frame

PATTERNS = ("fan_in", "fan_out", "gather_scatter", "scatter_gather")
SHARED = [{}, {"min_counterparties": 1, "quantile": 0.2}, {"max_pair_payments": 2}, {"quantile": 0.5}]
"""Parameters every pattern typology takes: the defaults; a large count of one (windows of one counterparty
kept); relationships of two payments; a low large count (many candidate windows, most of them totalled)."""
OWN = {"gather_scatter": {"min_in": 1, "min_out": 3}, "scatter_gather": {"min_intermediaries": 2, "min_ratio": 0.5},
       "bipartite": {"min_payers": 1, "min_payees": 3}, "fan_in": {"window": "1d"}, "fan_out": {"window": "2d"}}


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Frame:
    """Benign traffic with every planted pattern of the factory."""
    txs = benign_transactions(3000) + [t for planted, _ in PLANTS.values() for t in planted]
    rows = [{"id": t.id, "time": t.time.isoformat(), "payer": t.payer, "payee": t.payee, "amount": t.amount}
            for t in txs]
    return open_frame(transactions=write_csv(tmp_path_factory.mktemp("pass") / "planted.csv", rows))


RINGS = labelled_ledger(seed=5, people=300, steps=60, rings=12)
"""Payments in integer steps with laundering rings among busy and ordinary accounts, and the rings' members."""


def _reversed(name: str) -> str:
    """Another name for account ``name`` (a number), in the reverse order of the original names."""
    return f"{999 - int(name):03d}"


@pytest.fixture(scope="module")
def rings(tmp_path_factory: pytest.TempPathFactory) -> Frame:
    """The ledger of ``RINGS``."""
    return open_frame(transactions=write_csv(tmp_path_factory.mktemp("pass") / "rings.csv", RINGS[0]),
                      columns={"time": "step"})


@pytest.fixture(scope="module")
def renamed_rings(tmp_path_factory: pytest.TempPathFactory) -> Frame:
    """The ledger of ``RINGS`` with every account renamed (:func:`_reversed`)."""
    payments = [{**p, "payer": _reversed(p["payer"]), "payee": _reversed(p["payee"])} for p in RINGS[0]]
    return open_frame(transactions=write_csv(tmp_path_factory.mktemp("pass") / "renamed.csv", payments),
                      columns={"time": "step"})


def _rows_of(hits: pd.DataFrame) -> str:
    """Hits ordered by subject, as JSON (lists and numbers compared exactly)."""
    return hits.sort_values("subject", ignore_index=True).to_json(orient="records", double_precision=15)


def _rows(frame: Frame, sql: str) -> str:
    """The detector's rows, ordered by subject, as JSON (lists and numbers compared exactly)."""
    return _rows_of(frame.df(sql))


def _both(frame: Frame, name: str, params: dict[str, Any]) -> tuple[str, str]:
    typology = TYPOLOGIES[name]
    plain = dataclasses.replace(typology, sql=getattr(reference_patterns, name))
    return _rows(frame, typology.build(frame.profile, **params)), _rows(frame, plain.build(frame.profile, **params))


@pytest.mark.parametrize("params", [*SHARED, None], ids=["defaults", "one_counterparty", "two_payments",
                                                          "low_quantile", "own"])
@pytest.mark.parametrize("name", PATTERNS)
@pytest.mark.parametrize("ledger", ["planted", "rings"])
def test_the_faster_pass_finds_what_the_plain_pass_found(name: str, params: dict[str, Any] | None, ledger: str,
                                                         request: pytest.FixtureRequest) -> None:
    frame = request.getfixturevalue(ledger)
    fast, plain = _both(frame, name, OWN[name] if params is None else params)
    assert fast == plain


@pytest.mark.parametrize("name", PATTERNS)
def test_the_comparison_has_hits_to_compare(planted: Frame, name: str) -> None:
    """On the planted ledger every pattern typology finds something (its plant), so equality above means
    equal hits, not two empty tables."""
    fast, _ = _both(planted, name, {})
    assert PLANTS[name][1] <= {hit["subject"] for hit in json.loads(fast)}


@pytest.mark.parametrize("params", [*SHARED, OWN["bipartite"]], ids=["defaults", "one_counterparty", "two_payments",
                                                                   "low_quantile", "own"])
def test_bipartite_still_finds_the_planted_block(planted: Frame, params: dict[str, Any]) -> None:
    """The planted 3 x 3 block is inside one block the plain pass found and inside one found now, whatever the
    parameters (the blocks themselves differ: the plain pass also told smaller-named payers' sub-blocks)."""
    typology = TYPOLOGIES["bipartite"]
    plain = dataclasses.replace(typology, sql=reference_patterns.bipartite)
    block = {t.payer for t in PLANTS["bipartite"][0]} | {t.payee for t in PLANTS["bipartite"][0]}
    for sql in (typology.build(planted.profile, **params), plain.build(planted.profile, **params)):
        assert any(block <= set(members) for members in planted.df(sql)["members"])


@pytest.mark.parametrize("params", [{}, {"max_pair_payments": 2}, OWN["bipartite"]],
                         ids=["defaults", "two_payments", "own"])
def test_bipartite_finds_the_same_blocks_whatever_the_order_of_names(rings: Frame, renamed_rings: Frame,
                                                                     params: dict[str, Any]) -> None:
    """Renaming every account (the reverse order of names) changes no hit: subject, strength, reason,
    evidence and members, mapped back to the original names."""
    back = {_reversed(a["account"]): a["account"] for a in RINGS[1]}
    sql = TYPOLOGIES["bipartite"].build
    ours = rings.df(sql(rings.profile, **params))
    theirs = renamed_rings.df(sql(renamed_rings.profile, **params))
    theirs["subject"] = theirs["subject"].map(back)
    theirs["members"] = [[back[m] for m in members] for members in theirs["members"]]
    for hits in (ours, theirs):
        hits["members"] = [[m[0], *sorted(m[1:])] for m in hits["members"]]
    assert len(ours) > 0
    assert _rows_of(theirs) == _rows_of(ours)
