"""Sign in and out, who am I, API tokens. Sign-in is rate limited by client address and by user name."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request

from wildtrace.api import _audit
from wildtrace.api._deps import SESSION_KEY, CurrentUser, Principal, StoreDep
from wildtrace.api._schemas import Login, TokenRequest
from wildtrace.api._sessions import end_session, start_session
from wildtrace.api._users import User, authenticate, create_token
from wildtrace.store import Store

router = APIRouter(prefix="/api/auth", tags=["auth"])


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def sign_in(request: Request, store: Store, username: str, password: str) -> tuple[User, str]:
    """Check the rate limits and the password, start a session in the cookie; (user, CSRF token).
    Raises 429 when over the limit and 401 on a wrong name or password."""
    limiter = request.app.state.login_limiter
    address = client_address(request)
    if not (limiter.allow(f"ip:{address}") and limiter.allow(f"user:{username}")):
        _audit.record(store, username, "login_throttled", "user", username, {"address": address})
        raise HTTPException(429, "too many sign-in attempts; wait a minute",
                            headers={"Retry-After": str(limiter.retry_after(f"ip:{address}"))})
    user = authenticate(store, username, password)
    if user is None:
        _audit.record(store, username, "login_failed", "user", username, {"address": address})
        raise HTTPException(401, "wrong user name or password, or the account is disabled")
    sid, csrf = start_session(store, user.username)
    request.session.clear()
    request.session[SESSION_KEY] = sid
    _audit.record(store, user.username, "login", "user", user.username, {"address": address})
    return user, csrf


def sign_out(request: Request, store: Store, principal: Principal) -> None:
    """End the session (server side and in the cookie) and record it in the audit log."""
    sid = request.session.get(SESSION_KEY)
    if isinstance(sid, str):
        end_session(store, sid)
    request.session.clear()
    principal.audit(store, "logout", "user", principal.name)


@router.post("/login")
def login(body: Login, request: Request, store: StoreDep) -> dict:
    """Start a session (cookie); send the returned ``csrf_token`` as ``X-CSRF-Token`` on later writes."""
    user, csrf = sign_in(request, store, body.username, body.password)
    return {"username": user.username, "role": user.role.value, "csrf_token": csrf}


@router.post("/logout")
def logout(request: Request, principal: CurrentUser, store: StoreDep) -> dict:
    sign_out(request, store, principal)
    return {"ok": True}


@router.get("/me")
def me(principal: CurrentUser) -> dict:
    return {"username": principal.name, "role": principal.user.role.value, "audience": principal.audience,
            "csrf_token": principal.csrf or None}


@router.post("/tokens")
def new_token(body: TokenRequest, principal: CurrentUser, store: StoreDep) -> dict:
    """A new API token for the signed-in user (shown once)."""
    token = create_token(store, principal.name, body.name)
    principal.audit(store, "token_created", "user", principal.name, name=body.name)
    return {"token": token, "name": body.name}
