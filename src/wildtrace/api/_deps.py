"""What routes share: the store, the signed-in principal, role checks, CSRF, redaction and auditing."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from starlette.concurrency import run_in_threadpool

from wildtrace.service import Principal, Role, User, known_session, known_token, session_user, user_for_token
from wildtrace.share import Redactor
from wildtrace.store import Store

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_KEY = "sid"


async def get_store(request: Request) -> Store:  # async: FastAPI runs a plain function in a worker thread
    store: Store = request.app.state.store
    return store


StoreDep = Annotated[Store, Depends(get_store)]


def redactor_for(request: Request, user: User) -> Redactor:
    """The redactor of the audience that ``user``'s role gets under the share policy (read when the app was made:
    reading the settings and the policy again costs more than a small request)."""
    return request.app.state.redactors(request.app.state.audiences[user.role.value])


async def optional_principal(request: Request, store: StoreDep) -> Principal | None:
    """The user of the request's API token or session: on the event loop when it was verified in the last
    seconds, else with a store query in a worker thread."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        token = auth[7:].strip()
        user = known_token(store, token) or await run_in_threadpool(user_for_token, store, token)
        if user is None:
            raise HTTPException(401, "the API token is unknown, revoked or its user disabled")
        return Principal(user, "token", redactor_for(request, user))
    sid = request.session.get(SESSION_KEY) if "session" in request.scope else None
    if not isinstance(sid, str):
        return None
    found = known_session(store, sid) or await run_in_threadpool(session_user, store, sid)
    return Principal(found[0], "session", redactor_for(request, found[0]), found[1]) if found else None


async def current_principal(request: Request, principal: Annotated[Principal | None, Depends(optional_principal)]
                            ) -> Principal:
    """The signed-in user; for a state-changing request over a session cookie, the CSRF token must match."""
    if principal is None:
        raise HTTPException(401, "sign in first (session cookie or 'Authorization: Bearer <token>')")
    if principal.via == "session" and request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token", "")
        if not sent and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = str((await request.form()).get("csrf_token", ""))
        if not sent or not hmac.compare_digest(sent, principal.csrf):
            raise HTTPException(403, "missing or wrong CSRF token")
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require(*roles: Role) -> Any:
    """A dependency that lets only ``roles`` through."""
    async def check(principal: CurrentUser) -> Principal:  # async: no worker thread for a comparison
        if principal.user.role not in roles:
            raise HTTPException(403, f"role {principal.user.role.value!r} may not do this "
                                     f"(needs {', '.join(r.value for r in roles)})")
        return principal
    return Depends(check)


Worker = Annotated[Principal, require(Role.ADMIN, Role.INVESTIGATOR, Role.ANALYST)]
Admin = Annotated[Principal, require(Role.ADMIN)]
Reader = CurrentUser
