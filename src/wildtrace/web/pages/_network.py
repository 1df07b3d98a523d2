"""The network view (the graph itself is drawn by ``static/network.js`` from the API)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from wildtrace import service
from wildtrace.api import CurrentUser, StoreDep
from wildtrace.web.pages._render import error_page, render

router = APIRouter(include_in_schema=False)


@router.get("/network/{subject:path}")
def network(subject: str, principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    real = service.real_subject(principal.redactor, subject)
    root = service.resolve(store, real) if real else None
    root = root if principal.sees_everything or root is None else subject
    if root is None:
        return error_page(404, f"nothing called {subject!r} in the network")
    return render("network.html", principal, root=root)
