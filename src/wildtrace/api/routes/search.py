"""Search over posts, accounts, traders, identifiers and cases, and the page of one identifier."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from wildtrace import service
from wildtrace.api._deps import CurrentUser, StoreDep

router = APIRouter(prefix="/api", tags=["search"])


@router.get("/search")
def search(principal: CurrentUser, store: StoreDep, q: Annotated[str, Query(max_length=300)] = "",
           limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict:
    """Posts (full text, any script), accounts, traders, identifiers and cases holding every word of ``q``, as
    the asker's role is shown them (a role that sees pseudonyms finds by what it sees, and by pseudonym)."""
    principal.audit(store, "search", "search", q)
    return service.search(store, principal, q, limit)


@router.get("/identifiers/{ident:path}")
def identifier(ident: str, principal: CurrentUser, store: StoreDep) -> dict:
    """Everything carrying an identifier named ``kind:value`` (``kind:pseudonym`` for roles shown pseudonyms)."""
    page = service.identifier_page(store, principal, ident)
    if page is None:
        raise HTTPException(404, f"no identifier {ident!r}")
    return page
