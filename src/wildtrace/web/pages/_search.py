"""The search page and the page of one identifier."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from wildtrace import service
from wildtrace.api import CurrentUser, StoreDep
from wildtrace.web.pages._render import error_page, render

router = APIRouter(include_in_schema=False)


@router.get("/search")
def search(principal: CurrentUser, store: StoreDep, q: str = "") -> HTMLResponse:
    q = q[:300]
    if q.strip():
        principal.audit(store, "search", "search", q)
    found = service.search(store, principal, q, limit=50)
    total = sum(len(found[g]) for g in service.SEARCH_GROUPS)
    return render("search.html", principal, q=found["query"], found=found, total=total)


@router.get("/identifiers/{ident:path}")
def identifier(ident: str, principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    page = service.identifier_page(store, principal, ident)
    if page is None:
        return error_page(404, f"no identifier {ident!r}")
    return render("identifier.html", principal, v=page, show_images=principal.sees_everything)
