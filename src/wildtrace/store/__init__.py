"""Storage behind one narrow interface: DuckDB by default, PostgreSQL for a team server.

>>> from wildtrace.store import open_store
>>> store = open_store(":memory:")
>>> store.schema_version() > 0
True
"""

from __future__ import annotations

from wildtrace.store._base import Store, migration_files
from wildtrace.store._duckdb import DuckDBStore
from wildtrace.store._rows import columns, from_row, to_row

__all__ = ["DuckDBStore", "Store", "columns", "from_row", "migration_files", "open_store", "to_row"]


def open_store(url: str, migrate: bool = True) -> Store:
    """Open the store at ``url`` (a DuckDB path, ``:memory:`` or ``postgresql://...``) and migrate it."""
    store: Store
    if url.startswith(("postgresql://", "postgres://")):
        try:
            from wildtrace.store._postgres import PostgresStore
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise ImportError("the PostgreSQL store needs psycopg: pip install 'psycopg[binary]'") from exc
        store = PostgresStore(url)
    else:
        store = DuckDBStore(url)
    if migrate:
        store.migrate()
    return store
