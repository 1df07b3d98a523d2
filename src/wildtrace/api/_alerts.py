"""Alerts from the money stage: listing with filters, assignment and status."""

from __future__ import annotations

from typing import Any

from wildtrace.model import Alert, AlertStatus
from wildtrace.store import Store


def list_alerts(store: Store, status: str | None = None, assignee: str | None = None, kind: str | None = None,
                limit: int = 50, offset: int = 0) -> dict[str, Any]:
    clauses, params = [], []
    for column, value in (("status", status), ("assignee", assignee), ("kind", kind)):
        if value:
            clauses.append(f"{column} = ?")
            params.append(value)
    where = " AND ".join(clauses)
    items = store.find(Alert, where, params, order_by="score DESC, id", limit=limit, offset=offset)
    return {"total": store.count(Alert, where, params), "limit": limit, "offset": offset,
            "items": [a.model_dump(mode="json") for a in items]}


def update_alert(store: Store, alert_id: str, status: AlertStatus | str | None = None,
                 assignee: str | None = None) -> Alert:
    """Assign an alert or change its status; assigning an open alert makes it ``assigned``."""
    alert = store.get(Alert, alert_id)
    if alert is None:
        raise LookupError(f"no alert {alert_id!r}")
    if assignee is not None:
        alert.assignee = assignee or None
        if alert.status == AlertStatus.OPEN and assignee:
            alert.status = AlertStatus.ASSIGNED
    if status is not None:
        alert.status = AlertStatus(status)
    store.put([alert])
    return alert
