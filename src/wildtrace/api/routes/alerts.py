"""Alerts from the money stage: list, assign, change status, draft a suspicious-activity report."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from wildtrace import service
from wildtrace.api._deps import CurrentUser, StoreDep, Worker
from wildtrace.api._schemas import AlertUpdate, Short
from wildtrace.model import AlertStatus

router = APIRouter(prefix="/api/alerts", tags=["alerts"])


@router.get("")
def list_alerts(principal: CurrentUser, store: StoreDep, status: AlertStatus | None = None,
                assignee: Short | None = None, kind: Short | None = None,
                limit: Annotated[int, Query(ge=1, le=500)] = 50,
                offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> dict:
    return principal.present(service.list_alerts(store, status, assignee, kind, limit, offset), "alert")


@router.patch("/{alert_id}")
def update(alert_id: str, body: AlertUpdate, principal: Worker, store: StoreDep) -> dict:
    try:
        alert = service.update_alert(store, alert_id, body.status, body.assignee)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None
    principal.audit(store, "alert_update", "alert", alert_id, status=str(alert.status), assignee=alert.assignee)
    return principal.present(alert.model_dump(mode="json"), "alert")



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
