"""The world is in the formats ingest reads: every file goes in without a quarantined record."""

from __future__ import annotations

from pathlib import Path

import pytest

from wildtrace.ingest import ingest_records, load_mapping
from wildtrace.model import Post
from wildtrace.store import Store


@pytest.mark.parametrize(("name", "model"), [
    ("platforms.jsonl", "platform"), ("accounts.jsonl", "account"), ("transactions.csv", "transaction"),
    ("shipments.jsonl", "shipment"),
    pytest.param("html", "post", marks=pytest.mark.slow),  # trafilatura and WARC capture for every page
])
def test_ingest_takes_every_record(sim_world: Path, store: Store, tmp_path: Path, name: str, model: str) -> None:
    result = ingest_records(store, sim_world / name, model, data_dir=tmp_path / "data")
    assert result.read > 0
    assert result.quarantined == 0, result.errors[:3]


def test_ingest_reads_the_foreign_export_with_its_mapping(sim_world: Path, store: Store, tmp_path: Path) -> None:
    mapping = load_mapping(sim_world / "posts_export.mapping.json")
    result = ingest_records(store, sim_world / "posts_export.csv", "post", mapping=mapping,
                            data_dir=tmp_path / "data")
    assert result.read > 0 and result.quarantined == 0, result.errors[:3]
    post = store.find(Post, "platform = ?", ["antiqueforum"])[0]
    assert post.posted_at is not None and post.posted_at.utcoffset() is not None
