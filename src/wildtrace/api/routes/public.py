"""What needs no account: health and the public tip line (size and rate limited)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse

from wildtrace import service
from wildtrace.api._deps import StoreDep
from wildtrace.api._schemas import TipIn
from wildtrace.api.routes.auth import client_address
from wildtrace.store import Store

router = APIRouter(prefix="/api", tags=["public"])


@router.get("/health")
def health(store: StoreDep) -> dict:
    """Liveness and the store's schema version."""
    return {"ok": True, "schema_version": store.schema_version()}


@router.get("/live")
def live() -> dict:
    """Liveness for a load balancer: the process answers (the store is not touched)."""
    return {"live": True}


@router.get("/ready")
def ready(store: StoreDep) -> JSONResponse:
    """Readiness for a load balancer: the store answers and is migrated to this release's schema (503 if not)."""
    try:
        pending, version = store.pending_migrations(), store.schema_version()
    except Exception as exc:  # the store is down or unreachable: not ready, never a crash
        return JSONResponse({"ready": False, "reason": f"store unreachable: {type(exc).__name__}"}, status_code=503)
    if pending:
        return JSONResponse({"ready": False, "reason": f"the store lacks {len(pending)} migrations of this release: "
                                                      "run `wildtrace migrate`"}, status_code=503)
    return JSONResponse({"ready": True, "schema_version": version})


def receive_tip(request: Request, store: Store, body: TipIn) -> dict:
    """Rate-limit by client address, then queue the tip for review."""
    if not (body.text.strip() or body.url):
        raise HTTPException(422, "give the text of the post or its URL")
    limiter = request.app.state.tip_limiter
    address = client_address(request)
    if not limiter.allow(address):
        raise HTTPException(429, "too many tips from this address; try again later",
                            headers={"Retry-After": str(limiter.retry_after(address))})
    tip = service.submit_tip(store, body.text, body.url, body.note, body.contact, request.app.state.screener())
    service.record(store, "public", "tip_received", "post", tip["post_id"], {"has_url": bool(body.url)})
    return tip


@router.post("/tips", status_code=201)
def tip(body: TipIn, request: Request, store: StoreDep) -> dict:
    """Report a post or URL without an account; it lands in the review queue."""
    return receive_tip(request, store, body)
