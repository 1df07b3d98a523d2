"""The append-only audit log: every view of personal data, every decision, every export.

Each event's hash covers its content and the hash of the event before, so removing or editing an
entry breaks the chain (``verify_audit``). Writers on several processes race for the next ``seq``;
the loser of a race (primary key taken) reads the new head and tries again.
"""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime
from typing import Any

from wildtrace.model import AuditEvent
from wildtrace.store import Store

_lock = threading.Lock()
_ATTEMPTS = 50


def link_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    """SHA-256 of the previous hash and the canonical JSON of ``payload``."""
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256((prev_hash + "\n" + blob).encode()).hexdigest()


def _payload(event: AuditEvent) -> dict[str, Any]:
    return event.model_dump(mode="json", exclude={"hash", "prev_hash"})


def record(store: Store, actor: str, action: str, object_kind: str = "", object_id: str = "",
           detail: dict[str, Any] | None = None) -> AuditEvent:
    """Append one event to the log and return it."""
    with _lock:
        for _ in range(_ATTEMPTS):
            head = store.query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            seq, prev = (int(head[0]["seq"]) + 1, head[0]["hash"]) if head else (1, "")
            event = AuditEvent(seq=seq, occurred_at=datetime.now(UTC), actor=actor, action=action,
                               object_kind=object_kind, object_id=object_id, detail=detail or {}, prev_hash=prev)
            event.hash = link_hash(prev, _payload(event))
            if store.add([event]):
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
    """Walk the chain from the first event: ``ok`` and the first broken ``seq`` if any."""
    prev, expected, n = "", 1, 0
    for event in store.find(AuditEvent, order_by="seq"):
        if event.seq != expected or event.prev_hash != prev or event.hash != link_hash(prev, _payload(event)):
            return {"ok": False, "events": n, "broken_at": event.seq}
        prev, expected, n = event.hash, expected + 1, n + 1
    return {"ok": True, "events": n, "broken_at": None, "head": prev}
