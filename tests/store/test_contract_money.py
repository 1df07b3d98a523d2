"""The money stage on every backend: files in the simulator's own layout (KYC without ``opened_at``, parcels
without pick-ups, seizures with phone lists) load, run and give the same hits, risk and alerts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wildtrace.money import analyse, latest_run, load_records, save
from wildtrace.store import Store


def _write_world(folder: Path) -> Path:
    """A small ledger in the simulator's layout with a cycle between two owners' accounts and a fan-in."""
    tx = ["id,time,payer,payee,amount,currency,channel,memo"]
    cycle = [("wallet:a", "wallet:b"), ("wallet:b", "bank:6222000011112222"), ("wallet:c", "wallet:a")]
    for i, (payer, payee) in enumerate(cycle):
        tx.append(f"C{i},2025-03-0{i + 1}T10:00:00+08:00,{payer},{payee},{30000 - 200 * i},CNY,wallet,")
    for i in range(8):
        tx.append(f"F{i},2025-03-{10 + i}T09:00:00+08:00,wallet:buyer{i},wallet:collector,{5000 + 37 * i},CNY,wallet,")
    for i in range(90):  # everyday payments over three months: windows are shares of the ledger's span
        tx.append(f"B{i},2025-{3 + i // 30:02d}-{1 + i % 28:02d}T12:00:00+08:00,wallet:p{i % 13},wallet:shop{i % 3},"
                  f"{20 + 7 * i},CNY,wallet,")
    (folder / "transactions.csv").write_text("\n".join(tx) + "\n", encoding="utf-8")
    (folder / "payment_accounts.csv").write_text(
        "payment_account,holder_name,holder_phone,bank\nbank:6222000011112222,王五,13711112222,ICBC\n"
        "wallet:c,王五,13711112222,\nwallet:a,李四,13800000001,\n", encoding="utf-8")
    parcels = [{"waybill": f"W{i}", "time": f"2025-03-0{i + 1}T09:00:00+08:00", "sender_name": name,
                "sender_phone": "13900000001", "receiver_name": "r", "receiver_phone": f"1360000000{i}",
                "address": "x", "declared_contents": "文件", "weight_g": 2600.0, "courier": "EMS", "picked_up_by": None}
               for i, name in enumerate(["张先生", "李女士", "王生"])]
    (folder / "shipments.jsonl").write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in parcels) + "\n",
                                            encoding="utf-8")
    (folder / "seizures.jsonl").write_text(json.dumps(
        {"date": "2025-03-20", "place": "厦门", "agency": "海关", "species": "ivory", "quantity_kg": 0.2,
         "waybill": "W0", "phones": ["13900000001"], "names": ["张先生"]}, ensure_ascii=False) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def world(tmp_path: Path) -> Path:
    (tmp_path / "world").mkdir()
    return _write_world(tmp_path / "world")


def test_money_runs_on_the_simulators_files(backend_store: Store, world: Path, tmp_path: Path) -> None:
    for kind, name in [("transactions", "transactions.csv"), ("payment-accounts", "payment_accounts.csv"),
                       ("shipments", "shipments.jsonl"), ("seizures", "seizures.jsonl")]:
        loaded = load_records(backend_store, kind, world / name, data_dir=tmp_path)
        assert loaded.quarantined == 0, loaded.errors
    result = analyse(backend_store)
    found = {(h.typology, h.subject) for h in result.hits.itertuples()}
    assert ("fan_in", "wallet:collector") in found
    assert {("cycle", "wallet:a"), ("cycle", "wallet:b"), ("cycle", "bank:6222000011112222")} <= found
    assert ("phone_many_names", "phone:13900000001") in found
    assert ("seizure_linked", "W0") in found
    save(backend_store, result)
    assert latest_run(backend_store) == result.run_id
    rows = backend_store.query("SELECT subject FROM money_risk WHERE run_id = ?", (result.run_id,))
    assert {"wallet:collector", "wallet:a"} <= {r["subject"] for r in rows}
