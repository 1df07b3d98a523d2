"""The FastAPI application: API routes, the pages, sessions, security headers and JSON errors."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from wildtrace.api._ratelimit import RateLimiter, Throttle
from wildtrace.api.routes import admin, alerts, auth, captures, cases, check, lexicon, public, review, traders
from wildtrace.config import Settings
from wildtrace.keys import installation_key
from wildtrace.log import get_logger
from wildtrace.service import MAX_ATTACHMENT_BYTES
from wildtrace.share import Redactors
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


@asynccontextmanager
async def _store_session(store: Store) -> AsyncIterator[None]:
    """One request's hold on the store (a DuckDB file is opened per unit of work so that commands can use it)."""
    session = store.session()
    await anyio.to_thread.run_sync(session.__enter__)
    try:
        yield
    finally:
        await anyio.to_thread.run_sync(session.__exit__, None, None, None)


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


def _secure(response: Response) -> None:
    """Over HTTPS: HSTS, and every cookie ``Secure`` (the session cookie is never sent over plain HTTP)."""
    response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    response.raw_headers = [
        (name, value + b"; Secure") if name.lower() == b"set-cookie" and b"secure" not in value.lower()
        else (name, value) for name, value in response.raw_headers]


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
    app.state.login_limiter = Throttle(limit=10, window=60)
    app.state.tip_limiter = RateLimiter(limit=20, window=3600)
    session_key = installation_key(settings, "session").decode()
    app.add_middleware(SessionMiddleware, secret_key=session_key, session_cookie="wildtrace_session",
                       same_site="lax", https_only=False, max_age=12 * 3600)

    @app.middleware("http")
    async def guard(request: Request, call_next: Callable) -> Response:
        if "%00" in request.url.path or "\x00" in request.url.path or "%00" in request.url.query:
            return _error(422, "invalid input: the URL contains a NUL byte")
        if request.method == "POST" and request.url.path.endswith("/attachments"):
            size = request.headers.get("content-length", "")  # refused before the body is read (and spooled)
            if not size.isdigit() or int(size) > MAX_ATTACHMENT_BYTES + 65536:
                return _error(413 if size.isdigit() else 411, f"an attachment upload must say its length and be at "
                                                              f"most {MAX_ATTACHMENT_BYTES:,} bytes")
        if request.url.path == "/api/live":  # liveness must not wait for the store
            return await call_next(request)
        try:
            async with _store_session(request.app.state.store):
                response = await call_next(request)
        except StoreBusy as exc:
            return _error(503, f"{exc}: a command is using the store; try again in a moment")
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.url.scheme == "https":
            _secure(response)
        return response

    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    if proxies:  # outermost: the client address and scheme are settled before anything reads them
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=proxies)

    _install_error_handlers(app)
    for module in (public, auth, review, cases, captures, alerts, traders, lexicon, admin, check):
        app.include_router(module.router)
    pages.install(app)
    return app
