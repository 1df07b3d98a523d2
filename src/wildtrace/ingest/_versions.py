"""Records whose key is already stored with other content: kept as versions, or quarantined as conflicts.

The stored row is never replaced by ingest. A record with the same key and the same content (the file
it came from aside) is a duplicate; with other content it is kept in ``record_versions`` (default) or
quarantined as a conflict (``on_conflict="quarantine"``), and either way counted and reported.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from wildtrace.model import Entity, content_hash
from wildtrace.store import Store
from wildtrace.store._rows import from_row, to_row

ON_CONFLICT = ("version", "quarantine")
# where it was read, and what a source may say about a post only since 0112 (a post stored before has NULL there:
# read again it is the same post, not a version)
_NOT_CONTENT = frozenset({"source", "venue", "forwarded_from", "reply_to"})
_PER_QUERY = 500


def content_of(row: dict[str, Any]) -> dict[str, Any]:
    """What two rows with one key must share to be the same record: every column but where it was read."""
    return {k: v for k, v in row.items() if k not in _NOT_CONTENT}


def stored_rows(store: Store, model: type[Entity], keys: Sequence[tuple[Any, ...]]) -> dict[tuple[Any, ...], dict]:
    """The stored rows (as :func:`to_row` makes them) of ``model`` whose key is among ``keys``."""
    found: dict[tuple[Any, ...], dict] = {}
    names = ", ".join(f'"{k}"' for k in model.__key__)
    one = "(" + ", ".join("?" * len(model.__key__)) + ")"
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), _PER_QUERY):
        part = unique[start:start + _PER_QUERY]
        rows = store.query(f"SELECT * FROM {model.__table__} WHERE ({names}) IN ({', '.join([one] * len(part))})",
                           [v for key in part for v in key])
        for row in rows:
            entity = from_row(model, row)
            found[entity.key()] = to_row(entity)
    return found


def split_conflicts(store: Store, entities: list[Entity]) -> tuple[list[int], dict[int, list[str]]]:
    """(indexes of entities that are new or duplicates, {index: differing columns} of conflicting ones)."""
    if not entities:
        return [], {}
    known = stored_rows(store, type(entities[0]), [e.key() for e in entities])
    plain: list[int] = []
    conflicts: dict[int, list[str]] = {}
    for i, entity in enumerate(entities):
        row = content_of(to_row(entity))
        before = known.setdefault(entity.key(), row)
        before = content_of(before)
        differs = sorted(k for k in row if row[k] != before.get(k))
        if differs:
            conflicts[i] = differs
        else:
            plain.append(i)
    return plain, conflicts


def keep_versions(store: Store, batch: str, versions: list[tuple[Entity, list[str], str, int]]) -> int:
    """Keep ``(entity, differing columns, source, line)`` as versions of the stored rows; return how many were new."""
    if not versions:
        return 0
    now = datetime.now(UTC)
    rows = [{"entity": type(e).__name__, "key": json.dumps(e.key(), default=str, ensure_ascii=False),
             "fingerprint": content_hash(content_of(to_row(e))), "record": e.model_dump_json(),
             "differs": json.dumps(differs), "source": source, "line": line, "batch": batch, "ingested_at": now}
            for e, differs, source, line in versions]
    cols = list(rows[0])
    return store.insert_rows("record_versions", rows, cols, ["entity", "key", "fingerprint"])


def versions_of(store: Store, model: type[Entity], *key: Any) -> list[Entity]:
    """The versions of a stored record that ingest kept, in the order they came (the stored row not included)."""
    rows = store.query("SELECT record FROM record_versions WHERE entity = ? AND key = ? ORDER BY ingested_at, line",
                       (model.__name__, json.dumps(list(key), default=str, ensure_ascii=False)))
    return [model.model_validate_json(r["record"]) for r in rows]
