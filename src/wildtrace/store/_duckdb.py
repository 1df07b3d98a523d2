"""The embedded default: one DuckDB file, nothing to start."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from wildtrace.store import _grams
from wildtrace.store._base import Store, StoreBusy
from wildtrace.store._search import INDEXED, search_terms

_HOLDER = re.compile(r"Conflicting lock is held in (.+?\(PID \d+\))")


class DuckDBStore(Store):
    """A store in one DuckDB file (or ``:memory:``). Safe to share between threads: each thread
    gets its own cursor on the one connection.

    DuckDB lets one process at a time write a file. A long-running holder (the workbench) opens the store
    with ``hold=False``: the file is opened for each unit of work (``session()``, one per request) and closed
    again after ``idle_close`` seconds without one, so that commands can use it in between. Whoever finds the
    file held by another process waits up to ``wait`` seconds, then gets ``StoreBusy`` naming the holder.
    """

    def __init__(self, path: str | Path, *, hold: bool = True, wait: float = 30.0, idle_close: float = 1.0) -> None:
        self.url = str(path)
        if self.url != ":memory:":
            Path(self.url).parent.mkdir(parents=True, exist_ok=True)
        self.hold = hold or self.url == ":memory:"
        self.wait = wait
        self.idle_close = idle_close
        self._lock = threading.RLock()
        self._users = 0
        self._idle_since = 0.0
        self._generation = 0
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._local = threading.local()
        self._closer: threading.Thread | None = None
        self._indexing = threading.Lock()
        self._con: duckdb.DuckDBPyConnection | None = self._connect() if self.hold else None

    def _connect(self) -> duckdb.DuckDBPyConnection:
        """A connection to the file, waiting while another process holds it."""
        deadline = time.monotonic() + self.wait
        delay = 0.02
        while True:
            try:
                con = duckdb.connect(self.url)
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower():
                    raise
                if time.monotonic() >= deadline:
                    holder = _HOLDER.search(str(exc))
                    raise StoreBusy(f"the store {self.url} is in use by another process"
                                    f"{f' ({holder.group(1)})' if holder else ''}; waited {self.wait:g} s") from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        con.execute("SET TimeZone = 'UTC'").fetchall()
        return con

    def enter(self, wait: bool = True) -> bool:
        with self._lock:
            if self._con is None:
                if not wait:
                    return False
                self._con = self._connect()
            self._users += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0 and not self.hold:
                self._idle_since = time.monotonic()
                if self._closer is None:
                    self._closer = threading.Thread(target=self._close_when_idle, daemon=True)
                    self._closer.start()

    def _close_when_idle(self) -> None:
        """Close the file once no unit of work has used it for ``idle_close`` seconds."""
        pause = self.idle_close
        while True:
            time.sleep(pause)
            with self._lock:
                idle = time.monotonic() - self._idle_since
                if self._con is None or (self._users == 0 and idle >= self.idle_close):
                    self._disconnect()
                    self._closer = None
                    return
                pause = self.idle_close if self._users else self.idle_close - idle

    def _disconnect(self) -> None:
        for cur in self._cursors:
            cur.close()
        self._cursors.clear()
        if self._con is not None:
            self._con.close()
            self._con = None
        self._generation += 1

    @property
    def is_open(self) -> bool:
        """Whether this process holds the file now."""
        return self._con is not None

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """This thread's DuckDB cursor, for analytic code that wants DuckDB itself (e.g. Splink). A store opened
        with ``hold=False`` hands it out only inside ``session()``."""
        with self._lock:
            if self._con is None:
                if not self.hold:
                    raise RuntimeError("the store is opened per unit of work: use it inside store.session()")
                self._con = self._connect()
            if getattr(self._local, "generation", None) != self._generation:
                self._local.cursor = self._con.cursor()
                self._local.generation = self._generation
                self._local.cursor.execute("SET TimeZone = 'UTC'").fetchall()
                self._cursors.append(self._local.cursor)
            cursor: duckdb.DuckDBPyConnection = self._local.cursor
            return cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self.session():
            self.connection.execute(sql, list(params)).fetchall()

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self.session():
            cur = self.connection.execute(sql, list(params))
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _load(self, rows: list[dict[str, Any]], cols: Sequence[str]) -> pa.Table:
        return pa.Table.from_pylist([{c: r.get(c) for c in cols} for r in rows])

    def insert_rows(self, table: str, rows: list[dict[str, Any]], cols: Sequence[str],
                    key: Sequence[str]) -> int:
        if not rows:
            return 0
        with self.session():
            return self._insert(table, rows, cols)

    def _insert(self, table: str, rows: list[dict[str, Any]], cols: Sequence[str]) -> int:
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
        with self.session():
            self._upsert(table, rows, cols, key)
            if table in INDEXED:
                _grams.forget(self.connection, table, [r.get(key[0]) for r in rows])

    def _upsert(self, table: str, rows: list[dict[str, Any]], cols: Sequence[str], key: Sequence[str]) -> None:
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

    def text_search(self, table: str, key: str, columns: Sequence[str], query: str, limit: int = 50) -> list[Any]:
        """As :meth:`Store.text_search`; posts and accounts through the store's n-gram index (``_grams``)."""
        terms = search_terms(query)
        if not terms or not _grams.indexed(table, key, columns):
            return super().text_search(table, key, columns, query, limit)
        with self.session():
            if _grams.stale(self.connection, table):
                self.refresh_search_index(table)
            found = _grams.search(self.connection, table, terms, limit)
        return super().text_search(table, key, columns, query, limit) if found is None else found

    def refresh_search_index(self, *tables: str) -> int:
        """Index for search the rows of ``tables`` (default: every indexed table) added since the last search;
        return how many. A search does it first when the index is behind; the pipeline does it after ingest."""
        added = 0
        with self._indexing, self.transaction():
            for table in tables or tuple(INDEXED):
                added += _grams.refresh(self.connection, table)
        return added

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.session():
            con = self.connection
            con.execute("BEGIN TRANSACTION").fetchall()
            try:
                yield
            except BaseException:
                con.execute("ROLLBACK").fetchall()
                raise
            con.execute("COMMIT").fetchall()

    def close(self) -> None:
        with self._lock:
            self._disconnect()
