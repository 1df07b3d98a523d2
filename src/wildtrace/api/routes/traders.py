"""Traders and accounts from the link stage, and the network graph that expands from them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from wildtrace import service
from wildtrace.api._deps import CurrentUser, StoreDep
from wildtrace.api._schemas import Short
from wildtrace.link import list_traders, load_profile

router = APIRouter(prefix="/api", tags=["traders"])


@router.get("/traders")
def traders(principal: CurrentUser, store: StoreDep, category: Short | None = None,
            limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict:
    """Traders (linked accounts) by number of flagged posts."""
    try:
        items = list_traders(store, category, limit)
    except ValueError as exc:  # not a category
        raise HTTPException(422, str(exc)) from None
    return principal.present({"items": items}, "trader")


@router.get("/traders/{trader_id:path}")
def trader(trader_id: str, principal: CurrentUser, store: StoreDep) -> dict:
    """A trader's profile: accounts (backups marked), identifiers, posts, prices, hours (by pseudonym for roles
    that see pseudonyms)."""
    real = principal.lookup(trader_id)
    profile = load_profile(store, real) if real else None
    if profile is None or real is None:
        raise HTTPException(404, f"no trader {trader_id!r} (run `wildtrace link run` first?)")
    principal.audit(store, "view", "trader", real)
    return principal.present(profile, "trader")


@router.get("/accounts/{account_id:path}")
def account(account_id: str, principal: CurrentUser, store: StoreDep,
            limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict:
    """An account with its identifiers, its trader and its newest posts (by pseudonym for roles that see
    pseudonyms)."""
    real = principal.lookup(account_id)
    view = service.account_view(store, real, limit) if real else None
    if view is None:
        raise HTTPException(404, f"no account {account_id!r}")
    principal.audit(store, "view", "account", view["account"]["id"])
    return principal.present(view)


@router.get("/network/{subject:path}")
def graph(subject: str, principal: CurrentUser, store: StoreDep,
          depth: Annotated[int, Query(ge=1, le=3)] = 1) -> dict:
    """Nodes and reasoned edges within ``depth`` steps of a trader, account, identifier or parcel (for roles that
    see pseudonyms: of a trader or account named by its pseudonym)."""
    real = service.real_subject(principal.redactor, subject)
    result = service.network(store, real, depth) if real else None
    if result is None:
        raise HTTPException(404, f"nothing called {subject!r} in the network")
    principal.audit(store, "view", "network", result["root"], depth=depth)
    if not principal.sees_everything:
        result = service.pseudonymous_network(result, principal.redactor)
    return principal.present(result)



@router.get("/network-path")
def path(source: Short, target: Short, principal: CurrentUser, store: StoreDep) -> dict:
    """The shortest chain of reasoned edges between two nodes (any the graph knows: trader, account, phone,
    wallet, waybill...), nodes in path order; ``found`` false when none within the nodes explored. Roles that
    see pseudonyms name both ends by pseudonym and walk traders and accounts only."""
    ends = [service.real_subject(principal.redactor, end) for end in (source, target)]
    if None in ends:
        raise HTTPException(404, f"nothing called {source if ends[0] is None else target!r} in the network")
    try:
        result = service.network_path(store, str(ends[0]), str(ends[1]), people=principal.sees_everything)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None
    principal.audit(store, "view", "network", result["root"], path_to=result["target"], found=result["found"])
    if not principal.sees_everything:
        result = {**service.pseudonymous_network(result, principal.redactor), "target": None}
    return principal.present(result)
