"""The pages: each calls the same library functions as the API, renders a template (autoescaped) and audits
what the API would audit. Forms carry the session's CSRF token; keyboard shortcuts live in ``static/app.js``."""

from __future__ import annotations

import secrets
from importlib import resources
from typing import Annotated, Any

import jinja2
from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from wildtrace.api import _alerts, _cases, _lexicon, _review, _users
from wildtrace.api._audit import audit_events, verify_audit
from wildtrace.api._case_access import FULL_VIEW_ROLES, set_visibility, visibility, visible_cases
from wildtrace.api._deps import Admin, CurrentUser, Principal, StoreDep, Worker, optional_principal
from wildtrace.api._network import resolve
from wildtrace.api._schemas import TipIn
from wildtrace.api._users import WORKERS
from wildtrace.api.routes.auth import sign_in, sign_out
from wildtrace.api.routes.cases import item_ref, open_case
from wildtrace.api.routes.public import receive_tip
from wildtrace.api.routes.traders import real_subject
from wildtrace.link import list_traders, load_profile
from wildtrace.model import Account, AccountIdentifier, AlertStatus, CaseStatus, Post

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(resources.files("wildtrace.web") / "templates")),
    autoescape=True, undefined=jinja2.ChainableUndefined,
)
router = APIRouter(include_in_schema=False)
Field = Annotated[str, Form(max_length=20000)]


def render(template: str, principal: Principal | None = None, code: int = 200, **context: Any) -> HTMLResponse:
    html = _env.get_template(template).render(user=principal.user if principal else None,
                                              csrf=principal.csrf if principal else "", **context)
    return HTMLResponse(html, status_code=code)


def error_page(status: int, reason: str) -> HTMLResponse:
    return render("error.html", code=status, status=status, reason=reason)


