"""Alert triage: a filtered, sorted page of alerts, bulk assign/close/escalate with a reason, an alert promoted to
a case, and the SAR drafts."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from wildtrace import service
from wildtrace.api import CurrentUser, StoreDep, Worker, bulk_change, promote
from wildtrace.model import AlertStatus
from wildtrace.service import Principal
from wildtrace.store import Store
from wildtrace.web.pages._render import Field, error_page, render, see

router = APIRouter(include_in_schema=False)
_VERBS = {"assign": "assigned", "close": "closed", "escalate": "escalated", "reopen": "reopened"}


def _number(text: str, high: float) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return min(max(value, 0.0), high)


def _page(principal: Principal, store: Store, query: dict[str, list[str]], code: int = 200, error: str = "",
          result: str = "") -> HTMLResponse:
    """The alerts page for the filters in ``query`` (a parsed query string; bad values are ignored)."""
    first = {k: v[0] for k, v in query.items() if v}
    statuses = [s for s in query.get("status", []) if s in {a.value for a in AlertStatus}]
    assignee = first.get("assignee", "")[:64] or None
    filters = service.AlertFilter(first.get("kind", "")[:300] or None, statuses,
                                  principal.name if assignee == "me" else assignee,
                                  _number(first.get("min_score", ""), 1), _number(first.get("max_score", ""), 1),
                                  _number(first.get("min_age_days", ""), 100_000),
                                  _number(first.get("max_age_days", ""), 100_000))
    sort = first.get("sort", "score") if first.get("sort") in service.SORTS else "score"
    limit = int(first["limit"]) if first.get("limit", "").isdigit() and 0 < int(first["limit"]) <= 200 else 50
    offset = min(int(first["offset"]), 10_000_000) if first.get("offset", "").isdigit() else 0
    data = principal.present(service.list_alerts(store, filters, sort, first.get("asc") != "1", limit, offset),
                             "alert")
    if first.get("done") in _VERBS.values() and first.get("n", "").isdigit():  # after a bulk change (see bulk)
        missing = int(first["missing"]) if first.get("missing", "").isdigit() else 0
        result = f"{first['done']} {first['n']} alert(s)" + (f"; {missing} not found" if missing else "")
    kept = [(k, v) for k, values in query.items() if k not in ("offset", "done", "n", "missing") for v in values]
    view = ("mine" if filters.assignee == principal.name else "unassigned" if filters.assignee == service.UNASSIGNED
            else "closed" if statuses == ["closed"] else "all")
    return render("alerts.html", principal, code=code, alerts=data, f=filters, view=view, sorts=list(service.SORTS),
                  statuses=[s.value for s in AlertStatus], back="/alerts?" + urlencode(kept),
                  page_url=lambda at: "/alerts?" + urlencode([*kept, ("offset", max(at, 0))]),
                  can_work=principal.user.role in service.WORKERS, can_draft_sar=principal.sees_everything,
                  error=error, result=result)


def _query(back: str) -> dict[str, list[str]]:
    parts = urlsplit(back)
    return parse_qs(parts.query) if parts.path == "/alerts" and not parts.netloc else {}


@router.get("/alerts")
def alerts(request: Request, principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    """Filters (all optional): kind, status (repeat), assignee (``me``, ``-`` for none), min_score, max_score,
    min_age_days, max_age_days, sort, asc, limit, offset."""
    return _page(principal, store, parse_qs(request.url.query))


@router.post("/alerts/bulk")
def bulk(principal: Worker, store: StoreDep, action: Field, ids: Annotated[list[str], Form()] = [],  # noqa: B006
         assignee: Annotated[str, Form(max_length=64)] = "", reason: Annotated[str, Form(max_length=2000)] = "",
         back: Field = "/alerts") -> Response:
    """``action``: ``assign_me``, ``assign`` (to ``assignee``), ``close`` (with a ``reason``), ``escalate``,
    ``reopen``; on the alerts ticked in ``ids``."""
    query = _query(back)
    if not ids:
        return _page(principal, store, query, 422, "select at least one alert")
    try:
        result = bulk_change(store, principal, ids[:service.MAX_BULK], "assign" if action == "assign_me" else action,
                             principal.name if action == "assign_me" else assignee.strip(), reason)
    except HTTPException as exc:
        return _page(principal, store, query, exc.status_code, str(exc.detail))
    done = urlencode({"done": _VERBS[result["action"]], "n": len(result["updated"]), "missing": len(result["missing"])})
    return see(f"/alerts?{urlencode([(k, v) for k, values in query.items() for v in values])}&{done}")


@router.post("/alerts/{alert_id}/case")
def to_case(alert_id: str, principal: Worker, store: StoreDep) -> Response:
    try:
        case, _ = promote(store, principal, alert_id)
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
    return see(f"/cases/{case.id}")


@router.get("/alerts/{alert_id}/evidence")
def evidence(alert_id: str, request: Request, principal: CurrentUser, store: StoreDep) -> Response:
    """Everything an alert cites, a page at a time (``offset``, ``limit`` up to 200), its payments and parcels
    shown as the user's role may see them."""
    query = {k: v[0] for k, v in parse_qs(request.url.query).items() if v}
    offset = min(int(query["offset"]), 100_000_000) if query.get("offset", "").isdigit() else 0
    limit = int(query["limit"]) if query.get("limit", "").isdigit() and 0 < int(query["limit"]) <= 200 else 50
    try:
        page = principal.present(service.alert_evidence_page(store, alert_id, offset, limit), "alert")
    except LookupError as exc:
        return error_page(404, str(exc))
    shown = {t["id"] for t in page["transactions"]} | {s["waybill"] for s in page["shipments"]}
    return render("alert_evidence.html", principal, v=page, others=[e for e in page["evidence"] if e not in shown])


@router.get("/alerts/{alert_id}/sar")
def sar_draft(alert_id: str, principal: Worker, store: StoreDep) -> Response:
    """The readable SAR draft of an alert's subject (the API also gives the goAML-style XML)."""
    if not principal.sees_everything:
        return error_page(403, "a SAR draft names people and accounts: your role sees redacted records only")
    try:
        draft = service.sar_view(store, alert_id, principal.redactor)
    except LookupError as exc:
        return error_page(404, str(exc))
    principal.audit(store, "sar_draft", "alert", alert_id, format="page")
    return render("sar.html", principal, d=draft, alert_id=alert_id)
