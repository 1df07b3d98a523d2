"""PostgreSQL store for a team server (psycopg 3). Same migrations and behaviour as DuckDB."""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.rows import dict_row

from wildtrace.log import get_logger
from wildtrace.store._base import Store
from wildtrace.store._search import INDEXED, text_of

log = get_logger(__name__)

_PLACEHOLDER = re.compile(r"\?")


def to_pyformat(sql: str) -> str:
    """Translate the store's ``?`` placeholders to psycopg's ``%s`` (escaping literal ``%``)."""
    return _PLACEHOLDER.sub("%s", sql.replace("%", "%%"))


class PostgresStore(Store):
    """A store in a PostgreSQL database. Each thread gets its own connection, so the workbench
    can serve several users at once."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._local = threading.local()
        self._all: list[psycopg.Connection] = []
        self._lock = threading.Lock()
        self._searchable: set[tuple[str, tuple[str, ...]]] = set()
        self.connection  # noqa: B018 - connect now, so a wrong URL fails at open

    @property
    def connection(self) -> psycopg.Connection:
        con = getattr(self._local, "con", None)
        if con is None or con.closed:
            con = psycopg.connect(self.url, autocommit=True, row_factory=dict_row)
            con.execute("SET TIME ZONE 'UTC'")
            self._local.con = con
            with self._lock:
                self._all.append(con)
        return con

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.connection.execute(to_pyformat(sql), list(params))  # type: ignore[arg-type]

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        cur = self.connection.execute(to_pyformat(sql), list(params))  # type: ignore[arg-type]
        return list(cur.fetchall()) if cur.description else []  # type: ignore[arg-type]

    def _stage(self, table: str, rows: list[dict[str, Any]], cols: Sequence[str]) -> str:
        staged = f"_wt_staged_{table}"
        names = ", ".join(f'"{c}"' for c in cols)
        con = self.connection
        con.execute(f"CREATE TEMP TABLE IF NOT EXISTS {staged} (LIKE {table} INCLUDING DEFAULTS)")  # type: ignore[arg-type]
        con.execute(f"TRUNCATE {staged}")  # type: ignore[arg-type]
        with con.cursor().copy(f"COPY {staged} ({names}) FROM STDIN") as copy:  # type: ignore[arg-type]
            for row in rows:
                copy.write_row([row.get(c) for c in cols])
        return staged

    def insert_rows(self, table: str, rows: list[dict[str, Any]], cols: Sequence[str],
                    key: Sequence[str]) -> int:
        if not rows:
            return 0
        names = ", ".join(f'"{c}"' for c in cols)
        keys = ", ".join(f'"{k}"' for k in key)
        with self.transaction():
            staged = self._stage(table, rows, cols)
            cur = self.connection.execute(
                f"INSERT INTO {table} ({names}) SELECT DISTINCT ON ({keys}) {names} FROM {staged} "  # type: ignore[arg-type]
                "ON CONFLICT DO NOTHING"
            )
            return cur.rowcount

    def upsert_rows(self, table: str, rows: list[dict[str, Any]], cols: Sequence[str],
                    key: Sequence[str]) -> None:
        if not rows:
            return
        names = ", ".join(f'"{c}"' for c in cols)
        keys = ", ".join(f'"{k}"' for k in key)
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in cols if c not in key)
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        with self.transaction():
            staged = self._stage(table, rows, cols)
            self.connection.execute(
                f"INSERT INTO {table} ({names}) SELECT DISTINCT ON ({keys}) {names} FROM {staged} "  # type: ignore[arg-type]
                f"ON CONFLICT ({keys}) {action}"
            )

    def _prepare_search(self, table: str, columns: Sequence[str]) -> None:
        """A trigram index (pg_trgm, GIN) on the text that ``columns`` of ``table`` are searched by, made once (ahead
        by ``refresh_search_index``, or by the first search): LIKE '%term%' then reads the index instead of the
        table, in any script under a UTF-8 locale (Chinese, Vietnamese and Thai letters are indexed). A term of two
        characters (象牙) has no trigram and emoji are not letters: such searches read every row. Without the
        extension (not installed, no right to create it) the search scans, and says so once in the log."""
        wanted = (table, tuple(columns))
        if wanted in self._searchable:
            return
        name = "search_trgm_" + hashlib.sha1(repr(wanted).encode()).hexdigest()[:12]
        try:
            self.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            self.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({text_of(columns)}) gin_trgm_ops)")
        except psycopg.Error as exc:
            log.warning("searching %s without a trigram index (%s): every search reads the table", table,
                        str(exc).strip())
        self._searchable.add(wanted)

    def refresh_search_index(self, *tables: str) -> int:
        """Make the trigram indexes of ``tables`` (default: posts and accounts) now rather than at the first search
        (PostgreSQL keeps them up to date itself); 0 rows indexed by the store."""
        for table in tables or tuple(INDEXED):
            self._prepare_search(table, INDEXED[table][1])
        return 0

    def _row_count(self, table: str) -> int:
        """The planner's estimate of the rows of ``table`` (a count only while it has none): exact enough to weigh
        terms, without reading the table."""
        rows = self.query("SELECT reltuples::bigint AS n FROM pg_class WHERE oid = to_regclass(?)", (table,))
        return int(rows[0]["n"]) if rows and rows[0]["n"] and rows[0]["n"] > 0 else super()._row_count(table)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self.connection.transaction():
            yield

    def close(self) -> None:
        with self._lock:
            for con in self._all:
                con.close()
            self._all.clear()

