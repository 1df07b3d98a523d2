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


SAR_FORMATS = {"xml": "application/xml", "html": "text/html; charset=utf-8", "json": "application/json"}


def sar_document(store: Store, alert_id: str, fmt: str) -> tuple[str, str]:
    """The SAR draft of an alert's subject as (body, media type): goAML-style XML, readable HTML or JSON."""
    import json

    from wildtrace.money import draft_sar, sar_html, sar_xml

    if fmt not in SAR_FORMATS:
        raise ValueError(f"format must be one of {', '.join(SAR_FORMATS)}")
    alert = store.get(Alert, alert_id)
    if alert is None:
        raise LookupError(f"no alert {alert_id!r}")
    draft = draft_sar(store, alert.subject)
    if fmt == "xml":
        return sar_xml(draft), SAR_FORMATS[fmt]
    if fmt == "html":
        return sar_html(draft), SAR_FORMATS[fmt]
    return json.dumps(draft.as_dict(), ensure_ascii=False, default=str), SAR_FORMATS[fmt]
