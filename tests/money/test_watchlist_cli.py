"""Watchlists in FollowTheMoney format, screened across scripts; loading with quarantine; the CLI and
the evaluation command on a foreign export layout."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from tests.money.factory import PLANTS, benign_transactions
from wildtrace.cli.main import app
from wildtrace.model import PaymentAccount, Shipment
from wildtrace.money import Watchlists, analyse, load_records, load_watchlist, open_frame, watchlist_hits
from wildtrace.store import Store

FTM = [
    {"id": "os-1", "schema": "Person", "properties": {"name": ["Zhang Wei"], "alias": ["张伟"],
                                                       "phone": ["+86 171 1104 3199"]}},
    {"id": "os-2", "schema": "Company", "properties": {"name": ["Golden Tusk Trading Ltd"]}},
    {"id": "os-3", "schema": "BankAccount", "properties": {"accountNumber": ["6222 0000 1111 2222"]}},
]


def _ftm(path: Path) -> Path:
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in FTM) + "\nnot json\n", encoding="utf-8")
    return path


def test_watchlist_matches_across_scripts_with_reasons(store: Store, tmp_path: Path) -> None:
    assert load_watchlist(store, _ftm(tmp_path / "list.ftm.json"), "sanctions") == 3
    lists = Watchlists.from_store(store)
    assert lists.screen("張偉")[0].entity_id == "os-1"            # traditional characters
    assert lists.screen("Wei ZHANG")[0].entity_id == "os-1"       # Latin, reversed order
    assert "identifier" in lists.screen(None, ["17111043199"])[0].reason
    assert lists.screen(None, ["bank:6222000011112222"])[0].entity_id == "os-3"
    assert lists.screen("Golden Tusk Trading")[0].entity_id == "os-2"
    assert lists.screen("李明") == [] and lists.screen("Maria Lopez") == []


def test_load_quarantines_bad_records(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "tx.csv"
    path.write_text("id,time,payer,payee,amount\nt1,2025-03-03T10:00:00+08:00,wallet:a,wallet:b,100\n"
                    "t2,2025-03-03T11:00:00+08:00,wallet:a,wallet:b,lots\n", encoding="utf-8")
    result = load_records(store, "transactions", path, data_dir=tmp_path)
    assert (result.added, result.quarantined) == (1, 1)
    assert "amount" in " ".join(result.errors)


def test_eval_on_a_foreign_layout(tmp_path: Path) -> None:
    planted, subjects = PLANTS["pass_through"]
    path = tmp_path / "edges.csv"
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["sourceNodeId", "targetNodeId", "value", "time"])
        for t in benign_transactions(1500) + planted + PLANTS["cycle"][0]:
            w.writerow([t.payer, t.payee, t.amount, t.time.isoformat()])
    truth = tmp_path / "labels.csv"
    accounts = {a for t in benign_transactions(1500) for a in (t.payer, t.payee)}
    with truth.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["acct", "bad"])
        for a in sorted(accounts | subjects | PLANTS["cycle"][1]):
            w.writerow([a, int(a in subjects or a in PLANTS["cycle"][1])])
    args = ["--transactions", str(path), "--map", "payer=sourceNodeId,payee=targetNodeId,amount=value",
            "--truth", str(truth), "--account-col", "acct", "--label-col", "bad", "--json",
            "--db", str(tmp_path / "w.duckdb")]
    for cmd in (["money", "eval"], ["eval", "money"]):
        out = CliRunner().invoke(app, [*cmd, *args])
        assert out.exit_code == 0, out.output
        got = json.loads(out.stdout.strip().splitlines()[-1])
        assert {"precision", "recall", "f1", "average_precision", "n"} <= set(got)
        assert got["n"] == len(accounts | subjects | PLANTS["cycle"][1])
        assert got["average_precision"] > 0.5


def test_cli_run_alerts_and_sar(benign_store: Store, tmp_path: Path) -> None:
    benign_store.add(PLANTS["structuring"][0] + PLANTS["cycle"][0])
    db = benign_store.url
    benign_store.close()
    runner = CliRunner()
    out = runner.invoke(app, ["money", "run", "--db", db, "--json"])
    assert out.exit_code == 0, out.output
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["hits_by_typology"]["cycle"] >= 3
    out = runner.invoke(app, ["money", "risk", "wallet:ra", "--db", db, "--json"])
    assert out.exit_code == 0 and "cycle" in out.output
    out = runner.invoke(app, ["money", "typologies", "--json"])
    assert "structuring" in {t["name"] for t in json.loads(out.stdout)}
    out = runner.invoke(app, ["money", "sar", "wallet:nobody", "--db", db])
    assert out.exit_code != 0


def test_a_phone_is_screened_under_every_name_its_parcels_carry(store: Store, tmp_path: Path) -> None:
    load_watchlist(store, _ftm(tmp_path / "list.ftm.json"), "sanctions")
    start = datetime(2025, 3, 1, tzinfo=UTC)
    names = ["Li Ming"] * 5 + ["Wei ZHANG"]  # the listed name on one parcel of six, under the phone's usual name
    store.add([Shipment(waybill=f"SF{i}", time=start + timedelta(days=i), sender_name=name,
                             sender_phone="13900001111", receiver_name="Chen Jing", receiver_phone="13900002222")
                    for i, name in enumerate(names)])
    frame = open_frame(store)
    try:
        hits = watchlist_hits(frame, Watchlists.from_store(store))
    finally:
        frame.close()
    (hit,) = hits.itertuples()  # the receiver's phone carries no listed name
    assert hit.subject.endswith("13900001111") and "os-1" in hit.reason and "'Wei ZHANG'" in hit.reason
    assert list(hit.evidence) == [f"SF{i}" for i in range(6)]  # every parcel of the phone, not the first 20


def test_a_listed_holder_raises_an_alert_through_the_whole_stage(store: Store, tmp_path: Path) -> None:
    load_watchlist(store, _ftm(tmp_path / "list.ftm.json"), "sanctions")
    store.add([PaymentAccount(payment_account="bank:6222000011112222", holder_name="张伟", holder_phone="17111043199"),
               *benign_transactions(200, people=40)])
    for only in (None, ["watchlist"], ["watchlist", "cycle"]):  # the watchlist may be asked for by name
        result = analyse(store, typologies=only)
        listed = result.hits[result.hits.typology == "watchlist"]
        assert set(listed.subject) == {"bank:6222000011112222"} and "os-1" in listed.reason.iloc[0]
        assert only != ["watchlist"] or set(result.hits.typology) == {"watchlist"}
    listing = CliRunner().invoke(app, ["money", "typologies", "--json"])
    assert "watchlist" in {t["name"] for t in json.loads(listing.stdout)}
