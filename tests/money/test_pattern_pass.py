"""The relational patterns' faster pass (windows counted before they are totalled, evidence read from the hit
windows' payments, scatter-gather's paths joined on the intermediary and the bucket) finds exactly what the
plain pass found (``reference_patterns``): the same rows, subject, strength, reason, evidence and members, with
the default parameters and with lowered or raised ones, on benign traffic with every pattern planted and on a
bank-like ledger with laundering rings."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from tests.money import reference_patterns
from tests.money.factory import PLANTS, benign_transactions, labelled_ledger, write_csv
from wildtrace.money import TYPOLOGIES, Frame, open_frame

PATTERNS = ("fan_in", "fan_out", "gather_scatter", "scatter_gather", "bipartite")
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


@pytest.fixture(scope="module")
def rings(tmp_path_factory: pytest.TempPathFactory) -> Frame:
    """A ledger in integer steps with laundering rings among busy and ordinary accounts."""
    payments, _, _ = labelled_ledger(seed=5, people=300, steps=60, rings=12)
    return open_frame(transactions=write_csv(tmp_path_factory.mktemp("pass") / "rings.csv", payments),
                      columns={"time": "step"})


def _rows(frame: Frame, sql: str) -> str:
    """The detector's rows, ordered by subject, as JSON (lists and numbers compared exactly)."""
    hits = frame.df(sql).sort_values("subject", ignore_index=True)
    return hits.to_json(orient="records", double_precision=15)


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
