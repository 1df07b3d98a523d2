"""Overview, review queue, posts with their explanation, decisions (training labels), media."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response

from wildtrace import service
from wildtrace.api._deps import CurrentUser, StoreDep, Worker
from wildtrace.api._schemas import DecisionIn, Short
from wildtrace.evidence import Evidence, sha256_bytes, sniff_type
from wildtrace.model import Decision, MediaItem
from wildtrace.service import Principal
from wildtrace.store import Store

router = APIRouter(prefix="/api", tags=["review"])
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
_SHA256 = re.compile(r"[0-9a-f]{64}")
_SVG = re.compile(rb"<svg[\s>]", re.IGNORECASE)


@router.get("/overview")
def overview(principal: CurrentUser, store: StoreDep) -> dict:
    """Volumes by day, platform, species and tier; the newest high-tier posts."""
    return principal.present(service.overview(store))


@router.get("/queue")
def queue(principal: CurrentUser, store: StoreDep,
          tier: Annotated[list[service.Tier] | None, Query(description="tiers to show (default high, medium)")] = None,
          platform: Short | None = None, species: Short | None = None,
          status: Annotated[service.QueueStatus, Query()] = "pending", limit: Limit = 50, offset: Offset = 0,
          order: Annotated[service.QueueOrder, Query(description="score (review), uncertain or random (sampling for "
                                                                 "labelling; every tier by default)")] = "score",
          around: Annotated[float, Query(ge=0, le=1, description="with order=uncertain: the cut-off")] = 0.5,
          seed: Short = "") -> dict:
    """Screened posts and public tips waiting for review, by tier then score; or a sample for labelling."""
    return principal.present(service.queue(store, list(tier) if tier else None, platform, species, status, limit,
                                           offset, order, around, seed), "post")


@router.get("/posts/{post_id:path}")
def post(post_id: str, principal: CurrentUser, store: StoreDep) -> dict:
    """One post: text cut into highlighted spans, OCR text, images, verdict, account and decisions."""
    detail = service.post_detail(store, post_id)
    if detail is None:
        raise HTTPException(404, f"no post {post_id!r}")
    principal.audit(store, "view", "post", post_id)
    return principal.present(detail)


@router.post("/posts/{post_id:path}/decisions", status_code=201)
def decide(post_id: str, body: DecisionIn, request: Request, principal: Worker, store: StoreDep) -> dict:
    """Confirm, dismiss or escalate a post; the decision becomes a training label, and a ``correction`` of the
    species and products it names (lexicon ids) a label of what it sells."""
    correction = body.correction
    row = record_decision(request, store, principal, post_id, body.decision, body.note,
                          correction.species if correction else None, correction.products if correction else None)
    return principal.present(row.model_dump(mode="json"), "decision")


def record_decision(request: Request, store: Store, principal: Principal, post_id: str, decision: str, note: str,
                    species: list[str] | None, products: list[str] | None) -> Decision:
    """``service.decide`` with the correction checked against the lexicon, audited (the review page calls it)."""
    try:
        correction = service.parse_correction(species, products, request.app.state.settings.lexicon_path)
        row = service.decide(store, post_id, decision, principal.name, note, correction)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    fixed = service.corrections(store, [row.id]).get(row.id)
    principal.audit(store, "decide", "post", post_id, decision=str(row.decision), decision_id=row.id,
                    note=row.note, **({"correction": fixed} if fixed else {}))
    return row


@router.post("/decisions/{decision_id}/undo")
def undo(decision_id: str, principal: Worker, store: StoreDep) -> dict:
    """Withdraw one's own decision (admins: anyone's) and its correction: the post is pending again and the
    label is gone; the audit log keeps what it was."""
    return principal.present(withdraw_decision(store, principal, decision_id).model_dump(mode="json"), "decision")


def withdraw_decision(store: Store, principal: Principal, decision_id: str) -> Decision:
    """``service.undo_decision`` for ``principal``, audited with what was withdrawn (the review page calls it)."""
    fixed = service.corrections(store, [decision_id]).get(decision_id)
    try:
        row = service.undo_decision(store, decision_id, principal.name, principal.user.role == service.Role.ADMIN)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from None
    principal.audit(store, "decision_undone", "post", row.post_id, decision_id=row.id, decision=str(row.decision),
                    decided_by=row.decided_by, note=row.note, **({"correction": fixed} if fixed else {}))
    return row


@router.get("/decisions")
def decisions(principal: Worker, store: StoreDep, limit: Limit = 100, offset: Offset = 0) -> dict:
    """Decisions as labels (1 confirm/escalate, 0 dismiss) with reviewers' species/product corrections, newest
    first; an export, so audited."""
    rows = store.find(Decision, order_by="decided_at DESC, id", limit=limit, offset=offset)
    fixed = service.corrections(store, [d.id for d in rows])
    principal.audit(store, "export", "decisions", "", n=len(rows), offset=offset)
    return {"total": store.count(Decision),
            "items": [principal.present({**d.model_dump(mode="json"), "label": d.label, "correction": fixed.get(d.id)},
                                        "decision") for d in rows]}


@router.get("/reviews/stats")
def review_stats(principal: Worker, store: StoreDep,
                 days: Annotated[int, Query(ge=0, le=36_500, description="0: all time")] = 0) -> dict:
    """Per reviewer: decisions by kind, with a note, corrected, undone, and agreement with the model."""
    since = datetime.now(UTC) - timedelta(days=days) if days else None
    return principal.present(service.reviewer_stats(store, since))


@router.get("/media/{sha256}", response_class=Response,
            responses={200: {"content": {"image/png": {}, "image/jpeg": {}}, "description": "the picture"}})
def media(sha256: str, request: Request, principal: CurrentUser, store: StoreDep) -> Response:
    """A picture of a post, read from the evidence store by its SHA-256 (never from a path a record holds) and
    checked against it, sent with the type its bytes show. An SVG (it can carry script) is only downloaded, as
    an attachment; anything that is not a picture is refused."""
    if not principal.sees_everything:
        raise HTTPException(403, "images may show phone numbers and IDs; your role sees the redacted OCR text only")
    if not _SHA256.fullmatch(sha256) or store.get(MediaItem, sha256) is None:
        raise HTTPException(404, f"no image {sha256!r}")
    blobs = Evidence(store, request.app.state.settings.data_path).blobs
    data = blobs.get(sha256) if blobs.has(sha256) else None
    if data is None or sha256_bytes(data) != sha256:
        raise HTTPException(404, f"image {sha256!r} is not in the evidence store (or does not match its hash)")
    mime = sniff_type(data)
    headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox"}
    if mime is None and _SVG.search(data[:4096]):
        principal.audit(store, "view", "media", sha256, served="attachment")
        return Response(data, media_type="application/octet-stream",
                        headers={**headers, "Content-Disposition": f'attachment; filename="{sha256}.svg"'})
    if mime is None or not mime.startswith("image/"):
        raise HTTPException(415, f"{sha256!r} is not a picture ({mime or 'unknown type'}); it is not served")
    principal.audit(store, "view", "media", sha256)
    return Response(data, media_type=mime, headers={**headers, "Content-Disposition": "inline"})
