"""Traders and accounts."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from wildtrace import service
from wildtrace.api import CurrentUser, StoreDep
from wildtrace.link import list_traders
from wildtrace.web.pages._render import error_page, render

router = APIRouter(include_in_schema=False)


@router.get("/traders")
def traders(principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    return render("traders.html", principal, traders=principal.present(list_traders(store, limit=200), "trader"))


@router.get("/traders/{trader_id:path}")
def trader(trader_id: str, principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    real = principal.lookup(trader_id)
    view = service.trader_view(store, real) if real else None
    if view is None or real is None:
        return error_page(404, f"no trader {trader_id!r}")
    principal.audit(store, "view", "trader", real)
    return render("trader.html", principal, v=service.present_trader_view(view, principal.redactor),
                  shown_id=trader_id, can_case=principal.user.role in service.WORKERS)


@router.get("/accounts/{account_id:path}")
def account(account_id: str, principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    real = principal.lookup(account_id)
    view = service.account_view(store, real, limit=100) if real else None
    if view is None:
        return error_page(404, f"no account {account_id!r}")
    principal.audit(store, "view", "account", view["account"]["id"])
    return render("account.html", principal, v=principal.present(view))
