"""Signing in and out, the public tip line and the API docs."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from wildtrace.api import CurrentUser, StoreDep, TipIn, optional_principal, receive_tip, sign_in, sign_out
from wildtrace.service import Principal
from wildtrace.web.pages._render import Field, render, see

router = APIRouter(include_in_schema=False)


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
    return see(next if next.startswith("/") and not next.startswith("//") else "/")


@router.post("/logout")
def logout(request: Request, principal: CurrentUser, store: StoreDep) -> Response:
    sign_out(request, store, principal)
    return see("/login")


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
    return see(f"/tip?done={result['id']}")


@router.get("/api/docs")
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI from the package's vendored copy (static/vendor/swagger-ui): no CDN, no inline script."""
    return render("api_docs.html", title=request.app.title, openapi_url=request.app.openapi_url)
