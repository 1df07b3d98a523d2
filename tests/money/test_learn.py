"""The learned ranking: scale-free features, training and scoring with reasons, grouped cross-validation
against the baselines on the same folds, and transaction-level labels."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.money.factory import labelled_ledger, write_csv
from wildtrace.cli.main import app
from wildtrace.money import MoneyModel, account_labels, analyse, build_features, open_frame, read_patterns
from wildtrace.money._cv import graph_groups, pattern_groups

AML = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "aml"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    payments, labels, patterns = labelled_ledger(people=160, steps=40, rings=8)
    d = tmp_path_factory.mktemp("ledger")
    return {"tx": write_csv(d / "tx.csv", payments), "labels": write_csv(d / "labels.csv", labels),
            "patterns": write_csv(d / "patterns.csv", patterns)}


def _cli(*args: str) -> dict:
    out = CliRunner().invoke(app, [*args, "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout.strip().splitlines()[-1])


def _positives(ledger: dict[str, Path]) -> int:
    return sum(r["is_sar"] == "1" for r in csv.DictReader(ledger["labels"].open()))


def _features(path: Path, columns: dict[str, str]) -> pd.DataFrame:
    frame = open_frame(None, path, columns)
    try:
        return build_features(frame).set_index("account").sort_index()
    finally:
        frame.close()


def test_features_do_not_change_with_the_currency_unit_or_the_time_axis(ledger: dict[str, Path],
                                                                          tmp_path: Path) -> None:
    rows = pd.read_csv(ledger["tx"], dtype={"payer": str, "payee": str})
    start = datetime(2024, 1, 1, tzinfo=UTC)
    scaled = rows.assign(amount=rows["amount"] * 100,
                         time=[(start + timedelta(days=int(s))).date().isoformat() for s in rows["step"]])
    scaled.drop(columns="step").to_csv(tmp_path / "scaled.csv", index=False)
    steps = _features(ledger["tx"], {"time": "step"})
    dates = _features(tmp_path / "scaled.csv", {})
    assert list(steps.index) == list(dates.index) and list(steps.columns) == list(dates.columns)
    np.testing.assert_allclose(steps.to_numpy(dtype=float), dates.to_numpy(dtype=float), rtol=1e-9, atol=1e-12)
    assert steps["max_cp_out_1"].max() >= 4  # a ring leader splitting in one step is seen in one window


def test_train_then_run_with_the_model_gives_reasons_and_evidence(ledger: dict[str, Path], tmp_path: Path) -> None:
    model_dir = tmp_path / "model"
    db = str(tmp_path / "w.duckdb")
    trained = _cli("money", "train", "--transactions", str(ledger["tx"]), "--map", "time=step", "--truth",
                   str(ledger["labels"]), "--account-col", "account", "--label-col", "is_sar", "--out",
                   str(model_dir), "--db", db)
    assert trained["positives"] == _positives(ledger) and trained["labelled"] == 160
    assert set(trained["seconds_per_million_payments"]) == {"features", "training"}
    model = MoneyModel.load(model_dir)
    assert "pass_share" in model.features and "nb1_mean_pass_share" in model.features
    _cli("money", "run", "--transactions", str(ledger["tx"]), "--map", "time=step", "--model", str(model_dir),
         "--db", db)
    out = CliRunner().invoke(app, ["money", "alerts", "--db", db, "--json", "--limit", "500"])
    alerts = [a for a in json.loads(out.stdout) if a["subject_kind"] == "account"]
    sar = {r["account"] for r in csv.DictReader(ledger["labels"].open()) if r["is_sar"] == "1"}
    assert alerts and sum(a["subject"] in sar for a in alerts) / len(alerts) >= 0.9
    for a in alerts:
        assert a["reasons"][0].startswith("learned model") and "(+" in a["reasons"][0]
        assert a["evidence"], a
    top = alerts[0]
    ledger_rows = {r["id"]: r for r in csv.DictReader(ledger["tx"].open())}
    assert all(e in ledger_rows for e in top["evidence"])
    first = ledger_rows[top["evidence"][0]]  # money moved with other flagged accounts comes first
    assert top["subject"] in (first["payer"], first["payee"])


def test_grouped_cv_beats_degree_on_the_same_folds(ledger: dict[str, Path], tmp_path: Path) -> None:
    args = ["eval", "money", "--transactions", str(ledger["tx"]), "--map", "time=step", "--truth",
            str(ledger["labels"]), "--account-col", "account", "--label-col", "is_sar", "--cv", "3",
            "--db", str(tmp_path / "w.duckdb")]
    got = _cli(*args, "--patterns", str(ledger["patterns"]))
    assert got["grouping"].startswith("by pattern id (8 patterns")
    assert {"learned", "unsupervised", "degree", "simple_gbt"} <= set(got)
    assert got["learned"]["average_precision"] > got["degree"]["average_precision"] + 0.2
    assert len(got["learned"]["per_fold"]) == 3 == len(got["degree"]["per_fold"])
    assert got["verdict"].startswith("learned model beats")
    no_ids = _cli(*args)
    assert no_ids["grouping"].startswith("no pattern ids")
    assert no_ids["learned"]["average_precision"] > no_ids["degree"]["average_precision"]


def test_transaction_labels_report_the_payments_cited(ledger: dict[str, Path], tmp_path: Path) -> None:
    got = _cli("eval", "money", "--transactions", str(ledger["tx"]), "--map", "time=step", "--truth",
               str(ledger["tx"]), "--truth-kind", "transaction", "--account-col", "id", "--label-col", "is_sar",
               "--cv", "3", "--db", str(tmp_path / "w.duckdb"))
    laundering = sum(r["is_sar"] == "1" for r in csv.DictReader(ledger["tx"].open()))
    assert got["payments"]["laundering"] == laundering
    learned, unsupervised = got["payments"]["learned"], got["payments"]["unsupervised"]
    assert learned["recall"] >= 0.8 and learned["precision"] >= 0.6
    assert learned["precision"] > unsupervised["precision"] and learned["recall"] > unsupervised["recall"]
    assert got["positives"] == _positives(ledger)


def test_folds_keep_patterns_whole_and_split_a_dense_component(ledger: dict[str, Path]) -> None:
    patterns = read_patterns(ledger["patterns"], "account", "pattern_id")
    accounts = pd.Series([str(i) for i in range(160)])
    g = pattern_groups(accounts, patterns)
    of = dict(zip(accounts, g.groups, strict=True))
    leaders = patterns[patterns["is_main"] == "True"]
    assert all(of[a] == f"pattern:{p}" for a, p in zip(leaders["account"], leaders["pattern"], strict=True))
    assert of["0"] == "account:0"  # a shop belongs to no pattern
    frame = open_frame(None, ledger["tx"], {"time": "step"})
    try:
        labels, _ = account_labels(frame, pd.read_csv(ledger["labels"], dtype=str), "account", "is_sar")
        dense = graph_groups(frame, pd.Series(labels.index), labels.to_numpy(), folds=5)
    finally:
        frame.close()
    sizes = pd.Series(dense.groups[labels.to_numpy() == 1]).value_counts()
    assert sizes.max() <= labels.sum() // 2 and len(sizes) >= 3
    assert (dense.groups[labels.to_numpy() == 0] == [f"account:{a}" for a in labels.index[labels == 0]]).all()


def test_bad_labels_and_bad_model_folders_are_refused(ledger: dict[str, Path], tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "bad.csv", [{"account": "1", "is_sar": "1"}, {"account": "2", "is_sar": "yes"}])
    out = CliRunner().invoke(app, ["money", "train", "--transactions", str(ledger["tx"]), "--map", "time=step",
                                   "--truth", str(bad), "--label-col", "is_sar", "--out", str(tmp_path / "m"),
                                   "--db", str(tmp_path / "w.duckdb")])
    assert out.exit_code != 0 and "row 3" in str(out.exception) and "'yes'" in str(out.exception)
    (tmp_path / "empty").mkdir()
    out = CliRunner().invoke(app, ["money", "run", "--transactions", str(ledger["tx"]), "--model",
                                   str(tmp_path / "empty"), "--db", str(tmp_path / "w.duckdb")])
    assert out.exit_code != 0 and "model.txt" in str(out.exception)


@pytest.mark.slow
def test_learned_model_on_amlgentex_mid4k_reaches_the_floor() -> None:
    d = AML / "amlgentex-mid4k"
    if not d.is_dir():
        pytest.skip("AMLGentex ledgers not present")
    from wildtrace.money import evaluate_ledger

    frame = open_frame(None, d / "transactions.parquet", {"time": "step"})
    try:
        result = analyse(frame=frame)
        got = evaluate_ledger(frame, result, pd.read_csv(d / "accounts.csv", dtype=str), "account", "is_sar",
                              folds=5, patterns=read_patterns(d / "patterns.csv", "account", "pattern_id"))
    finally:
        frame.close()
    assert got["learned"]["average_precision"] >= 0.75
    assert got["learned"]["average_precision"] > got["degree"]["average_precision"]


def test_eval_reports_the_pattern_members_found_per_labelled_type(ledger: dict[str, Path], tmp_path: Path) -> None:
    """With a typed pattern file, eval money says per pattern type how many of its accounts pattern hits name,
    in JSON and one line per type for people."""
    rows = list(csv.DictReader(ledger["patterns"].open()))
    typed = write_csv(tmp_path / "typed.csv", [{**r, "type": "ring" if int(r["pattern_id"]) % 2 else "layer"}
                                            for r in rows])
    args = ["eval", "money", "--transactions", str(ledger["tx"]), "--map", "time=step", "--truth",
            str(ledger["labels"]), "--account-col", "account", "--label-col", "is_sar", "--patterns", str(typed),
            "--db", str(tmp_path / "w.duckdb")]
    got = _cli(*args)["pattern_members"]
    assert set(got) == {"ring", "layer", "all"}
    assert got["all"]["accounts"] == len({r["account"] for r in rows}) == _positives(ledger)
    assert got["ring"]["found"] + got["layer"]["found"] >= got["all"]["found"] > 0
    assert 0 < got["all"]["precision"] <= 1
    text = CliRunner().invoke(app, args).output.splitlines()
    assert any(line.split()[:2] == ["ring", "accounts"] for line in text), text[-5:]


def test_a_learned_alert_cites_every_payment_inside_the_group(tmp_path: Path) -> None:
    """The payments a learned alert cites (with the other accounts over the model's threshold) are all of them,
    not the first fifty."""
    from wildtrace.money._learn import ties_between

    t0 = datetime(2025, 3, 1, tzinfo=UTC)
    rows = [{"id": f"g{i}", "time": (t0 + timedelta(hours=i)).isoformat(), "payer": "wallet:a", "payee": "wallet:b",
             "amount": 100 + i} for i in range(73)]
    rows += [{"id": f"o{i}", "time": (t0 + timedelta(hours=i)).isoformat(), "payer": f"wallet:p{i}",
              "payee": f"wallet:q{i % 5}", "amount": 10} for i in range(40)]
    frame = open_frame(transactions=write_csv(tmp_path / "tx.csv", rows))
    try:
        ties = ties_between(frame, pd.Series(["wallet:a", "wallet:b"]))
    finally:
        frame.close()
    assert ties["wallet:a"] == ties["wallet:b"] == [f"g{i}" for i in range(73)]


def test_eval_or_run_of_a_model_on_its_own_training_ledger_warns(ledger: dict[str, Path], tmp_path: Path) -> None:
    """A model scored on the very ledger it was trained on (even reordered, in another format, with other
    column names) is flagged as no measure of quality, with a pointer to --cv, by `eval money` and by `money
    run` (its scores there are fitted, not predicted); on another ledger, or for an old model that recorded no
    fingerprint of its training ledger, nothing is said."""
    model_dir, db = tmp_path / "model", str(tmp_path / "w.duckdb")
    labels = ["--truth", str(ledger["labels"]), "--account-col", "account", "--label-col", "is_sar"]
    _cli("money", "train", "--transactions", str(ledger["tx"]), "--map", "time=step", *labels, "--out",
         str(model_dir), "--db", db)
    rows = pd.read_csv(ledger["tx"], dtype={"payer": str, "payee": str})
    rows.sample(frac=1.0, random_state=1).rename(columns={"payer": "src"}).drop(columns="id").to_parquet(
        tmp_path / "same.parquet")
    rows.iloc[1:].to_csv(tmp_path / "other.csv", index=False)

    def evaluate(tx: Path, *maps: str) -> dict:
        return _cli("eval", "money", "--transactions", str(tx), "--map", "time=step", *maps, *labels, "--model",
                    str(model_dir), "--db", db)

    own = evaluate(ledger["tx"])
    assert own["warning"].startswith("scored on its own training ledger: not a measure of quality")
    assert "--cv 5" in own["warning"]
    assert evaluate(tmp_path / "same.parquet", "--map", "payer=src")["warning"] == own["warning"]
    assert "warning" not in evaluate(tmp_path / "other.csv")
    text = CliRunner().invoke(app, ["eval", "money", "--transactions", str(ledger["tx"]), "--map", "time=step",
                                    *labels, "--model", str(model_dir), "--db", db]).stdout
    assert text.splitlines()[0].startswith("WARNING: the model was scored on its own training ledger"), text
    run = ["money", "run", "--map", "time=step", "--model", str(model_dir), "--db", db, "--transactions"]
    assert _cli(*run, str(tmp_path / "same.parquet"), "--map", "payer=src")["warning"].startswith(
        "the model was scored on its own training ledger: its scores of these accounts are fitted")
    assert "warning" not in _cli(*run, str(tmp_path / "other.csv"))
    text = CliRunner().invoke(app, [*run, str(ledger["tx"])]).stdout
    assert text.splitlines()[0].startswith("WARNING: the model was scored on its own training ledger"), text
    meta = json.loads((model_dir / "model.json").read_text())
    del meta["ledger_sha256"]
    (model_dir / "model.json").write_text(json.dumps(meta))
    assert "warning" not in evaluate(ledger["tx"])
