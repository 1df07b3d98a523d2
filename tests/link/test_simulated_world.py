"""Linkage quality on the simulator's world, scored against its truth files."""

import csv

import pytest

from tests.link.world import load_world
from wildtrace.link import read_truth, run_link, score_linkage, stored_clusters, top_traders
from wildtrace.store import open_store

B_CUBED_F1_FLOOR = 0.95
BACKUP_RECALL_FLOOR = 0.8


@pytest.fixture(scope="module")
def linked_world(sim_world, tmp_path_factory):
    """The world loaded and linked once for this module."""
    tmp = tmp_path_factory.mktemp("linked_world")
    store = open_store(str(tmp / "wildtrace.duckdb"))
    load_world(store, sim_world, tmp / "data")
    summary = run_link(store)
    yield store, summary
    store.close()


def test_linkage_holds_its_floors(linked_world, sim_world):
    store, _ = linked_world
    result = score_linkage(stored_clusters(store), read_truth(sim_world / "truth" / "accounts.csv"))
    assert result["bcubed"]["f1"] >= B_CUBED_F1_FLOOR, result
    assert result["backup"]["backups"] > 0
    assert result["backup"]["recall"] >= BACKUP_RECALL_FLOOR, result


def test_who_profits_most_are_traders(linked_world, sim_world):
    store, _ = linked_world
    with open(sim_world / "truth" / "accounts.csv", newline="", encoding="utf-8") as fh:
        traders = {r["account_id"] for r in csv.DictReader(fh) if r["is_trader"] == "1"}
    members = {r["trader_id"]: r["account_id"] for r in store.query("SELECT * FROM link_members")}
    top = [t for t in top_traders(store, limit=5) if t["money_received"] > 0]
    assert top, "no money reached any trader"
    assert members[top[0]["trader_id"]] in traders
