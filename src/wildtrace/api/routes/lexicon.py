"""Lexicon review: suggested code words, accepted into the analysts' layer or rejected."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from wildtrace import service
from wildtrace.api._deps import StoreDep, Worker
from wildtrace.api._schemas import LexiconReview

router = APIRouter(prefix="/api/lexicon", tags=["lexicon"])


@router.get("/suggestions")
def suggestions(request: Request, principal: Worker, store: StoreDep,
                limit: Annotated[int, Query(ge=1, le=200)] = 30) -> dict:
    """Candidate code words over-represented in high-scoring posts, not reviewed yet."""
    items = service.suggestions(store, request.app.state.settings.lexicon_path, limit)
    return {"items": [principal.present(s, "suggestion") for s in items]}


@router.post("/reviews", status_code=201)
def review(body: LexiconReview, request: Request, principal: Worker, store: StoreDep) -> dict:
    """Accept a term into the lexicon (as a code word with its meaning) or reject it."""
    try:
        row = service.review_term(store, request.app.state.settings.lexicon_path, body.term, body.decision,
                              principal.name, body.meaning)
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    principal.audit(store, f"lexicon_{body.decision}", "term", body.term, meaning=body.meaning)
    return row
