"""A post's page."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from wildtrace import service
from wildtrace.api import CurrentUser, StoreDep
from wildtrace.web.pages._render import error_page, render

router = APIRouter(include_in_schema=False)


@router.get("/posts/{post_id:path}")
def post(post_id: str, principal: CurrentUser, store: StoreDep) -> HTMLResponse:
    detail = service.readable_post(store, service.post_detail(store, post_id))
    if detail is None:
        return error_page(404, f"no post {post_id!r}")
    principal.audit(store, "view", "post", post_id)
    return render("post.html", principal, d=principal.present(detail), show_images=principal.sees_everything)
