"""One DuckDB file, several processes: the workbench holds it only while it works, a command waits for it and
then says in one line who holds it, and a command never creates a store that it was only to read."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from wildtrace.api import create_app
from wildtrace.config import load_settings
from wildtrace.store import Store, StoreBusy, StoreMissing, open_store

HOLD = "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(60)"


@contextmanager
def held_elsewhere(path: Path) -> Iterator[None]:
    """Another process holding the DuckDB file."""
    child = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        yield
    finally:
        child.kill()
        child.wait()


def _wait_closed(store: Store, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while store.is_open:  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, "the idle store kept its file"
        time.sleep(0.05)


def _cli(*args: str, wait: str = "0.5") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WILDTRACE_STORE_WAIT": wait}
    return subprocess.run([sys.executable, "-m", "wildtrace.cli.main", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def test_a_store_opened_per_unit_of_work_lets_another_process_in_between(tmp_path: Path) -> None:
    path = tmp_path / "shared.duckdb"
    server = open_store(str(path), hold=False)
    server.idle_close = 0.1  # type: ignore[attr-defined]
    assert server.query("SELECT count(*) AS n FROM posts")[0]["n"] == 0
    _wait_closed(server)  # idle: the file is let go
    done = _cli("money", "alerts", "--db", str(path))
    assert done.returncode == 0, done.stderr
    with server.session():  # in use: another process waits, then gives up naming the store
        busy = _cli("money", "alerts", "--db", str(path))
    assert busy.returncode == 1
    lines = busy.stderr.strip().splitlines()
    assert lines[-1].startswith("error: the store") and "in use by another process" in lines[-1], busy.stderr
    assert "Traceback" not in busy.stderr
    server.close()


def test_the_workbench_answers_503_while_a_command_holds_the_file_and_recovers(tmp_path: Path) -> None:
    path = tmp_path / "shared.duckdb"
    open_store(str(path)).close()
    server = open_store(str(path), hold=False, wait=0.3)
    server.idle_close = 0.05  # type: ignore[attr-defined]
    client = TestClient(create_app(server, load_settings(db=str(path), data_dir=str(tmp_path / "data"))))
    assert client.get("/login").status_code == 200  # opens the file and lets it go
    _wait_closed(server)
    with held_elsewhere(path):
        with pytest.raises(StoreBusy, match="in use by another process"), server.session():
            pass
        refused = client.get("/login")
        assert refused.status_code == 503 and "try again" in refused.json()["reason"]
    assert client.get("/login").status_code == 200
    server.close()


def test_a_command_on_a_missing_store_says_so_in_one_line_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "wildtrace.duckdb"
    done = _cli("link", "top", "--db", str(path))
    assert done.returncode == 1 and not path.exists()
    assert done.stderr.strip().splitlines() == [f"error: there is no store at {path}: name one with --db or "
                                                "WILDTRACE_DB, or make one with `wildtrace ingest` or `wildtrace demo`"]
    with pytest.raises(StoreMissing):
        open_store(str(path), create=False)
