"""The append-only audit log: every view of personal data, every decision, every export.

Each event's hash covers its content and the hash of the event before (``wildtrace.evidence.chain``, the
same chaining as the capture log), so removing or editing an entry breaks the chain (``verify_audit``).
Writers on several processes race for the next ``seq``; the loser of a race (primary key taken) reads the
new head and tries again.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

from wildtrace.evidence.chain import GENESIS, link_hash, verify_chain
from wildtrace.model import AuditEvent
from wildtrace.store import Store, columns, to_row

_lock = threading.Lock()
_ATTEMPTS = 50
_COLUMNS = columns(AuditEvent)
_INSERT = (f"INSERT INTO audit_events ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)}) "
           "ON CONFLICT DO NOTHING")


def _payload(event: AuditEvent) -> dict[str, Any]:
    return event.model_dump(mode="json", exclude={"hash", "prev_hash"})


def record(store: Store, actor: str, action: str, object_kind: str = "", object_id: str = "",
           detail: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event to the log and return it."""
    with _lock:
        for _ in range(_ATTEMPTS):
            head = store.query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            seq, prev = (int(head[0]["seq"]) + 1, head[0]["hash"]) if head else (1, GENESIS)
            event = AuditEvent(seq=seq, occurred_at=datetime.now(UTC), actor=actor, action=action,
                               object_kind=object_kind, object_id=object_id, detail=detail or {}, prev_hash=prev)
            event.hash = link_hash(prev, _payload(event))
            row = to_row(event)
            store.execute(_INSERT, [row[c] for c in _COLUMNS])
            if store.query("SELECT hash FROM audit_events WHERE seq = ?", [seq])[0]["hash"] == event.hash:
                return event
    raise RuntimeError("audit log: could not append after repeated contention")


def audit_events(store: Store, actor: str | None = None, object_kind: str | None = None,
                 object_id: str | None = None, limit: int = 100, offset: int = 0) -> list[AuditEvent]:
    """Events, newest first, filtered by actor and object."""
    clauses, params = [], []
    for column, value in (("actor", actor), ("object_kind", object_kind), ("object_id", object_id)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    return store.find(AuditEvent, " AND ".join(clauses), params, order_by="seq DESC", limit=limit, offset=offset)


def verify_audit(store: Store) -> dict[str, Any]:
    """Walk the chain: ``ok``, the number of events, the first broken ``seq`` and every problem found."""
    entries = [e.model_dump(mode="json") for e in store.find(AuditEvent, order_by="seq")]
    problems = verify_chain(entries)
    return {"ok": not problems, "events": len(entries), "broken_at": problems[0].seq if problems else None,
            "problems": [p.message for p in problems[:20]], "head": entries[-1]["hash"] if entries else GENESIS}
