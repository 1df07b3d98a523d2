"""The narrow interface every store backend implements."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from typing import Any, TypeVar

from wildtrace.log import get_logger
from wildtrace.model import Entity
from wildtrace.store._rows import columns, from_row, to_row
from wildtrace.store._search import bm25, idf, like_pattern, occurrences, quoted, search_terms, text_of

E = TypeVar("E", bound=Entity)
log = get_logger(__name__)
_MIGRATION = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def migration_files() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every packaged migration, in order."""
    found = []
    for item in resources.files("wildtrace.store.migrations").iterdir():
        match = _MIGRATION.match(item.name)
        if match:
            found.append((int(match.group(1)), match.group(2), item.read_text(encoding="utf-8")))
    versions = [v for v, _, _ in found]
    if len(versions) != len(set(versions)):
        raise RuntimeError(f"two migrations share a version number: {sorted(versions)}")
    return sorted(found)


def split_statements(sql: str) -> list[str]:
    """Split a migration into statements (no semicolons inside literals in our migrations)."""
    body = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [s.strip() for s in body.split(";") if s.strip()]


class StoreBusy(TimeoutError):
    """Another process holds the store's file for longer than this one would wait."""


class StoreMissing(FileNotFoundError):
    """There is no store where one was named (and it was not to be created)."""


