"""Ingest, evidence and watch behave the same on DuckDB and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from tests.evidence.conftest import Site
from tests.ingest.conftest import post, write_jsonl
from wildtrace.evidence import Evidence, Watcher
from wildtrace.ingest import ingest_records
from wildtrace.model import Post
from wildtrace.store import Store


def test_ingest_evidence_and_watch_on_every_backend(backend_store: Store, tmp_path: Path, site: Site) -> None:
    source = write_jsonl(tmp_path / "p.jsonl", [post(1), post(2), post(1), "{broken"])
    result = ingest_records(backend_store, source, data_dir=tmp_path / "d", chunk_size=2)
    assert (result.added, result.duplicates, result.quarantined) == (2, 1, 1)
    assert ingest_records(backend_store, source, data_dir=tmp_path / "d").already_done
    evidence = Evidence(backend_store, tmp_path / "d")
    url = site.set("/p/1", "<p>XY 手镯</p>")
    watcher = Watcher(evidence, timeout=5)
    watcher.add(url, post_id="p1")
    assert [r.outcome for r in watcher.run_once()] == ["new"]
    site.set("/p/1", "", status=410)
    assert [r.outcome for r in watcher.run_once()] == ["removed"]
    assert backend_store.get(Post, "p1").deleted_at is not None
    assert evidence.verify().ok and len(evidence.history(url)) == 2
