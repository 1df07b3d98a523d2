"""Users (admin only), the audit log and its verification, the tips received."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from wildtrace import service
from wildtrace.api._deps import Admin, StoreDep, Worker
from wildtrace.api._schemas import Short, UserIn

router = APIRouter(prefix="/api", tags=["admin"])


@router.get("/users")
def users(principal: Admin, store: StoreDep) -> dict:
    return {"items": [{"username": u.username, "role": u.role.value, "disabled": u.disabled}
                      for u in service.list_users(store)]}


@router.post("/users", status_code=201)
def create_user(body: UserIn, principal: Admin, store: StoreDep) -> dict:
    try:
        user = service.add_user(store, body.username, body.password, body.role)
    except ValueError as exc:
        raise HTTPException(409 if "exists" in str(exc) else 422, str(exc)) from None
    principal.audit(store, "user_added", "user", user.username, new_role=user.role.value)
    return {"username": user.username, "role": user.role.value, "disabled": False}


@router.post("/users/{username}/disable")
def disable_user(username: str, principal: Admin, store: StoreDep) -> dict:
    try:
        user = service.set_disabled(store, username, True)
    except ValueError as exc:
        raise HTTPException(404, str(exc)) from None
    principal.audit(store, "user_disabled", "user", username)
    return {"username": user.username, "role": user.role.value, "disabled": user.disabled}


@router.get("/users/{username}/tokens")
def user_tokens(username: str, principal: Admin, store: StoreDep) -> dict:
    """A user's API tokens: id, name, date, revoked (the tokens themselves are not kept)."""
    try:
        return {"items": service.list_tokens(store, username)}
    except ValueError as exc:
        raise HTTPException(404, str(exc)) from None


@router.post("/users/{username}/tokens/{token_id}/revoke")
def revoke_user_token(username: str, token_id: str, principal: Admin, store: StoreDep) -> dict:
    """Revoke one of a user's API tokens (by its id, or ``all``): refused from the next request on."""
    try:
        revoked = service.revoke_token(store, username, None if token_id == "all" else token_id)
    except (ValueError, LookupError) as exc:
        raise HTTPException(404, str(exc)) from None
    for rid in revoked:
        principal.audit(store, "token_revoked", "user", username, token_id=rid)
    return {"username": username, "revoked": revoked}


@router.get("/audit")
def audit(principal: Worker, store: StoreDep, actor: Short | None = None, object_kind: Short | None = None,
          object_id: Short | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
          offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> dict:
    """Audit events, newest first; a role shown pseudonyms filters by the pseudonym it is shown."""
    events = service.shown_audit_events(store, principal, actor, object_kind, object_id, limit, offset)
    return {"items": [principal.present(e.model_dump(mode="json"), "audit_event") for e in events], "limit": limit,
            "offset": offset}


@router.get("/audit/verify")
def verify(principal: Worker, store: StoreDep) -> dict:
    """Walk the hash chain: is every entry intact and in order?"""
    return service.verify_audit(store)


@router.get("/tips")
def tips(principal: Worker, store: StoreDep, limit: Annotated[int, Query(ge=1, le=500)] = 50,
         offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> dict:
    return {"items": [principal.present(t, "tip") for t in service.list_tips(store, limit, offset)]}
