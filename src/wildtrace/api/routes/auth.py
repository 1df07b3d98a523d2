"""Sign in and out, who am I, API tokens. Sign-in is throttled by client address and by user name."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from wildtrace import service
from wildtrace.api._deps import SESSION_KEY, CurrentUser, Principal, StoreDep
from wildtrace.api._schemas import Login, TokenRequest
from wildtrace.store import Store

router = APIRouter(prefix="/api/auth", tags=["auth"])


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def sign_in(request: Request, store: Store, username: str, password: str) -> tuple[service.User, str]:
    """Wait for the throttle's turn, check the password, start a session in the cookie; (user, CSRF token).
    Raises 401 on a wrong name or password, 429 only when so many attempts wait that this one would wait over a
    minute. A throttled attempt is slowed, not refused: the right password signs in when its turn comes."""
    address = client_address(request)
    wait = request.app.state.login_limiter.wait(f"ip:{address}", f"user:{username}")
    if wait is None:
        await run_in_threadpool(service.record, store, username, "login_throttled", "user", username,
                                {"address": address, "refused": True})
        raise HTTPException(429, "too many sign-in attempts are waiting; try again in a minute",
                            headers={"Retry-After": "60"})
    if wait:
        await run_in_threadpool(service.record, store, username, "login_throttled", "user", username,
                                {"address": address, "waited": round(wait, 3)})
        await asyncio.sleep(wait)
    return await run_in_threadpool(_check_password, request, store, username, password, address)


def _check_password(request: Request, store: Store, username: str, password: str,
                    address: str) -> tuple[service.User, str]:
    user = service.authenticate(store, username, password)
    if user is None:
        service.record(store, username, "login_failed", "user", username, {"address": address})
        raise HTTPException(401, "wrong user name or password, or the account is disabled")
    sid, csrf = service.start_session(store, user.username)
    request.session.clear()
    request.session[SESSION_KEY] = sid
    service.record(store, user.username, "login", "user", user.username, {"address": address})
    return user, csrf


def sign_out(request: Request, store: Store, principal: Principal) -> None:
    """End the session (server side and in the cookie) and record it in the audit log."""
    sid = request.session.get(SESSION_KEY)
    if isinstance(sid, str):
        service.end_session(store, sid)
    request.session.clear()
    principal.audit(store, "logout", "user", principal.name)


@router.post("/login")
async def login(body: Login, request: Request, store: StoreDep) -> dict:
    """Start a session (cookie); send the returned ``csrf_token`` as ``X-CSRF-Token`` on later writes. Attempts
    over 10 a minute per address or user name are slowed (each waits its turn, 1 s doubling up to 10 s)."""
    user, csrf = await sign_in(request, store, body.username, body.password)
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
    token = service.create_token(store, principal.name, body.name)
    principal.audit(store, "token_created", "user", principal.name, name=body.name, token_id=service.token_id(token))
    return {"token": token, "name": body.name, "id": service.token_id(token)}


@router.get("/tokens")
def my_tokens(principal: CurrentUser, store: StoreDep) -> dict:
    """The signed-in user's API tokens (id, name, date, revoked)."""
    return {"items": service.list_tokens(store, principal.name)}


@router.delete("/tokens/{token_id}")
def revoke_my_token(token_id: str, principal: CurrentUser, store: StoreDep) -> dict:
    """Revoke one of the signed-in user's API tokens by its id: refused from the next request on."""
    try:
        revoked = service.revoke_token(store, principal.name, token_id)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None
    principal.audit(store, "token_revoked", "user", principal.name, token_id=revoked[0])
    return {"revoked": revoked}
