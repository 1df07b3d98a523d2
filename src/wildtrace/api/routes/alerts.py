"""Alerts from the money stage: a filtered, sorted page of them, assignment and status (one or many at once,
closing with a reason), an alert promoted to a case, and a suspicious-activity report draft."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from wildtrace import service
from wildtrace.api._deps import CurrentUser, StoreDep, Worker
from wildtrace.api._schemas import AlertBulk, AlertToCase, AlertUpdate, Short
from wildtrace.model import Alert, AlertStatus, Case
from wildtrace.service import Principal
from wildtrace.store import Store

router = APIRouter(prefix="/api/alerts", tags=["alerts"])
Days = Annotated[float | None, Query(ge=0, le=100_000)]
Score = Annotated[float | None, Query(ge=0, le=1)]


@router.get("")
def list_alerts(principal: CurrentUser, store: StoreDep,
                status: Annotated[list[AlertStatus] | None, Query(description="any of these statuses")] = None,
                assignee: Annotated[Short | None, Query(description="a user name, 'me', or '-' for unassigned")] = None,
                kind: Short | None = None, min_score: Score = None, max_score: Score = None,
                min_age_days: Annotated[float | None, Query(ge=0, le=100_000, description="older than")] = None,
                max_age_days: Annotated[float | None, Query(ge=0, le=100_000, description="newer than")] = None,
                sort: service.AlertSort = "score", desc: bool = True,
                limit: Annotated[int, Query(ge=1, le=500)] = 50,
                offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> dict:
    """A page of alerts filtered by kind, status, assignee, score and age, sorted (``age``: oldest first when
    ``desc``), each with its age in days and its history."""
    filters = service.AlertFilter(kind, [s.value for s in status or []],
                                  principal.name if assignee == "me" else assignee, min_score, max_score,
                                  min_age_days, max_age_days)
    return principal.present(service.list_alerts(store, filters, sort, desc, limit, offset), "alert")


@router.get("/{alert_id}")
def alert(alert_id: str, principal: CurrentUser, store: StoreDep) -> dict:
    """One alert with its history (assignments, closings and their reasons, the case it went to); its evidence
    is the first page of ``evidence_count`` items (``/api/alerts/{id}/evidence`` pages them all)."""
    found = store.get(Alert, alert_id)
    if found is None:
        raise HTTPException(404, f"no alert {alert_id!r}")
    history = service.alert_history(store, [alert_id])[alert_id]
    return principal.present({**found.model_dump(mode="json"), "history": history}, "alert")


@router.get("/{alert_id}/evidence")
def evidence(alert_id: str, principal: CurrentUser, store: StoreDep,
             offset: Annotated[int, Query(ge=0, le=100_000_000)] = 0,
             limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> dict:
    """Everything the alert cites, a page at a time (``evidence_count`` in all, ``limit`` from ``offset``), with
    the page's transactions and parcels. An alert lists its first page and the count; this pages the rest."""
    try:
        page = service.alert_evidence_page(store, alert_id, offset, limit)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None
    return principal.present(page, "alert")


@router.patch("/{alert_id}")
def update(alert_id: str, body: AlertUpdate, principal: Worker, store: StoreDep) -> dict:
    try:
        alert = service.update_alert(store, alert_id, body.status, body.assignee, principal.name, body.reason)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None
    principal.audit(store, "alert_update", "alert", alert_id, status=str(alert.status), assignee=alert.assignee,
                    reason=body.reason)
    return principal.present(alert.model_dump(mode="json"), "alert")


@router.post("/bulk")
def bulk(body: AlertBulk, principal: Worker, store: StoreDep) -> dict:
    """The same change to many alerts: assign (to ``assignee``), close (with a ``reason``), escalate, reopen.
    Each changed alert is audited; unknown ids are listed in ``missing``."""
    result = bulk_change(store, principal, body.ids, body.action, body.assignee, body.reason)
    return principal.present(result)


def bulk_change(store: Store, principal: Principal, ids: list[str], action: str,
                assignee: str | None, reason: str) -> dict:
    """``service.bulk_update`` for ``principal``, each changed alert audited (the page calls this too)."""
    try:
        result = service.bulk_update(store, ids, action, principal.name, assignee, reason)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    for alert in result["updated"]:
        principal.audit(store, "alert_update", "alert", alert["id"], status=alert["status"],
                        assignee=alert["assignee"], reason=reason, bulk=len(ids))
    return result


@router.post("/{alert_id}/case", status_code=201)
def to_case(alert_id: str, body: AlertToCase, principal: Worker, store: StoreDep) -> dict:
    """Open a case with the alert, its subject and the evidence it cites; the alert is escalated."""
    case, left_out = promote(store, principal, alert_id, body.title)
    return {**service.present_case(case.model_dump(mode="json"), principal.redactor),
            "left_out": principal.present(left_out)}


def promote(store: Store, principal: Principal, alert_id: str, title: str = "") -> tuple[Case, list[str]]:
    """``service.alert_to_case`` for ``principal``, audited on the alert and the case (the page calls this too)."""
    try:
        case, left_out = service.alert_to_case(store, alert_id, principal.name, title)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None
    principal.audit(store, "alert_to_case", "alert", alert_id, case_id=case.id)
    principal.audit(store, "case_created", "case", case.id, title=case.title, items=case.items)
    principal.audit(store, "alert_to_case", "case", case.id, alert_id=alert_id, left_out=left_out)
    return case, left_out


@router.get("/{alert_id}/sar")
def sar(alert_id: str, principal: Worker, store: StoreDep, format: Short = "xml") -> Response:
    """The SAR draft for the alert's subject (goAML-style XML, HTML or JSON). It names people and accounts, so
    only roles that see unredacted records may draft one; every draft is audited."""
    if not principal.sees_everything:
        raise HTTPException(403, "a SAR draft names people and accounts: your role sees redacted records only")
    try:
        body, media_type = service.sar_document(store, alert_id, format)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    principal.audit(store, "sar_draft", "alert", alert_id, format=format)
    return Response(body, media_type=media_type)
