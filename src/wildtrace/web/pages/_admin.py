"""Users (admin), lexicon review and the audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from wildtrace import service
from wildtrace.api import Admin, StoreDep, Worker
from wildtrace.model import AuditEvent
from wildtrace.service import Principal
from wildtrace.web.pages._render import Field, error_page, render, see

router = APIRouter(include_in_schema=False)


def _users_page(principal: Principal, store: Any, code: int = 200, error: str = "") -> HTMLResponse:
    users = service.list_users(store)
    return render("admin_users.html", principal, code=code, users=users,
                  tokens={u.username: service.list_tokens(store, u.username) for u in users},
                  roles=[r.value for r in service.Role], error=error)


@router.get("/admin/users")
def admin_users(principal: Admin, store: StoreDep) -> HTMLResponse:
    return _users_page(principal, store)


@router.post("/admin/users")
def admin_add_user(principal: Admin, store: StoreDep, username: Annotated[str, Form(max_length=64)],
                   password: Annotated[str, Form(max_length=200)],
                   role: Annotated[str, Form(max_length=20)]) -> Response:
    try:
        user = service.add_user(store, username, password, role)
    except ValueError as exc:
        return _users_page(principal, store, 409 if "exists" in str(exc) else 422, str(exc))
    principal.audit(store, "user_added", "user", user.username, new_role=user.role.value)
    return see("/admin/users")


@router.post("/admin/users/{username}")
def admin_change_user(principal: Admin, store: StoreDep, username: str, action: Annotated[str, Form(max_length=20)],
                      role: Annotated[str, Form(max_length=20)] = "",
                      token: Annotated[str, Form(max_length=64)] = "") -> Response:
    """``action``: ``disable``, ``enable``, ``role`` (with ``role``) or ``revoke`` (with the ``token``'s id)."""
    try:
        if action == "revoke":
            for rid in service.revoke_token(store, username, token):
                principal.audit(store, "token_revoked", "user", username, token_id=rid)
        elif action in ("disable", "enable"):
            service.set_disabled(store, username, action == "disable")
            principal.audit(store, f"user_{action}d", "user", username)
        elif action == "role":
            user = service.set_role(store, username, role)
            principal.audit(store, "user_role_changed", "user", username, new_role=user.role.value)
        else:
            raise ValueError(f"action {action!r} is not one of disable, enable, role, revoke")
    except LookupError as exc:
        return _users_page(principal, store, 404, str(exc))
    except ValueError as exc:
        return _users_page(principal, store, 404 if str(exc).startswith("no user") else 422, str(exc))
    return see("/admin/users")


@router.get("/lexicon")
def lexicon(request: Request, principal: Worker, store: StoreDep) -> HTMLResponse:
    layer = request.app.state.settings.lexicon_path
    items = [principal.present(s, "suggestion") for s in service.suggestions(store, layer)]
    return render("lexicon.html", principal, items=items, layer=str(layer))


@router.post("/lexicon")
def lexicon_review(request: Request, principal: Worker, store: StoreDep, term: Annotated[str, Form(max_length=100)],
                   decision: Field, meaning: Annotated[str, Form(max_length=200)] = "") -> Response:
    try:
        service.review_term(store, request.app.state.settings.lexicon_path, term, decision, principal.name, meaning)
    except ValueError as exc:
        return error_page(422, str(exc))
    principal.audit(store, f"lexicon_{decision}", "term", term, meaning=meaning)
    return see("/lexicon")


def _audit_row(principal: Principal, event: AuditEvent) -> dict[str, Any]:
    """An audit event as the user may see it; an identifier it names presented as an identifier (kind and value
    apart, so that the row links to the identifier's page by what the user is shown)."""
    row: dict[str, Any] = principal.present(event.model_dump(mode="json"), "audit_event")
    kind, _, value = event.object_id.partition(":")
    if event.object_kind == "identifier" and kind in service.IDENTIFIER_KINDS and value:
        row["identifier"] = {"kind": kind, "value": service.shown_identifier(principal.redactor, kind, value)}
    return row


@router.get("/audit")
def audit(principal: Worker, store: StoreDep, offset: int = 0) -> HTMLResponse:
    offset = max(0, min(offset, 10_000_000))
    events = [_audit_row(principal, e) for e in service.audit_events(store, limit=100, offset=offset)]
    return render("audit.html", principal, events=events, chain=service.verify_audit(store), offset=offset, limit=100)
