"""The indexes behind full-text search: DuckDB's n-gram index finds what a scan finds, PostgreSQL reads pg_trgm."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from wildtrace import model as m
from wildtrace.store import DuckDBStore, Store, open_store

WORDS = ["象牙", "手镯", "犀角", "穿山甲", "鳞片", "出售", "Ivory", "bangle", "rhino", "horn", "sừng", "tê", "giác",
         "ngà", "voi", "งาช้าง", "ขาย", "🐘", "🦏", "5000元", "wx_lotus51412", "+86 138", "100%", "a_b"]


def _corpus(n: int, seed: int) -> dict[str, str]:
    rng = random.Random(seed)
    return {f"p{i:04}": rng.choice([" ", "", "\n"]).join(rng.choices(WORDS, k=rng.randint(1, 9))) for i in range(n)}


def _queries(texts: dict[str, str], seed: int) -> list[str]:
    """Pieces of the posts (any length, across word edges), single words and words found nowhere."""
    rng = random.Random(seed)
    found = []
    for text in rng.sample(list(texts.values()), 60):
        start = rng.randrange(len(text))
        found.append(text[start:start + rng.randint(1, 6)])
    return [q for q in found if q.split()] + WORDS + ["象牙 ivory", "horn 🦏", "zzz", "象 牙", "X"]


def test_duckdb_index_finds_what_a_scan_finds(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.duckdb"))
    assert isinstance(store, DuckDBStore)
    texts = _corpus(600, seed=3)
    store.add([m.Post(id=k, platform="wechat", text=v) for k, v in texts.items()])
    for query in _queries(texts, seed=4):
        indexed = store.text_search("posts", "id", ["text"], query, limit=1000)
        scanned = Store.text_search(store, "posts", "id", ["text"], query, limit=1000)
        truth = sorted(k for k, v in texts.items() if all(t in v.lower() for t in query.lower().split()))
        assert sorted(indexed) == sorted(scanned) == truth, query
    store.close()


def test_duckdb_index_is_kept_up_to_date(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.duckdb"))
    assert isinstance(store, DuckDBStore)
    store.add([m.Post(id=f"p{i}", platform="wechat", text=f"象牙 {i}") for i in range(5)])
    assert store.refresh_search_index("posts") == 5
    assert store.refresh_search_index("posts") == 0
    store.add([m.Post(id="p9", platform="wechat", text="象牙 new")])
    assert store.text_search("posts", "id", ["text"], "new") == ["p9"]  # indexed before searching
    assert store.refresh_search_index() == 0
    assert store.query("SELECT count(*) AS n FROM search_docs__posts")[0]["n"] == 6
    store.execute("DELETE FROM posts WHERE id IN ('p0', 'p1')")
    store.add([m.Post(id="p10", platform="wechat", text="象牙 newer")])
    assert store.text_search("posts", "id", ["text"], "象牙") == ["p2", "p3", "p4", "p9", "p10"]
    assert store.query("SELECT count(*) AS n FROM search_docs__posts")[0]["n"] == 5  # gone rows dropped
    store.close()


@pytest.mark.parametrize("backend_store", ["postgres"], indirect=True)
def test_postgres_searches_through_a_trigram_index(backend_store: Store) -> None:
    texts = _corpus(300, seed=5)
    backend_store.add([m.Post(id=k, platform="wechat", text=v) for k, v in texts.items()])
    assert backend_store.refresh_search_index() == 0  # made ahead of the first search; PostgreSQL keeps it
    indexes = [r["indexdef"] for r in backend_store.query("SELECT indexdef FROM pg_indexes WHERE tablename = 'posts'")]
    assert any("gin_trgm_ops" in d for d in indexes)
    con = backend_store.connection  # type: ignore[attr-defined]
    con.execute("SET enable_seqscan = off")
    plan = "\n".join(r["QUERY PLAN"] for r in con.execute(
        "EXPLAIN SELECT id FROM posts WHERE lower(COALESCE(CAST(text AS TEXT), '')) LIKE '%穿山甲%'").fetchall())
    assert "search_trgm_" in plan, plan
    for query in _queries(texts, seed=6):  # the same rows as a plain reading of the texts
        truth = sorted(k for k, v in texts.items() if all(t in v.lower() for t in query.lower().split()))
        assert sorted(backend_store.text_search("posts", "id", ["text"], query, limit=1000)) == truth, query
