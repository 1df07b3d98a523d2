"""What every page shares: the template environment (autoescaped), rendering, error pages and redirects."""

from __future__ import annotations

from importlib import resources
from typing import Annotated, Any
from urllib.parse import quote

import jinja2
from fastapi import Form
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup, escape

from wildtrace.extract import identifier_occurrences
from wildtrace.service import Principal


def ident_link(kind: str, value: str, written: str | None = None) -> Markup:
    """A link to the page of identifier ``kind:value`` (as the user's role is shown it), named by its value or
    by how a text wrote it."""
    shown = written or (f"{value[:16]}…" if kind == "image_hash" and len(value) > 20 else value)
    return Markup('<a class="ident ident-{0}" href="/identifiers/{1}" title="{2} {3}">{4}</a>').format(
        kind, quote(f"{kind}:{value}", safe="/"), kind.replace("_", " "), value, shown)


def linked(text: str | None, links: bool = True) -> Markup:
    """``text`` escaped, each contact or payment identifier written in it a link to its page (the text stays as
    written). Only for a user shown the values (``links``): a redacted text has them scrubbed, and their pages
    answer by pseudonym."""
    if not text:
        return Markup("")
    if not links:
        return escape(text)
    out, cursor = [], 0
    for found in sorted(identifier_occurrences(text), key=lambda f: f.span):
        start, end = found.span
        if start < cursor:  # one identifier read as several kinds (an e-mail that is a QQ number): the first
            continue
        out += [escape(text[cursor:start]), ident_link(found.kind, found.value, text[start:end])]
        cursor = end
    out.append(escape(text[cursor:]))
    return Markup("").join(out)


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(resources.files("wildtrace.web") / "templates")),
    autoescape=True, undefined=jinja2.ChainableUndefined,
)
_env.globals["ident_link"] = ident_link
_env.filters["linked"] = linked
Field = Annotated[str, Form(max_length=20000)]


def render(template: str, principal: Principal | None = None, code: int = 200, **context: Any) -> HTMLResponse:
    html = _env.get_template(template).render(user=principal.user if principal else None,
                                              csrf=principal.csrf if principal else "",
                                              sees_values=bool(principal and principal.sees_everything), **context)
    return HTMLResponse(html, status_code=code)


def error_page(status: int, reason: str) -> HTMLResponse:
    return render("error.html", code=status, status=status, reason=reason)


def see(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)