class Store(ABC):
    """A WildTrace store. SQL uses ``?`` placeholders; backends translate where they must.

    Stages use the entity methods (``put``, ``get``, ``find``) for the domain model and ``query`` /
    ``execute`` for their own analytic SQL, written in the dialect DuckDB and PostgreSQL share.
    """

    url: str

    # -- the backend's handful of primitives -----------------------------------------------------
    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    @abstractmethod
    def query(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]: ...

    @abstractmethod
    def insert_rows(self, table: str, rows: list[dict[str, Any]], cols: Sequence[str],
                    key: Sequence[str]) -> int:
        """Insert rows, skipping those whose key exists (in the table or earlier in ``rows``);
        return how many were new."""

    @abstractmethod
    def upsert_rows(self, table: str, rows: list[dict[str, Any]], cols: Sequence[str],
                    key: Sequence[str]) -> None:
        """Insert rows, replacing those whose key exists."""

    @abstractmethod
    @contextmanager
    def transaction(self) -> Iterator[None]: ...

    @abstractmethod
    def close(self) -> None: ...

    @contextmanager
    def session(self) -> Iterator[None]:
        """Keep the store open for one unit of work (a request)."""
        self.enter()
        try:
            yield
        finally:
            self.leave()

    def enter(self, wait: bool = True) -> bool:
        """Begin a unit of work (``session()`` in two halves, for an async server). ``wait=False``: begin only
        if that needs no waiting (no file to open) and say whether it began. Stores that stay open need nothing."""
        return True

    def leave(self) -> None:  # noqa: B027 - nothing to end for stores that stay open
        """End a unit of work begun by :meth:`enter`."""

    # -- built on the primitives -----------------------------------------------------------------
    def migrate(self, only: Iterable[int] | None = None) -> list[int]:
        """Apply pending migrations in order (``only``: those of these versions, e.g. a release's), each in its
        own transaction; return those applied."""
        self.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)"
        )
        done = {r["version"] for r in self.query("SELECT version FROM schema_migrations")}
        wanted = None if only is None else set(only)
        applied = []
        for version, name, sql in migration_files():
            if version in done or (wanted is not None and version not in wanted):
                continue
            with self.transaction():
                for statement in split_statements(sql):
                    self.execute(statement)
                self.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, CURRENT_TIMESTAMP)", (version, name)
                )
            log.debug("applied migration %04d_%s", version, name)
            applied.append(version)
        return applied

    def pending_migrations(self) -> list[int]:
        """Versions of this release's migrations that the store lacks (a store made by an earlier release)."""
        try:
            done = {r["version"] for r in self.query("SELECT version FROM schema_migrations")}
        except Exception:  # no migrations table: a new, empty store
            done = set()
        return [v for v, _, _ in migration_files() if v not in done]

    def schema_version(self) -> int:
        rows = self.query("SELECT max(version) AS v FROM schema_migrations")
        return int(rows[0]["v"] or 0)

    def add(self, entities: Iterable[Entity]) -> int:
        """Insert entities that are not stored yet (by key); return how many were new."""
        return sum(self.insert_rows(t, rows, cols, key) for (t, rows, cols), key in _grouped(entities))

    def put(self, entities: Iterable[Entity]) -> None:
        """Insert or replace entities by key."""
        for (table, rows, cols), key in _grouped(entities):
            self.upsert_rows(table, rows, cols, key)

    def get(self, model: type[E], *key: Any) -> E | None:
        where = " AND ".join(f"{quoted(k)} = ?" for k in model.__key__)
        rows = self.query(f"SELECT * FROM {model.__table__} WHERE {where}", key)
        return from_row(model, rows[0]) if rows else None  # type: ignore[return-value]

    def get_many(self, model: type[E], keys: Iterable[Any], chunk: int = 500) -> dict[Any, E]:
        """The stored entities of a model with a one-column key whose key is among ``keys``, by key; a query
        per ``chunk`` keys instead of one per key."""
        (column,) = model.__key__
        wanted = list(dict.fromkeys(keys))
        found: dict[Any, E] = {}
        for i in range(0, len(wanted), chunk):
            part = wanted[i:i + chunk]
            for e in self.find(model, f"{quoted(column)} IN ({', '.join('?' * len(part))})", part):
                found[getattr(e, column)] = e
        return found

    def find(self, model: type[E], where: str = "", params: Sequence[Any] = (), order_by: str = "",
             limit: int | None = None, offset: int = 0) -> list[E]:
        sql = f"SELECT * FROM {model.__table__}"
        if where:
            sql += f" WHERE {where}"
        sql += f" ORDER BY {order_by or ', '.join(quoted(k) for k in model.__key__)}"
        if limit is not None:
            sql += f" LIMIT {int(limit)} OFFSET {int(offset)}"
        return [from_row(model, r) for r in self.query(sql, params)]  # type: ignore[misc]

    def count(self, model: type[Entity], where: str = "", params: Sequence[Any] = ()) -> int:
        sql = f"SELECT count(*) AS n FROM {model.__table__}" + (f" WHERE {where}" if where else "")
        return int(self.query(sql, params)[0]["n"])

    def text_search(self, table: str, key: str, columns: Sequence[str], query: str, limit: int = 50) -> list[Any]:
        """The distinct keys of the rows of ``table`` that hold every term of ``query`` (split on white space; any
        script, case folded, anywhere in the text of ``columns``), best first by BM25 (``_search``), then by key.

        Here by a LIKE per term: a scan on DuckDB, a trigram index on PostgreSQL (``_prepare_search``). A DuckDB
        store searches posts and accounts through its own n-gram index instead."""
        terms = search_terms(query)
        if not terms:
            return []
        self._prepare_search(table, columns)
        text = text_of(columns)
        where = " AND ".join(f"{text} LIKE ? ESCAPE '\\'" for _ in terms)
        weights = ["1.0"] if len(terms) == 1 else self._idfs(table, text, terms)
        tfs = ", ".join(f"{occurrences(text)} AS tf{i}" for i in range(len(terms)))
        score = bm25([f"tf{i}" for i in range(len(terms))], weights, "len", "avg_len")
        rows = self.query(f"SELECT k, max({score}) AS score FROM (SELECT {quoted(key)} AS k, {tfs}, length({text}) AS "
                          f"len, avg(length({text})) OVER () AS avg_len FROM {table} WHERE {where}) s GROUP BY k "
                          f"ORDER BY score DESC, k LIMIT {int(limit)}",
                          [t for t in terms for _ in (1, 2)] + [like_pattern(t) for t in terms])
        return [r["k"] for r in rows]

    def _idfs(self, table: str, text: str, terms: list[str]) -> list[str]:
        """The inverse document frequency of each term among the rows of ``table``."""
        counts = ", ".join(f"count(*) FILTER (WHERE {text} LIKE ? ESCAPE '\\') AS d{i}" for i in range(len(terms)))
        anyone = " OR ".join(f"{text} LIKE ? ESCAPE '\\'" for _ in terms)
        row = self.query(f"SELECT {counts} FROM {table} WHERE {anyone}", [like_pattern(t) for t in terms] * 2)[0]
        n_rows = self._row_count(table)
        return [idf(str(n_rows), str(int(row[f"d{i}"]))) for i in range(len(terms))]

    def _row_count(self, table: str) -> int:
        return int(self.query(f"SELECT count(*) AS n FROM {table}")[0]["n"])

    def refresh_search_index(self, *tables: str) -> int:
        """Bring the full-text index a store keeps itself up to date for ``tables`` (default: all), ahead of the
        next search; return how many rows were indexed. Nothing to do where the database keeps its indexes."""
        return 0

    def _prepare_search(self, table: str, columns: Sequence[str]) -> None:  # noqa: B027 - a scan needs nothing
        """Make searching ``columns`` of ``table`` fast where the backend can (an index)."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _grouped(entities: Iterable[Entity]) -> list[tuple[tuple[str, list[dict[str, Any]], list[str]], list[str]]]:
    """Rows of ``entities`` grouped by table: ((table, rows, columns), key columns)."""
    groups: dict[type[Entity], list[dict[str, Any]]] = {}
    for entity in entities:
        groups.setdefault(type(entity), []).append(to_row(entity))
    return [((m.__table__, rows, columns(m)), list(m.__key__)) for m, rows in groups.items()]


def released_migrations() -> dict[str, dict[str, str]]:
    """Per release, the migrations it shipped (``NNNN_name``) and the SHA-256 of each (``store/releases.yaml``)."""
    import yaml

    data = yaml.safe_load(resources.files("wildtrace.store").joinpath("releases.yaml").read_text(encoding="utf-8"))
    return {str(r["release"]): {str(k): str(v) for k, v in r["migrations"].items()} for r in data["releases"]}
