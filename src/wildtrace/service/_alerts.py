"""Alerts from the money stage: assignment and status with a history of every change, SAR drafts (as documents to
file, and as a view for a page)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from wildtrace.model import Alert, AlertStatus, Shipment, Transaction
from wildtrace.share import Redactor
from wildtrace.store import Store

_ACTIONS = {"closed": "close", "escalated": "escalate", "open": "reopen"}  # status set -> the history's word
_EVENT_COLUMNS = ["event_id", "alert_id", "happened_at", "actor", "action", "status", "assignee", "reason", "case_id"]


def update_alert(store: Store, alert_id: str, status: AlertStatus | str | None = None,
                 assignee: str | None = None, actor: str = "", reason: str = "", case_id: str | None = None) -> Alert:
    """Assign an alert or change its status; assigning an open alert makes it ``assigned``. The change goes
    into the alert's history (``alert_history``) with ``actor``, ``reason`` and the case it went to."""
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
    store.insert_rows("wb_alert_events", [{
        "event_id": uuid.uuid4().hex, "alert_id": alert_id, "happened_at": datetime.now(UTC), "actor": actor,
        "action": "to_case" if case_id else _ACTIONS.get(str(status), "assign"), "status": str(alert.status),
        "assignee": alert.assignee, "reason": reason.replace("\x00", "")[:2000], "case_id": case_id}],
        _EVENT_COLUMNS, ["event_id"])
    return alert


def alert_history(store: Store, alert_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The changes of each alert (assignments, status changes with their reason, the case it went to), oldest
    first, by alert id."""
    if not alert_ids:
        return {}
    rows = store.query(f"SELECT {', '.join(_EVENT_COLUMNS)} FROM wb_alert_events WHERE alert_id IN "
                       f"({', '.join('?' for _ in alert_ids)}) ORDER BY happened_at, event_id", list(alert_ids))
    history: dict[str, list[dict[str, Any]]] = {a: [] for a in alert_ids}
    for r in rows:
        history[r["alert_id"]].append({**r, "happened_at": r["happened_at"].isoformat()})
    return history


def alert_evidence_page(store: Store, alert_id: str, offset: int = 0, limit: int = 50) -> dict[str, Any]:
    """A page of what an alert cites, in order: ``evidence`` (its ids, ``limit`` from ``offset``) of
    ``evidence_count`` in all, with the page's ``transactions`` and ``shipments`` as stored (other ids, such as
    posts, are in ``evidence`` only)."""
    from wildtrace.money import alert_evidence

    alert = store.get(Alert, alert_id)
    if alert is None:
        raise LookupError(f"no alert {alert_id!r}")
    items = alert_evidence(store, alert, offset, limit)
    txs = store.get_many(Transaction, items)
    ships = store.get_many(Shipment, [i for i in items if i not in txs])
    return {"id": alert.id, "kind": alert.kind, "subject": alert.subject, "subject_kind": alert.subject_kind,
            "evidence_count": alert.evidence_count, "offset": offset, "limit": limit, "evidence": items,
            "transactions": [txs[i].model_dump(mode="json") for i in items if i in txs],
            "shipments": [ships[i].model_dump(mode="json") for i in items if i in ships]}


SAR_FORMATS = {"xml": "application/xml", "html": "text/html; charset=utf-8", "json": "application/json"}


def _draft(store: Store, alert_id: str) -> Any:
    from wildtrace.money import draft_sar

    alert = store.get(Alert, alert_id)
    if alert is None:
        raise LookupError(f"no alert {alert_id!r}")
    return draft_sar(store, alert.subject)


def sar_document(store: Store, alert_id: str, fmt: str) -> tuple[str, str]:
    """The SAR draft of an alert's subject as (body, media type): goAML-style XML, readable HTML or JSON."""
    import json

    from wildtrace.money import sar_html, sar_xml

    if fmt not in SAR_FORMATS:
        raise ValueError(f"format must be one of {', '.join(SAR_FORMATS)}")
    draft = _draft(store, alert_id)
    if fmt == "xml":
        return sar_xml(draft), SAR_FORMATS[fmt]
    if fmt == "html":
        return sar_html(draft), SAR_FORMATS[fmt]
    return json.dumps(draft.as_dict(), ensure_ascii=False, default=str), SAR_FORMATS[fmt]


def sar_view(store: Store, alert_id: str, redactor: Redactor) -> dict[str, Any]:
    """The SAR draft of an alert's subject as ``redactor``'s audience may see it, each part through the policy's
    rules for its record kind (the alert, the subject's KYC record, payments and their totals, parcels, posts; the
    narrative as free text), so that a page can link every identifier in it to its page."""
    draft = _draft(store, alert_id).as_dict()
    alert = redactor.document(draft["alert"], "alert")
    return {**{k: draft[k] for k in ("created_at", "reporting_entity", "currency", "indicators")},
            "subject": alert.get("subject"), "subject_kind": alert.get("subject_kind"), "alert": alert,
            "holder": redactor.document(draft["holder"], "payment_account") if draft["holder"] else None,
            "transactions": redactor.document(draft["transactions"], "transaction"),
            "totals": redactor.document(draft["totals"], "transaction"),
            "shipments": redactor.document(draft["shipments"], "shipment"),
            "posts": redactor.document(draft["posts"], "post"), "narrative": redactor.document(draft["narrative"])}
