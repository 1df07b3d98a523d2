"""The pages: each calls the service layer (``wildtrace.service``) as the API does, renders a template
(autoescaped) and audits what the API would audit. Forms carry the session's CSRF token; keyboard shortcuts
live in ``static/app.js``. One module per area, each with its own router."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from wildtrace.web.pages import _admin, _alerts, _cases, _network, _posts, _review, _search, _session, _traders
from wildtrace.web.pages._render import error_page

__all__ = ["error_page", "install"]


def install(app: FastAPI) -> None:
    """Add the pages and the static files to ``app``."""
    app.mount("/static", StaticFiles(directory=str(resources.files("wildtrace.web") / "static")), name="static")
    for module in (_session, _admin, _review, _search, _posts, _traders, _network, _alerts, _cases):
        app.include_router(module.router)