def _see(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


# -- users (admin) -----------------------------------------------------------------------------------
def _users_page(principal: Principal, store: Any, code: int = 200, error: str = "") -> HTMLResponse:
    return render("admin_users.html", principal, code=code, users=_users.list_users(store),
                  roles=[r.value for r in _users.Role], error=error)


@router.get("/admin/users")
def admin_users(principal: Admin, store: StoreDep) -> HTMLResponse:
    return _users_page(principal, store)


@router.post("/admin/users")
def admin_add_user(principal: Admin, store: StoreDep, username: Annotated[str, Form(max_length=64)],
                   password: Annotated[str, Form(max_length=200)],
                   role: Annotated[str, Form(max_length=20)]) -> Response:
    try:
        user = _users.add_user(store, username, password, role)
    except ValueError as exc:
        return _users_page(principal, store, 409 if "exists" in str(exc) else 422, str(exc))
    principal.audit(store, "user_added", "user", user.username, new_role=user.role.value)
    return _see("/admin/users")


@router.post("/admin/users/{username}")
def admin_change_user(principal: Admin, store: StoreDep, username: str, action: Annotated[str, Form(max_length=20)],
                      role: Annotated[str, Form(max_length=20)] = "") -> Response:
    """``action``: ``disable``, ``enable`` or ``role`` (with ``role``)."""
    try:
        if action in ("disable", "enable"):
            _users.set_disabled(store, username, action == "disable")
            principal.audit(store, f"user_{action}d", "user", username)
        elif action == "role":
            user = _users.set_role(store, username, role)
            principal.audit(store, "user_role_changed", "user", username, new_role=user.role.value)
        else:
            raise ValueError(f"action {action!r} is not one of disable, enable, role")
    except ValueError as exc:
        return _users_page(principal, store, 404 if str(exc).startswith("no user") else 422, str(exc))
    return _see("/admin/users")


# -- signing in ---------------------------------------------------------------------------------------
@router.get("/login")
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    request.session["login_csrf"] = token = secrets.token_urlsafe(24)
    return render("login.html", login_csrf=token, next=next if next.startswith("/") else "/")


@router.post("/login")
async def login(request: Request, store: StoreDep, username: Field, password: Field, login_csrf: Field = "",
                next: Field = "/") -> Response:
    expected = request.session.pop("login_csrf", None)
    if not expected or not secrets.compare_digest(expected, login_csrf):
        return login_form(request, next)
    try:
        await sign_in(request, store, username, password)
    except HTTPException as exc:
        request.session["login_csrf"] = token = secrets.token_urlsafe(24)
        return render("login.html", code=exc.status_code, error=exc.detail, login_csrf=token, next=next)
    return _see(next if next.startswith("/") and not next.startswith("//") else "/")


@router.post("/logout")
def logout(request: Request, principal: CurrentUser, store: StoreDep) -> Response:
    sign_out(request, store, principal)
    return _see("/login")


# -- overview and review ------------------------------------------------------------------------------
def _chart(by_day: list[dict[str, Any]], width: int = 900, height: int = 160) -> dict[str, Any]:
    days = sorted({r["day"] for r in by_day})[-60:]
    totals = {d: sum(r["n"] for r in by_day if r["day"] == d) for d in days}
    top = max(totals.values(), default=1) or 1
    step = width / max(len(days), 1)
    bars, order = [], ["high", "medium", "low", "none", "unscreened"]
    for i, day in enumerate(days):
        y = float(height)
        for r in sorted((r for r in by_day if r["day"] == day), key=lambda r: order.index(r["tier"])
                        if r["tier"] in order else 9):
            h = height * r["n"] / top
            y -= h
            bars.append({"x": round(i * step, 1), "y": round(y, 1), "w": round(step * 0.8, 1), "h": round(h, 1),
                         "tier": r["tier"], "day": day, "n": r["n"]})
    return {"width": width, "height": height, "bars": bars}


@router.get("/")
def overview(principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    data = principal.present(_review.overview(store))
    return render("overview.html", principal, data=data, chart=_chart(data["by_day"]))


@router.get("/review")
def review(principal: CurrentUser, store: StoreDep, offset: int = 0) -> HTMLResponse:
    offset = max(0, min(offset, 10_000_000))
    queue = _review.queue(store, limit=11, offset=offset)
    if not queue["items"] and offset:
        return _see("/review")  # type: ignore[return-value]
    detail = _review.post_detail(store, queue["items"][0]["post_id"]) if queue["items"] else None
    if detail is not None:
        principal.audit(store, "view", "post", detail["post"]["id"])
    return render("review.html", principal, queue=principal.present(queue, "post"), d=principal.present(detail),
                  offset=offset, can_decide=principal.user.role in WORKERS, show_images=principal.sees_everything)


@router.post("/review/{post_id:path}/decide")
def decide(post_id: str, principal: Worker, store: StoreDep, decision: Field, offset: Field = "0",
           note: Field = "") -> Response:
    try:
        row = _review.decide(store, post_id, decision, principal.name, note)
    except LookupError as exc:
        return error_page(404, str(exc))
    except ValueError:
        return error_page(422, f"decision must be confirm, dismiss or escalate, not {decision[:40]!r}")
    principal.audit(store, "decide", "post", post_id, decision=str(row.decision), decision_id=row.id)
    return _see(f"/review?offset={int(offset) if offset.isdigit() else 0}")


@router.get("/posts/{post_id:path}")
def post(post_id: str, principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    detail = _review.post_detail(store, post_id)
    if detail is None:
        return error_page(404, f"no post {post_id!r}")
    principal.audit(store, "view", "post", post_id)
    return render("post.html", principal, d=principal.present(detail), show_images=principal.sees_everything)


# -- traders, accounts, network -----------------------------------------------------------------------
@router.get("/traders")
def traders(principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    return render("traders.html", principal, traders=principal.present(list_traders(store, limit=200), "trader"))


@router.get("/traders/{trader_id:path}")
def trader(trader_id: str, principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    real = principal.lookup(trader_id)
    profile = load_profile(store, real) if real else None
    if profile is None or real is None:
        return error_page(404, f"no trader {trader_id!r}")
    principal.audit(store, "view", "trader", real)
    return render("profile.html", principal, title=f"Trader {trader_id}", profile=principal.present(profile, "trader"),
                  network=f"trader:{trader_id}")


@router.get("/accounts/{account_id:path}")
def account(account_id: str, principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    real = principal.lookup(account_id)
    found = store.get(Account, real) if real else None
    if found is None:
        return error_page(404, f"no account {account_id!r}")
    account_id = found.id
    principal.audit(store, "view", "account", account_id)
    member = store.query("SELECT trader_id, is_backup FROM link_members WHERE account_id = ?", [account_id])
    profile = {**found.model_dump(mode="json"),
               "trader_id": member[0]["trader_id"] if member else None,
               "is_backup": bool(member and member[0]["is_backup"]),
               "identifiers": [f"{i.kind}: {i.value} (seen in {i.seen_in} {i.seen_id})"
                               for i in store.find(AccountIdentifier, "account_id = ?", [account_id])],
               "posts": [{"id": p.id, "posted_at": p.posted_at, "text": p.text[:200]} for p in
                         store.find(Post, "account_id = ?", [account_id], order_by="posted_at DESC NULLS LAST, id",
                                    limit=100)]}
    shown = principal.present(profile, "account")
    return render("profile.html", principal, title=f"Account {shown.get('handle', '')}", profile=shown,
                  network=f"account:{shown.get('id', account_id)}")


@router.get("/network/{subject:path}")
def network(subject: str, principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    real = real_subject(principal, subject)
    root = resolve(store, real) if real else None
    root = root if principal.sees_everything or root is None else subject
    if root is None:
        return error_page(404, f"nothing called {subject!r} in the network")
    return render("network.html", principal, root=root)


# -- alerts and cases ---------------------------------------------------------------------------------
@router.get("/alerts")
def alerts(principal: CurrentUser, store: StoreDep, status: str = "") -> HTMLResponse:
    status = status if status in {s.value for s in AlertStatus} else ""
    data = principal.present(_alerts.list_alerts(store, status or None, limit=200), "alert")
    return render("alerts.html", principal, alerts=data, status=status, statuses=[s.value for s in AlertStatus],
                  can_work=principal.user.role in WORKERS, can_draft_sar=principal.sees_everything)


@router.post("/alerts/{alert_id}")
def update_alert(alert_id: str, principal: Worker, store: StoreDep, action: Field) -> Response:
    try:
        if action == "assign":
            alert = _alerts.update_alert(store, alert_id, assignee=principal.name)
        elif action in ("escalated", "closed"):
            alert = _alerts.update_alert(store, alert_id, status=action)
        else:
            return error_page(422, "action must be assign, escalated or closed")
    except LookupError as exc:
        return error_page(404, str(exc))
    principal.audit(store, "alert_update", "alert", alert_id, status=str(alert.status), assignee=alert.assignee)
    return _see("/alerts")


@router.get("/alerts/{alert_id}/sar")
def sar_draft(alert_id: str, principal: Worker, store: StoreDep) -> Response:
    """The readable SAR draft of an alert's subject (the API also gives the goAML-style XML)."""
    if not principal.sees_everything:
        return error_page(403, "a SAR draft names people and accounts: your role sees redacted records only")
    try:
        body, media_type = _alerts.sar_document(store, alert_id, "html")
    except LookupError as exc:
        return error_page(404, str(exc))
    principal.audit(store, "sar_draft", "alert", alert_id, format="html")
    return Response(body, media_type=media_type)


@router.get("/cases")
def cases(principal: Worker, store: StoreDep) -> HTMLResponse:
    return render("cases.html", principal, cases=[_cases.present_case(c.model_dump(mode="json"), principal.redactor)
                                                  for c in visible_cases(store, principal.user, limit=200)])


@router.post("/cases")
def create_case(principal: Worker, store: StoreDep, title: Annotated[str, Form(min_length=1, max_length=300)],
                item: Annotated[str, Form(max_length=300)] = "") -> Response:
    try:
        items = [item_ref(principal.redactor, item)] if item.strip() else []
        case = _cases.create_case(store, title, principal.name, items)
    except (LookupError, ValueError) as exc:
        return error_page(422, str(exc))
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
    principal.audit(store, "case_created", "case", case.id, title=case.title, items=case.items)
    return _see(f"/cases/{case.id}")


@router.get("/cases/{case_id}")
def case(case_id: str, request: Request, principal: Worker, store: StoreDep) -> HTMLResponse:
    try:
        found, redactor = open_case(request, store, principal, case_id)
        view = _cases.case_view(store, case_id)
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
    principal.audit(store, "view", "case", case_id, view=redactor.audience)
    vis = visibility(store, found)
    return render("case.html", principal, v=_cases.present_view(view, redactor), view=redactor.audience,
                  vis=vis, can_share=principal.user.role in FULL_VIEW_ROLES,
                  can_change=principal.user.role in FULL_VIEW_ROLES or principal.name == vis.owner,
                  statuses=[s.value for s in CaseStatus])


@router.post("/cases/{case_id}/visibility")
def case_visibility(case_id: str, request: Request, principal: Worker, store: StoreDep, team: Field = "",
                    roles: Field = "", shared: Field = "") -> Response:
    def names(text: str) -> list[str]:
        return [n for n in (p.strip() for p in text.replace(";", ",").split(",")) if n]

    try:
        found, _ = open_case(request, store, principal, case_id)
        vis = set_visibility(store, found, principal.user, names(team), names(roles), names(shared))
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
    except PermissionError as exc:
        return error_page(403, str(exc))
    except ValueError as exc:
        return error_page(422, str(exc))
    principal.audit(store, "case_visibility", "case", case_id, **vis.as_dict())
    return _see(f"/cases/{case_id}")


@router.post("/cases/{case_id}/items")
def case_item(case_id: str, request: Request, principal: Worker, store: StoreDep,
              ref: Annotated[str, Form(max_length=300)]) -> Response:
    try:
        _, redactor = open_case(request, store, principal, case_id)
        real = item_ref(redactor, ref)
        _cases.add_item(store, case_id, real)
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
    except (LookupError, ValueError) as exc:
        return error_page(404 if isinstance(exc, LookupError) else 422, str(exc))
    principal.audit(store, "case_item_added", "case", case_id, ref=real)
    return _see(f"/cases/{case_id}")


@router.post("/cases/{case_id}/notes")
def case_note(case_id: str, request: Request, principal: Worker, store: StoreDep,
              text: Annotated[str, Form(min_length=1, max_length=20000)]) -> Response:
    try:
        open_case(request, store, principal, case_id)
        note = _cases.add_note(store, case_id, principal.name, text.replace("\x00", ""))
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
    except LookupError as exc:
        return error_page(404, str(exc))
    principal.audit(store, "case_note_added", "case", case_id, note_id=note["note_id"])
    return _see(f"/cases/{case_id}")


@router.post("/cases/{case_id}/status")
def case_status(case_id: str, request: Request, principal: Worker, store: StoreDep, status: Field) -> Response:
    try:
        open_case(request, store, principal, case_id)
        case = _cases.set_status(store, case_id, status)
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
    except (LookupError, ValueError) as exc:
        return error_page(404 if isinstance(exc, LookupError) else 422, str(exc))
    principal.audit(store, "case_status", "case", case_id, status=str(case.status))
    return _see(f"/cases/{case_id}")


@router.get("/lexicon")
def lexicon(request: Request, principal: Worker, store: StoreDep) -> HTMLResponse:
    layer = request.app.state.settings.lexicon_path
    items = [principal.present(s, "suggestion") for s in _lexicon.suggestions(store, layer)]
    return render("lexicon.html", principal, items=items, layer=str(layer))


@router.post("/lexicon")
def lexicon_review(request: Request, principal: Worker, store: StoreDep, term: Annotated[str, Form(max_length=100)],
                   decision: Field, meaning: Annotated[str, Form(max_length=200)] = "") -> Response:
    try:
        _lexicon.review(store, request.app.state.settings.lexicon_path, term, decision, principal.name, meaning)
    except ValueError as exc:
        return error_page(422, str(exc))
    principal.audit(store, f"lexicon_{decision}", "term", term, meaning=meaning)
    return _see("/lexicon")


@router.get("/audit")
def audit(principal: Worker, store: StoreDep, offset: int = 0) -> HTMLResponse:
    offset = max(0, min(offset, 10_000_000))
    events = [principal.present(e.model_dump(mode="json"), "audit_event")
              for e in audit_events(store, limit=100, offset=offset)]
    return render("audit.html", principal, events=events, chain=verify_audit(store), offset=offset, limit=100)


# -- the public tip line ------------------------------------------------------------------------------
@router.get("/tip")
def tip_form(request: Request, principal: Annotated[Principal | None, Depends(optional_principal)],
             done: str = "") -> HTMLResponse:
    request.session["tip_csrf"] = token = secrets.token_urlsafe(24)
    return render("tip.html", principal, tip_csrf=token, done=done[:40])


@router.post("/tip")
def tip(request: Request, store: StoreDep, principal: Annotated[Principal | None, Depends(optional_principal)],
        text: Field = "", url: Field = "", note: Field = "", contact: Field = "", tip_csrf: Field = "") -> Response:
    expected = request.session.pop("tip_csrf", None)
    if not expected or not secrets.compare_digest(expected, tip_csrf):
        return tip_form(request, principal)
    try:
        body = TipIn(text=text, url=url or None, note=note, contact=contact or None)
        result = receive_tip(request, store, body)
    except HTTPException as exc:
        request.session["tip_csrf"] = token = secrets.token_urlsafe(24)
        return render("tip.html", principal, code=exc.status_code, error=exc.detail, tip_csrf=token)
    except ValueError as exc:
        request.session["tip_csrf"] = token = secrets.token_urlsafe(24)
        return render("tip.html", principal, code=422, error=str(exc).splitlines()[0], tip_csrf=token)
    return _see(f"/tip?done={result['id']}")


@router.get("/api/docs")
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI from the package's vendored copy (static/vendor/swagger-ui): no CDN, no inline script."""
    return render("api_docs.html", title=request.app.title, openapi_url=request.app.openapi_url)


def install(app: FastAPI) -> None:
    """Add the pages and the static files to ``app``."""
    app.mount("/static", StaticFiles(directory=str(resources.files("wildtrace.web") / "static")), name="static")
    app.include_router(router)
