"""The frame's DuckDB connection is capped by the money memory settings and spills where they say."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from wildtrace.money import open_frame


def _shown(limit: str) -> str:
    """``limit`` as DuckDB reports it back."""
    con = duckdb.connect()
    con.execute("SET memory_limit = ?", [limit])
    return str(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])  # type: ignore[index]


def _setting(con: duckdb.DuckDBPyConnection, name: str) -> str:
    return str(con.execute(f"SELECT current_setting('{name}')").fetchone()[0])  # type: ignore[index]


@pytest.fixture
def payments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("WILDTRACE_MONEY_MEMORY_LIMIT", "WILDTRACE_MONEY_SPILL_DIR", "WILDTRACE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "tx.csv"
    path.write_text("id,time,payer,payee,amount\nt1,2025-03-03T10:00:00+08:00,wallet:a,wallet:b,12.5\n")
    return path


def test_memory_limit_and_spill_dir_come_from_the_settings(payments: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WILDTRACE_MONEY_MEMORY_LIMIT", "300MB")
    monkeypatch.setenv("WILDTRACE_MONEY_SPILL_DIR", str(tmp_path / "spill"))
    frame = open_frame(transactions=payments)
    assert _setting(frame.con, "memory_limit") == _shown("300MB")
    assert _setting(frame.con, "temp_directory") == str(tmp_path / "spill")
    assert frame.counts["mx_tx"] == 1


def test_default_memory_limit_is_a_quarter_of_ram(payments: Path) -> None:
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    frame = open_frame(transactions=payments)
    assert _setting(frame.con, "memory_limit") == _shown(f"{ram // 4 >> 20}MB")
    assert _setting(frame.con, "temp_directory").endswith("wildtrace-spill")


def test_a_store_connection_gets_its_settings_back_after_the_money_stage(payments: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from wildtrace.money import analyse
    from wildtrace.store import open_store

    monkeypatch.setenv("WILDTRACE_MONEY_MEMORY_LIMIT", "300MB")
    store = open_store(str(tmp_path / "w.duckdb"))
    con = store.connection  # type: ignore[attr-defined]
    before = _setting(con, "memory_limit")
    assert before != _shown("300MB")
    result = analyse(store, transactions=payments)
    assert result.counts["transactions"] == 1
    assert _setting(con, "memory_limit") == before
    assert not con.execute("SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, 'mx_')").fetchall()
