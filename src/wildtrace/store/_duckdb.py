"""The embedded default: one DuckDB file, nothing to start."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from wildtrace.store._base import Store


class DuckDBStore(Store):
    """A store in one DuckDB file (or ``:memory:``). Safe to share between threads: each thread
    gets its own cursor on the one connection."""

    def __init__(self, path: str | Path) -> None:
        self.url = str(path)
        if self.url != ":memory:":
            Path(self.url).parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(self.url)
        self._con.execute("SET TimeZone = 'UTC'").fetchall()
        self._local = threading.local()

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """This thread's DuckDB cursor, for analytic code that wants DuckDB itself (e.g. Splink)."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = self._con.cursor()
            cur.execute("SET TimeZone = 'UTC'").fetchall()
        return cur

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.connection.execute(sql, list(params)).fetchall()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.connection.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _load(self, rows: list[dict[str, Any]], cols: Sequence[str]) -> pa.Table:
        return pa.Table.from_pylist([{c: r.get(c) for c in cols} for r in rows])

    def insert_rows(self, table: str, rows: list[dict[str, Any]], cols: Sequence[str],
                    key: Sequence[str]) -> int:
        if not rows:
            return 0
        con = self.connection
        before = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        staged = self._load(rows, cols)
        names = ", ".join(f'"{c}"' for c in cols)
        con.register("_wt_staged", staged)
        try:
            con.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM _wt_staged ON CONFLICT DO NOTHING"
            ).fetchall()
        finally:
            con.unregister("_wt_staged")
        after = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
        return int(after - before)

    def upsert_rows(self, table: str, rows: list[dict[str, Any]], cols: Sequence[str],
                    key: Sequence[str]) -> None:
        if not rows:
            return
        con = self.connection
        names = ", ".join(f'"{c}"' for c in cols)
        keys = ", ".join(f'"{k}"' for k in key)
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in cols if c not in key)
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        con.register("_wt_staged", self._load(rows, cols))
        try:
            con.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM _wt_staged ON CONFLICT ({keys}) {action}"
            ).fetchall()
        finally:
            con.unregister("_wt_staged")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        con = self.connection
        con.execute("BEGIN TRANSACTION").fetchall()
        try:
            yield
        except BaseException:
            con.execute("ROLLBACK").fetchall()
            raise
        con.execute("COMMIT").fetchall()

    def close(self) -> None:
        self._con.close()
