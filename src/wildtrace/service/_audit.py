"""The append-only audit log: every view of personal data, every decision, every export.

Each event's hash covers its content and the hash of the event before (``wildtrace.evidence.chain``, the
same chaining as the capture log), so removing or editing an entry breaks the chain (``verify_audit``).
Appends are group-committed: the events that threads of one process record while a write is under way are
written together by the next one (one read of the head, one insert, one check, in one transaction), and each
``record`` returns once its own event is stored, so nothing waits in memory to be lost. Writers on several
processes race for the next ``seq``; the loser of a race (a ``seq`` taken) rolls back and tries again on the
new head.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from wildtrace.evidence.chain import GENESIS, link_hash, verify_chain
from wildtrace.model import AuditEvent
from wildtrace.store import Store, columns, to_row

_ATTEMPTS = 50
_COLUMNS = columns(AuditEvent)
_HEAD = "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1"
_written = threading.Condition()
_waiting: dict[int, list[_Pending]] = {}  # per store (by id): events recorded while a write is under way
_writing: set[int] = set()


@dataclass
class _Pending:
    """An event waiting for its batch; ``event`` (or ``error``) once the batch was written."""

    fields: dict[str, Any]
    event: AuditEvent | None = None
    error: BaseException | None = field(default=None, repr=False)

    @property
    def done(self) -> bool:
        return self.event is not None or self.error is not None


class _LostRace(Exception):
    """Another process took a ``seq`` of the batch: roll back, read the new head, try again."""


def _payload(event: AuditEvent) -> dict[str, Any]:
    return event.model_dump(mode="json", exclude={"hash", "prev_hash"})


def record(store: Store, actor: str, action: str, object_kind: str = "", object_id: str = "",
           detail: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event to the log (with the others recorded meanwhile) and return it once stored."""
    mine = _Pending({"occurred_at": datetime.now(UTC), "actor": actor, "action": action,
                     "object_kind": object_kind, "object_id": object_id, "detail": detail or {}})
    to_row(AuditEvent(seq=1, prev_hash=GENESIS, **mine.fields))  # an event that cannot be stored fails here, alone
    key = id(store)
    with _written:
        _waiting.setdefault(key, []).append(mine)
        while key in _writing and not mine.done:
            _written.wait()
        if not mine.done:  # no write under way: this thread writes every event waiting, its own included
            batch = _waiting.pop(key)
            _writing.add(key)
    if not mine.done:
        try:
            for pending, event in zip(batch, _append(store, [p.fields for p in batch]), strict=True):
                pending.event = event
        except BaseException as exc:
            for pending in batch:
                pending.error = exc
        finally:
            with _written:
                _writing.discard(key)
                _written.notify_all()
    if mine.error is not None:
        raise mine.error
    assert mine.event is not None
    return mine.event


def _append(store: Store, batch: list[dict[str, Any]]) -> list[AuditEvent]:
    """Chain ``batch`` onto the head of the log and store it in one transaction."""
    for _ in range(_ATTEMPTS):
        head: list[dict[str, Any]] = []
        try:
            with store.transaction():
                head = store.query(_HEAD)
                seq, prev = (int(head[0]["seq"]) + 1, head[0]["hash"]) if head else (1, GENESIS)
                events = []
                for n, fields in enumerate(batch):
                    event = AuditEvent(seq=seq + n, prev_hash=prev, **fields)
                    event.hash = prev = link_hash(prev, _payload(event))
                    events.append(event)
                store.insert_rows("audit_events", [to_row(e) for e in events], _COLUMNS, ["seq"])
                stored = store.query("SELECT seq, hash FROM audit_events WHERE seq BETWEEN ? AND ?",
                                     [seq, seq + len(events) - 1])
                if {r["seq"]: r["hash"] for r in stored} != {e.seq: e.hash for e in events}:
                    raise _LostRace
            return events
        except _LostRace:
            continue
        except Exception:
            if store.query(_HEAD) != head:  # a conflict with the writer that moved the head: try again
                continue
            raise
    raise RuntimeError("audit log: could not append after repeated contention")


def audit_events(store: Store, actor: str | None = None, object_kind: str | None = None,
                 object_id: str | None = None, limit: int = 100, offset: int = 0,
                 objects: list[tuple[str, str]] | None = None) -> list[AuditEvent]:
    """Events, newest first, filtered by actor and object (or by any of ``objects``, (kind, id) pairs)."""
    clauses, params = [], []
    for column, value in (("actor", actor), ("object_kind", object_kind), ("object_id", object_id)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    if objects is not None:
        if not objects:
            return []
        clauses.append("(" + " OR ".join("(object_kind = ? AND object_id = ?)" for _ in objects) + ")")
        params += [v for pair in objects for v in pair]
    return store.find(AuditEvent, " AND ".join(clauses), params, order_by="seq DESC", limit=limit, offset=offset)


def verify_audit(store: Store) -> dict[str, Any]:
    """Walk the chain: ``ok``, the number of events, the first broken ``seq`` and every problem found."""
    entries = [e.model_dump(mode="json") for e in store.find(AuditEvent, order_by="seq")]
    problems = verify_chain(entries)
    return {"ok": not problems, "events": len(entries), "broken_at": problems[0].seq if problems else None,
            "problems": [p.message for p in problems[:20]], "head": entries[-1]["hash"] if entries else GENESIS}
