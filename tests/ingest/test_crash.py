"""Crash safety: a real process killed with SIGKILL mid-ingest loses nothing it acknowledged, leaves
no half-written record, and a re-run completes the batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.ingest.conftest import post, write_jsonl
from wildtrace.ingest import ingest_records, read_quarantine
from wildtrace.model import Post
from wildtrace.store import open_store

ROOT = Path(__file__).resolve().parents[2]
TOTAL, CHUNK, BAD_EVERY = 3000, 100, 97

# The child acknowledges each committed chunk on stdout. With HANG_AT set it stops inside the
# transaction of the chunk after that many records (entities inserted, checkpoint not yet committed).
CHILD = textwrap.dedent("""
    import sys, time
    import wildtrace.ingest._run as run
    from wildtrace.store import open_store
    db, source, data, hang_at = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    save = run._save_checkpoint
    def slow_save(store, result, done):
        if hang_at and result.read > hang_at and not done:
            print("inside", flush=True)
            time.sleep(600)
        save(store, result, done)
    run._save_checkpoint = slow_save
    with open_store(db) as store:
        run.ingest_records(store, source, data_dir=data, chunk_size=int(sys.argv[5]), columnar=sys.argv[6] == "1",
                           progress=lambda n: print("ack", n, flush=True))
    print("finished", flush=True)
""")


def _records() -> list[object]:
    return [("{not json" if i % BAD_EVERY == 0 else post(i, text=f"record {i} " + "象" * (i % 50)))
            for i in range(TOTAL)]


def _kill_after(tmp_path: Path, hang_at: int, wait_for: str, columnar: bool) -> int:
    """Start the child, SIGKILL it once it prints ``wait_for``; return the last acknowledged count."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path / "db.duckdb"), str(tmp_path / "in.jsonl"), str(tmp_path / "d"),
         str(hang_at), str(CHUNK), "1" if columnar else "0"], stdout=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    acked = 0
    assert child.stdout is not None
    for line in child.stdout:
        if line.startswith("ack"):
            acked = int(line.split()[1])
        if line.startswith(wait_for):
            break
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    return acked


def _check_complete_records(tmp_path: Path, expected: dict[str, dict]) -> int:
    with open_store(str(tmp_path / "db.duckdb")) as store:
        stored = store.find(Post)
        for p in stored:
            source = expected[p.id]
            assert p.text == source["text"] and p.posted_at.isoformat() == source["posted_at"], p.id
            assert p.content_hash
        return len(stored)


def _expected(records: list[object]) -> dict[str, dict]:
    return {r["id"]: r for r in records if isinstance(r, dict)}


@pytest.mark.parametrize("columnar", [True, False], ids=["columnar", "per-record"])
def test_sigkill_inside_a_transaction_loses_nothing_acknowledged(tmp_path: Path, columnar: bool) -> None:
    records = _records()
    write_jsonl(tmp_path / "in.jsonl", records)
    acked = _kill_after(tmp_path, hang_at=1000, wait_for="inside", columnar=columnar)
    assert acked == 1000
    good_acked = sum(1 for r in records[:acked] if isinstance(r, dict))
    # exactly the acknowledged chunks are there, whole; the chunk in flight left nothing
    assert _check_complete_records(tmp_path, _expected(records)) == good_acked
    _rerun_completes(tmp_path, records)


@pytest.mark.parametrize("columnar", [True, False], ids=["columnar", "per-record"])
def test_sigkill_at_an_arbitrary_point_then_rerun_completes(tmp_path: Path, columnar: bool) -> None:
    records = _records()
    write_jsonl(tmp_path / "in.jsonl", records)
    acked = _kill_after(tmp_path, hang_at=0, wait_for="ack", columnar=columnar)
    good_acked = sum(1 for r in records[:acked] if isinstance(r, dict))
    assert _check_complete_records(tmp_path, _expected(records)) >= good_acked
    _rerun_completes(tmp_path, records)


def _rerun_completes(tmp_path: Path, records: list[object]) -> None:
    good = _expected(records)
    with open_store(str(tmp_path / "db.duckdb")) as store:
        result = ingest_records(store, tmp_path / "in.jsonl", data_dir=tmp_path / "d", chunk_size=CHUNK)
        assert result.read == TOTAL and result.added + result.duplicates == len(good)
        assert result.quarantined == TOTAL - len(good)
        assert store.count(Post) == len(good)
    assert _check_complete_records(tmp_path, good) == len(good)
    quarantined = read_quarantine(result.quarantine_path)
    lines = [e["line"] for e in quarantined]
    assert sorted(lines) == [i + 1 for i in range(TOTAL) if i % BAD_EVERY == 0]  # each bad record once


def test_a_run_resumed_with_another_chunk_size_completes_the_batch(tmp_path: Path) -> None:
    """The columnar chunks of the second run do not fall on the first run's boundaries."""
    records = _records()[:500]
    write_jsonl(tmp_path / "in.jsonl", records)

    def crash(done: int) -> None:
        if done >= 200:
            raise RuntimeError("killed")

    with open_store(str(tmp_path / "db.duckdb")) as store:
        with pytest.raises(RuntimeError):
            ingest_records(store, tmp_path / "in.jsonl", data_dir=tmp_path / "d", chunk_size=100, progress=crash)
        result = ingest_records(store, tmp_path / "in.jsonl", data_dir=tmp_path / "d", chunk_size=150)
        assert result.resumed_at == 200 and result.read == 500
        good = _expected(records)
        assert store.count(Post) == len(good) and result.added + result.duplicates == len(good)
        assert result.quarantined == len(records) - len(good)
    assert _check_complete_records(tmp_path, good) == len(good)
