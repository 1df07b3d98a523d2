"""Captures sent while browsing: the browser extension posts the page, its screenshot and the selection."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from wildtrace import service
from wildtrace.api._deps import StoreDep, Worker


class CaptureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: Annotated[str, Field(min_length=8, max_length=2000, pattern=r"^https?://")]
    title: Annotated[str, Field(max_length=2000)] = ""
    html: Annotated[str, Field(max_length=20_000_000)]
    screenshot: Annotated[str, Field(max_length=40_000_000)]
    selection: Annotated[str, Field(max_length=100_000)] = ""


router = APIRouter(prefix="/api/captures", tags=["captures"])


@router.post("", status_code=201)
def capture(body: CaptureIn, principal: Worker, store: StoreDep, request: Request) -> dict:
    """Preserve a page as the user's browser shows it (WARC with the DOM, the screenshot and the selection,
    chained in the capture log) and queue it for review as a post."""
    from wildtrace.evidence import Evidence

    try:
        png = service.screenshot_bytes(body.screenshot)
        evidence = Evidence(store, request.app.state.settings.data_path)
        done = service.capture_from_browser(evidence, body.url, body.html, png, body.selection, body.title,
                                            principal.name, request.app.state.screener())
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    principal.audit(store, "capture", "post", done["post_id"], capture=done["capture"])
    return done
