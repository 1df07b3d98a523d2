"""The FastAPI application: API routes, the pages, sessions, security headers and JSON errors."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from wildtrace.api._ratelimit import RateLimiter, Throttle
from wildtrace.api.routes import (
    admin,
    alerts,
    auth,
    captures,
    cases,
    check,
    lexicon,
    public,
    review,
    search,
    traders,
)
from wildtrace.config import Settings
from wildtrace.keys import installation_key
from wildtrace.log import get_logger
from wildtrace.service import MAX_ATTACHMENT_BYTES, Role
from wildtrace.share import Redactors, audience_for_role
from wildtrace.store import Store, StoreBusy

log = get_logger(__name__)
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def _lazy_screener(given: Any, model_dir: str) -> Callable[[], Any]:
    """The screener given, or the screening stage's model loaded on first use (None if not installed)."""
    lock, box = threading.Lock(), {"done": given is not None, "value": given}

    def get() -> Any:
        with lock:
            if not box["done"]:
                box["done"] = True
                try:
                    from wildtrace.screen import Screener  # the screen stage (issue 9)

                    box["value"] = Screener.load(model_dir or None)
                except ImportError:
                    log.warning("the screen stage is not installed: real-time post checks answer 503")
        return box["value"]
    return get


def _error(status: int, reason: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"reason": reason, **extra}, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if not request.url.path.startswith("/api"):
            if exc.status_code == 401:
                return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
            from wildtrace.web.pages import error_page

            return error_page(exc.status_code, str(exc.detail))
        return JSONResponse({"reason": str(exc.detail)}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"field": ".".join(str(p) for p in e.get("loc", ())), "message": e.get("msg", "")}
                  for e in exc.errors()]
        fields = ", ".join(e["field"] for e in errors)
        if not request.url.path.startswith("/api"):
            from wildtrace.web.pages import error_page

            return error_page(422, f"invalid input: {fields}")
        return _error(422, f"invalid input: {fields}", errors=errors)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:  # pragma: no cover - a bug, logged
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return _error(500, "internal error; it was logged")


_SECURITY_HEADERS = ((b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
                     (b"x-frame-options", b"DENY"), (b"referrer-policy", b"same-origin"))
_HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")


def _headers(headers: list[tuple[bytes, bytes]], https: bool) -> list[tuple[bytes, bytes]]:
    """The security headers a response lacks added; over HTTPS also HSTS, and every cookie ``Secure`` (the
    session cookie is never sent over plain HTTP)."""
    have = {name.lower() for name, _ in headers}
    headers = headers + [(name, value) for name, value in _SECURITY_HEADERS if name not in have]
    if not https:
        return headers
    return [(name, value + b"; Secure") if name.lower() == b"set-cookie" and b"secure" not in value.lower()
            else (name, value) for name, value in headers if name.lower() != _HSTS[0]] + [_HSTS]


class _Guard:
    """Every request but liveness holds the store for its whole length (a DuckDB file is opened per unit of
    work so that commands can use it in between), refuses a NUL byte in its URL and gets the security headers.
    A plain ASGI middleware: the store is joined on the event loop when it is open (a thread only when the file
    must be opened), and the response streams through untouched."""

    def __init__(self, app: ASGIApp, store: Store) -> None:
        self.app, self.store = app, store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or b"%00" in scope.get("raw_path", b"") or b"%00" in scope["query_string"]:
            await _error(422, "invalid input: the URL contains a NUL byte")(scope, receive, send)
            return
        if scope["method"] == "POST" and scope["path"].endswith("/attachments"):
            size = dict(scope["headers"]).get(b"content-length", b"").decode("latin-1")
            if not size.isdigit() or int(size) > MAX_ATTACHMENT_BYTES + 65536:  # refused before the body is read
                refusal = _error(413 if size.isdigit() else 411, f"an attachment upload must say its length and be "
                                                                 f"at most {MAX_ATTACHMENT_BYTES:,} bytes")
                await refusal(scope, receive, send)
                return
        if scope["path"] == "/api/live":  # liveness must not wait for the store
            await self.app(scope, receive, send)
            return
        try:
            if not self.store.enter(wait=False):
                await anyio.to_thread.run_sync(self.store.enter)
        except StoreBusy as exc:
            await _error(503, f"{exc}: a command is using the store; try again in a moment")(scope, receive, send)
            return
        https = scope.get("scheme") == "https"

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": _headers(list(message.get("headers", [])), https)}
            await send(message)

        try:
            await self.app(scope, receive, secured)
        finally:
            self.store.leave()


def create_app(store: Store, settings: Settings, screener: Any = None) -> FastAPI:
    """The workbench for ``store``. ``screener`` (a ``wildtrace.screen.Screener``) serves real-time post checks
    and screens tips; by default the screening stage's model is loaded on first use."""
    from wildtrace.web import pages

    app = FastAPI(title="WildTrace workbench", version="1", docs_url=None, redoc_url=None,  # /api/docs: web.pages
                  openapi_url="/api/openapi.json",
                  description="Review queue, cases, alerts, traders and networks, audit log and real-time checks.")
    app.state.store = store
    app.state.settings = settings
    app.state.screener = _lazy_screener(screener, settings.model)
    app.state.share_key = installation_key(settings, "share")
    app.state.redactors = Redactors(store, app.state.share_key)
    app.state.audiences = {role.value: audience_for_role(role.value) for role in Role}
    app.state.login_limiter = Throttle(limit=10, window=60)
    app.state.tip_limiter = RateLimiter(limit=20, window=3600)
    session_key = installation_key(settings, "session").decode()
    app.add_middleware(SessionMiddleware, secret_key=session_key, session_cookie="wildtrace_session",
                       same_site="lax", https_only=False, max_age=12 * 3600)

    app.add_middleware(_Guard, store=store)

    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    if proxies:  # outermost: the client address and scheme are settled before anything reads them
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)

    _install_error_handlers(app)
    for module in (public, auth, review, cases, captures, alerts, traders, search, lexicon, admin, check):
        app.include_router(module.router)
    pages.install(app)
    return app
