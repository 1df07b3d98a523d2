"""The overview and the review queue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from wildtrace import service
from wildtrace.api import CurrentUser, StoreDep, Worker, record_decision, withdraw_decision
from wildtrace.web.pages._render import Field, error_page, render, see

router = APIRouter(include_in_schema=False)


def _chart(by_day: list[dict[str, Any]], width: int = 900, height: int = 160) -> dict[str, Any]:
    days = sorted({r["day"] for r in by_day})[-60:]
    totals = {d: sum(r["n"] for r in by_day if r["day"] == d) for d in days}
    top = max(totals.values(), default=1) or 1
    step = width / max(len(days), 1)
    bars, order = [], ["high", "medium", "low", "none", "unscreened"]
    for i, day in enumerate(days):
        y = float(height)
        for r in sorted((r for r in by_day if r["day"] == day), key=lambda r: order.index(r["tier"])
                        if r["tier"] in order else 9):
            h = height * r["n"] / top
            y -= h
            bars.append({"x": round(i * step, 1), "y": round(y, 1), "w": round(step * 0.8, 1), "h": round(h, 1),
                         "tier": r["tier"], "day": day, "n": r["n"]})
    return {"width": width, "height": height, "bars": bars}


@router.get("/")
def overview(principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    data = principal.present(service.overview(store))
    return render("overview.html", principal, data=data, chart=_chart(data["by_day"]))


def _mode(order: str, around: str, seed: str, user: str) -> dict[str, Any]:
    """The queue's order: ``score`` (review) or a labelling sample, ``uncertain`` (nearest ``around``) or
    ``random`` (per ``seed``, by default the reviewer's name, so each reviewer walks their own sample)."""
    order = order if order in ("score", "uncertain", "random") else "score"
    try:
        cut = min(max(float(around), 0.0), 1.0)
    except ValueError:
        cut = 0.5
    return {"order": order, "around": cut, "seed": seed[:100] or user}


def _url(mode: dict[str, Any], offset: int = 0) -> str:
    params = {"order": mode["order"], **({"around": mode["around"]} if mode["order"] == "uncertain" else {}),
              **({"seed": mode["seed"]} if mode["order"] == "random" else {})} if mode["order"] != "score" else {}
    return "/review?" + urlencode({**params, **({"offset": offset} if offset else {})})


@router.get("/review")
def review(request: Request, principal: CurrentUser, store: StoreDep, offset: int = 0, order: str = "score",
           around: str = "0.5", seed: str = "") -> HTMLResponse:
    offset = max(0, min(offset, 10_000_000))
    mode = _mode(order, around, seed, principal.name)
    queue = service.queue(store, limit=11, offset=offset, order=mode["order"], around=mode["around"],
                          seed=mode["seed"])
    if not queue["items"] and offset:
        return see(_url(mode))  # type: ignore[return-value]
    detail = service.readable_post(store, service.post_detail(store, queue["items"][0]["post_id"])) if queue[
        "items"] else None
    if detail is not None:
        principal.audit(store, "view", "post", detail["post"]["id"])
    can_decide = principal.user.role in service.WORKERS
    last = service.last_decision(store, principal.name) if can_decide else None
    species, products = service.lexicon_choices(request.app.state.settings.lexicon_path)
    return render("review.html", principal, queue=principal.present(queue, "post"), d=principal.present(detail),
                  offset=offset, mode=mode, here=_url(mode, offset), skip=_url(mode, offset + 1),
                  last=principal.present(last.model_dump(mode="json"), "decision") if last else None,
                  species_choices=species, product_choices=products, can_decide=can_decide,
                  show_images=principal.sees_everything)


def _back(back: str) -> str:
    """Where a review form returns: a review page only (never another site)."""
    return back if back.startswith("/review") and not back.startswith("//") else "/review"


@router.post("/review/{post_id:path}/decide")
def decide(post_id: str, request: Request, principal: Worker, store: StoreDep, decision: Field, back: Field = "/review",
           note: Annotated[str, Form(max_length=2000)] = "", species: Annotated[list[str] | None, Form()] = None,
           products: Annotated[list[str] | None, Form()] = None) -> Response:
    """A decision with its note; ``species``/``products`` (the correction selects, pre-filled with the verdict's)
    become a correction when they differ from what screening named."""
    try:
        record_decision(request, store, principal, post_id, decision, note, species or [], products or [])
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
    return see(_back(back))


@router.post("/review/decisions/{decision_id}/undo")
def undo(decision_id: str, principal: Worker, store: StoreDep, back: Field = "/review") -> Response:
    try:
        withdraw_decision(store, principal, decision_id)
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
    return see(_back(back))


@router.get("/review/stats")
def stats(principal: Worker, store: StoreDep, days: int = 0) -> HTMLResponse:
    days = max(0, min(days, 36_500))
    since = datetime.now(UTC) - timedelta(days=days) if days else None
    return render("review_stats.html", principal, stats=principal.present(service.reviewer_stats(store, since)),
                  days=days)
