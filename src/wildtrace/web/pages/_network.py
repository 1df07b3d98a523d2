"""The network view (the graph itself is drawn by ``static/network.js`` from the API)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from wildtrace import service
from wildtrace.api import CurrentUser, StoreDep
from wildtrace.web.pages._render import error_page, render

router = APIRouter(include_in_schema=False)
# Edge kinds of the graph and their names in the legend and the filter.
EDGE_KINDS = [("member", "account of a trader"), ("link", "linked accounts"), ("identifier", "shares an identifier"),
              ("payment", "money"), ("parcel", "parcel")]


@router.get("/network/{subject:path}")
def network(subject: str, principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    real = service.real_subject(principal.redactor, subject)
    root = service.resolve(store, real) if real else None
    root = root if principal.sees_everything or root is None else subject
    if root is None:
        return error_page(404, f"nothing called {subject!r} in the network")
    cases = ([service.present_case(c.model_dump(mode="json"), principal.redactor)
              for c in service.visible_cases(store, principal.user, limit=200)]
             if principal.user.role in service.WORKERS else None)
    kinds = EDGE_KINDS if principal.sees_everything else EDGE_KINDS[:2]  # others see traders and accounts only
    return render("network.html", principal, root=root, cases=cases, edge_kinds=kinds,
                  sees_everything=principal.sees_everything)
