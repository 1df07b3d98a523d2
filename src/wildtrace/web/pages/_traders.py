"""Traders and accounts."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from wildtrace.api import CurrentUser, StoreDep
from wildtrace.link import list_traders, load_profile
from wildtrace.model import Account, AccountIdentifier, Post
from wildtrace.web.pages._render import error_page, render

router = APIRouter(include_in_schema=False)


@router.get("/traders")
def traders(principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    return render("traders.html", principal, traders=principal.present(list_traders(store, limit=200), "trader"))


@router.get("/traders/{trader_id:path}")
def trader(trader_id: str, principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    real = principal.lookup(trader_id)
    profile = load_profile(store, real) if real else None
    if profile is None or real is None:
        return error_page(404, f"no trader {trader_id!r}")
    principal.audit(store, "view", "trader", real)
    return render("profile.html", principal, title=f"Trader {trader_id}", profile=principal.present(profile, "trader"),
                  network=f"trader:{trader_id}")


@router.get("/accounts/{account_id:path}")
def account(account_id: str, principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    real = principal.lookup(account_id)
    found = store.get(Account, real) if real else None
    if found is None:
        return error_page(404, f"no account {account_id!r}")
    account_id = found.id
    principal.audit(store, "view", "account", account_id)
    member = store.query("SELECT trader_id, is_backup FROM link_members WHERE account_id = ?", [account_id])
    profile = {**found.model_dump(mode="json"),
               "trader_id": member[0]["trader_id"] if member else None,
               "is_backup": bool(member and member[0]["is_backup"]),
               "identifiers": [f"{i.kind}: {i.value} (seen in {i.seen_in} {i.seen_id})"
                               for i in store.find(AccountIdentifier, "account_id = ?", [account_id])],
               "posts": [{"id": p.id, "posted_at": p.posted_at, "text": p.text[:200]} for p in
                         store.find(Post, "account_id = ?", [account_id], order_by="posted_at DESC NULLS LAST, id",
                                    limit=100)]}
    shown = principal.present(profile, "account")
    return render("profile.html", principal, title=f"Account {shown.get('handle', '')}", profile=shown,
                  network=f"account:{shown.get('id', account_id)}")
