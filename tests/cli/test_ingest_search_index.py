"""A standalone ``wildtrace ingest`` leaves the store ready to search: the store's search index takes in what was
added before the command ends (DuckDB: its n-gram index holds every post and account; PostgreSQL: the trigram
indexes exist), so the workbench's first search does not build it."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from wildtrace.cli.main import app
from wildtrace.store import _grams, open_store

POSTS = [{"id": f"p{i}", "platform": "weibo", "account_id": f"weibo:u{i % 3}", "text": f"出售象牙手镯 {i} 号 ivory",
          "posted_at": f"2026-03-{1 + i % 28:02d}T10:00:00+08:00"} for i in range(40)]


def _ingest(tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WILDTRACE_DATA_DIR", str(tmp_path / "data"))
    source = tmp_path / "posts.jsonl"
    source.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in POSTS) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest", str(source), "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ingest_indexes_what_it_added_for_search_on_duckdb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = str(tmp_path / "w.duckdb")
    data = _ingest(tmp_path, db, monkeypatch)
    assert data["added"] == 40 and data["indexed_for_search"] == 40 and data["index_seconds"] >= 0
    with open_store(db) as store:
        assert not _grams.stale(store.connection, "posts")  # the first search finds nothing to build
        assert store.refresh_search_index("posts") == 0
        assert set(store.text_search("posts", "id", ["text"], "象牙 手镯 7")) >= {"p7", "p17", "p27", "p37"}
    again = CliRunner().invoke(app, ["ingest", str(tmp_path / "posts.jsonl"), "--db", db, "--json"])
    assert json.loads(again.stdout)["indexed_for_search"] == 0  # nothing new to index


def test_ingest_makes_the_trigram_indexes_on_postgresql(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        postgres_url: str) -> None:
    name = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
    url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    assert _ingest(tmp_path, url, monkeypatch)["added"] == 40
    with open_store(url) as store:
        made = {r["tablename"] for r in store.query("SELECT tablename FROM pg_indexes WHERE indexname LIKE "
                                                    "'search_trgm_%'")}
        assert made == {"posts", "accounts"}
