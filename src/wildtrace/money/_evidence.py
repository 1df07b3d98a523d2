"""An alert's evidence, all of it: every item goes to ``alert_evidence`` (one row each, in the order cited), the
alerts row keeps the first page and the count, so lists of alerts stay small however much an alert cites."""

from __future__ import annotations

from wildtrace.model import Alert
from wildtrace.store import Store

EVIDENCE_SHOWN = 50
"""Items of evidence an alerts row keeps (the first page a screen shows; the rest is paged from alert_evidence)."""

_COLUMNS = ["alert_id", "seq", "item"]


def put_alerts(store: Store, alerts: list[Alert]) -> None:
    """Store ``alerts`` with all their evidence: the row with the first :data:`EVIDENCE_SHOWN` items and the
    count, ``alert_evidence`` with every item (an earlier run's items of these alerts are replaced)."""
    ids = [a.id for a in alerts]
    for at in range(0, len(ids), 500):
        chunk = ids[at:at + 500]
        store.execute(f"DELETE FROM alert_evidence WHERE alert_id IN ({', '.join('?' for _ in chunk)})", chunk)
    store.insert_rows("alert_evidence", [{"alert_id": a.id, "seq": i, "item": item}
                                         for a in alerts for i, item in enumerate(a.evidence)], _COLUMNS,
                      ["alert_id", "seq"])
    store.put([a.model_copy(update={"evidence": a.evidence[:EVIDENCE_SHOWN], "evidence_count": a.evidence_count})
               for a in alerts])


def alert_evidence(store: Store, alert: Alert, offset: int = 0, limit: int | None = None) -> list[str]:
    """The items of evidence ``alert`` cites, in order: all of them, or ``limit`` from ``offset``. An alert
    whose row holds all its items (put without :func:`put_alerts`, or citing few) is read from the row."""
    offset = max(offset, 0)
    end = alert.evidence_count if limit is None else min(offset + max(limit, 0), alert.evidence_count)
    if alert.evidence_count <= len(alert.evidence):
        return alert.evidence[offset:end]
    rows = store.query("SELECT item FROM alert_evidence WHERE alert_id = ? AND seq >= ? AND seq < ? ORDER BY seq",
                       (alert.id, offset, end))
    return [r["item"] for r in rows]
