"""The overview and the review queue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from wildtrace import service
from wildtrace.api import CurrentUser, StoreDep, Worker
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


@router.get("/review")
def review(principal: CurrentUser, store: StoreDep, offset: int = 0) -> HTMLResponse:
    offset = max(0, min(offset, 10_000_000))
    queue = service.queue(store, limit=11, offset=offset)
    if not queue["items"] and offset:
        return see("/review")  # type: ignore[return-value]
    detail = service.post_detail(store, queue["items"][0]["post_id"]) if queue["items"] else None
    if detail is not None:
        principal.audit(store, "view", "post", detail["post"]["id"])
    return render("review.html", principal, queue=principal.present(queue, "post"), d=principal.present(detail),
                  offset=offset, can_decide=principal.user.role in service.WORKERS,
                  show_images=principal.sees_everything)


@router.post("/review/{post_id:path}/decide")
def decide(post_id: str, principal: Worker, store: StoreDep, decision: Field, offset: Field = "0",
           note: Field = "") -> Response:
    try:
        row = service.decide(store, post_id, decision, principal.name, note)
    except LookupError as exc:
        return error_page(404, str(exc))
    except ValueError:
        return error_page(422, f"decision must be confirm, dismiss or escalate, not {decision[:40]!r}")
    principal.audit(store, "decide", "post", post_id, decision=str(row.decision), decision_id=row.id)
    return see(f"/review?offset={int(offset) if offset.isdigit() else 0}")
