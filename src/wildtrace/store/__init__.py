"""Storage behind one narrow interface: DuckDB by default, PostgreSQL for a team server.

>>> from wildtrace.store import open_store
>>> store = open_store(":memory:")
>>> store.schema_version() > 0
True
"""

from __future__ import annotations

from pathlib import Path

from wildtrace.store._base import (
    Store,
    StoreBusy,
    StoreMissing,
    migration_files,
    released_migrations,
)
from wildtrace.store._duckdb import DuckDBStore
from wildtrace.store._rows import columns, from_row, to_row
from wildtrace.store._search import search_terms

__all__ = [
    "DuckDBStore",
    "Store",
    "StoreBusy",
    "StoreMissing",
    "columns",
    "from_row",
    "is_postgres",
    "migration_files",
    "open_store",
    "released_migrations",
    "search_terms",
    "store_exists",
    "to_row",
]


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def store_exists(url: str) -> bool:
    """Whether there is a store at ``url`` (a PostgreSQL URL is taken to name one: connecting tells)."""
    return url == ":memory:" or is_postgres(url) or Path(url).is_file()


def open_store(url: str, migrate: bool = True, *, create: bool = True, hold: bool = True, wait: float = 30.0
               ) -> Store:
    """Open the store at ``url`` (a DuckDB path, ``:memory:`` or ``postgresql://...``) and migrate it.

    ``create=False`` refuses (``StoreMissing``) where there is none. ``hold=False`` opens a DuckDB file only for
    each unit of work (``store.session()``), so that other processes can use it in between (the workbench).
    Where another process holds a DuckDB file, wait up to ``wait`` seconds, then raise ``StoreBusy``."""
    if not create and not store_exists(url):
        raise StoreMissing(f"there is no store at {url}: name one with --db or WILDTRACE_DB, or make one with "
                           "`wildtrace ingest` or `wildtrace demo`")
    store: Store
    if is_postgres(url):
        try:
            from wildtrace.store._postgres import PostgresStore
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError("the PostgreSQL store needs psycopg: pip install 'psycopg[binary]'") from exc
        store = PostgresStore(url)
    else:
        store = DuckDBStore(url, hold=hold, wait=wait)
    if migrate:
        store.migrate()
    return store
