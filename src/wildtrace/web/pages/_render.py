"""What every page shares: the template environment (autoescaped), rendering, error pages and redirects."""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any

import jinja2
from fastapi import Form
from fastapi.responses import HTMLResponse, RedirectResponse

from wildtrace.service import Principal

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(resources.files("wildtrace.web") / "templates")),
    autoescape=True, undefined=jinja2.ChainableUndefined,
)
Field = Annotated[str, Form(max_length=20000)]


def render(template: str, principal: Principal | None = None, code: int = 200, **context: Any) -> HTMLResponse:
    html = _env.get_template(template).render(user=principal.user if principal else None,
                                              csrf=principal.csrf if principal else "", **context)
    return HTMLResponse(html, status_code=code)


def error_page(status: int, reason: str) -> HTMLResponse:
    return render("error.html", code=status, status=status, reason=reason)


def see(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)
