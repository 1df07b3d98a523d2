"""Traders and accounts from the link stage, and the network graph that expands from them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from wildtrace.api._deps import CurrentUser, Principal, StoreDep
from wildtrace.api._network import network
from wildtrace.api._schemas import Short
from wildtrace.link import list_traders, load_profile
from wildtrace.model import Account, AccountIdentifier, Post

router = APIRouter(prefix="/api", tags=["traders"])


@router.get("/traders")
def traders(principal: CurrentUser, store: StoreDep, category: Short | None = None,
            limit: Annotated[int, Query(ge=1, le=500)] = 50) -> dict:
    """Traders (linked accounts) by number of flagged posts."""
    return principal.present({"items": list_traders(store, category, limit)}, "trader")


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
    found = store.get(Account, real) if real else None
    if found is None:
        raise HTTPException(404, f"no account {account_id!r}")
    idents = store.find(AccountIdentifier, "account_id = ?", [found.id])
    posts = store.find(Post, "account_id = ?", [found.id], order_by="posted_at DESC NULLS LAST, id", limit=limit)
    member = store.query("SELECT trader_id, is_backup FROM link_members WHERE account_id = ?", [found.id])
    principal.audit(store, "view", "account", found.id)
    return principal.present({
        "account": found.model_dump(mode="json"), "identifiers": [i.model_dump(mode="json") for i in idents],
        "trader_id": member[0]["trader_id"] if member else None, "is_backup": bool(member and member[0]["is_backup"]),
        "posts": [{"id": p.id, "posted_at": p.posted_at.isoformat() if p.posted_at else None, "text": p.text[:280]}
                  for p in posts]})


@router.get("/network/{subject:path}")
def graph(subject: str, principal: CurrentUser, store: StoreDep,
          depth: Annotated[int, Query(ge=1, le=3)] = 1) -> dict:
    """Nodes and reasoned edges within ``depth`` steps of a trader, account, identifier or parcel (for roles that
    see pseudonyms: of a trader or account named by its pseudonym)."""
    real = real_subject(principal, subject)
    result = network(store, real, depth) if real else None
    if result is None:
        raise HTTPException(404, f"nothing called {subject!r} in the network")
    principal.audit(store, "view", "network", result["root"], depth=depth)
    if not principal.sees_everything:
        result = pseudonymous_network(result, principal)
    return principal.present(result)


def real_subject(principal: Principal, subject: str) -> str | None:
    """The network node a user means: as given for roles that see everything; for others a trader or account
    named by its pseudonym (``trader:h:...``, ``account:h:...`` or bare)."""
    if principal.sees_everything:
        return subject
    kind, _, key = subject.partition(":") if subject.startswith(("trader:", "account:")) else ("", "", subject)
    real = principal.lookup(key)
    return None if real is None else f"{kind}:{real}" if kind else real


def pseudonymous_network(graph: dict, principal: Principal) -> dict:
    """Traders and accounts only (identifiers, payment accounts and parcels are personal data), named by their
    pseudonyms (``trader:h:...``, which expand again); edges keep their (scrubbed) reasons."""
    def hide(node: str) -> str:
        kind, _, key = node.partition(":")
        return f"{kind}:{principal.redactor.pseudonym(key)}"

    keep = {n["id"] for n in graph["nodes"] if n["kind"] in ("trader", "account")}
    nodes = [{"id": hide(n["id"]), "kind": n["kind"], "label": hide(n["id"]), "backup": n.get("backup", False)}
             for n in graph["nodes"] if n["id"] in keep]
    edges = [{**e, "source": hide(e["source"]), "target": hide(e["target"])} for e in graph["edges"]
             if e["source"] in keep and e["target"] in keep]
    return {**graph, "root": hide(graph["root"]), "nodes": nodes, "edges": edges}
