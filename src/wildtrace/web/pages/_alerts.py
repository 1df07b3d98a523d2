"""Alerts and their SAR drafts."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from wildtrace import service
from wildtrace.api import CurrentUser, StoreDep, Worker
from wildtrace.model import AlertStatus
from wildtrace.web.pages._render import Field, error_page, render, see

router = APIRouter(include_in_schema=False)


@router.get("/alerts")
def alerts(principal: CurrentUser, store: StoreDep, status: str = "") -> HTMLResponse:
    status = status if status in {s.value for s in AlertStatus} else ""
    data = principal.present(service.list_alerts(store, status or None, limit=200), "alert")
    return render("alerts.html", principal, alerts=data, status=status, statuses=[s.value for s in AlertStatus],
                  can_work=principal.user.role in service.WORKERS, can_draft_sar=principal.sees_everything)


@router.post("/alerts/{alert_id}")
def update_alert(alert_id: str, principal: Worker, store: StoreDep, action: Field) -> Response:
    try:
        if action == "assign":
            alert = service.update_alert(store, alert_id, assignee=principal.name)
        elif action in ("escalated", "closed"):
            alert = service.update_alert(store, alert_id, status=action)
        else:
            return error_page(422, "action must be assign, escalated or closed")
    except LookupError as exc:
        return error_page(404, str(exc))
    principal.audit(store, "alert_update", "alert", alert_id, status=str(alert.status), assignee=alert.assignee)
    return see("/alerts")


@router.get("/alerts/{alert_id}/sar")
def sar_draft(alert_id: str, principal: Worker, store: StoreDep) -> Response:
    """The readable SAR draft of an alert's subject (the API also gives the goAML-style XML)."""
    if not principal.sees_everything:
        return error_page(403, "a SAR draft names people and accounts: your role sees redacted records only")
    try:
        body, media_type = service.sar_document(store, alert_id, "html")
    except LookupError as exc:
        return error_page(404, str(exc))
    principal.audit(store, "sar_draft", "alert", alert_id, format="html")
    return Response(body, media_type=media_type)
