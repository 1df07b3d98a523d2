"""Cases: list, create, view, visibility, items, notes and status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from wildtrace import service
from wildtrace.api import StoreDep, Worker, attach_file, attachment_download, item_ref, open_case
from wildtrace.model import CaseStatus
from wildtrace.web.pages._render import Field, error_page, render, see

router = APIRouter(include_in_schema=False)


@router.get("/cases")
def cases(principal: Worker, store: StoreDep) -> HTMLResponse:
    return render("cases.html", principal, cases=[service.present_case(c.model_dump(mode="json"), principal.redactor)
                                                  for c in service.visible_cases(store, principal.user, limit=200)])


@router.post("/cases")
def create_case(principal: Worker, store: StoreDep, title: Annotated[str, Form(min_length=1, max_length=300)],
                item: Annotated[str, Form(max_length=300)] = "") -> Response:
    try:
        items = [item_ref(principal.redactor, item)] if item.strip() else []
        case = service.create_case(store, title, principal.name, items)
    except (LookupError, ValueError) as exc:
        return error_page(422, str(exc))
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
    principal.audit(store, "case_created", "case", case.id, title=case.title, items=case.items)
    return see(f"/cases/{case.id}")


@router.get("/cases/{case_id}")
def case(case_id: str, request: Request, principal: Worker, store: StoreDep) -> HTMLResponse:
    try:
        found, redactor = open_case(request, store, principal, case_id)
        view = service.case_view(store, case_id)
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
    principal.audit(store, "view", "case", case_id, view=redactor.audience)
    vis = service.visibility(store, found)
    timeline = service.present_timeline(service.case_timeline(store, case_id), redactor)
    return render("case.html", principal, v=service.present_view(view, redactor), view=redactor.audience,
                  timeline=timeline, can_download=redactor.open, max_mb=service.MAX_ATTACHMENT_BYTES // 2**20,
                  vis=vis, can_share=principal.user.role in service.FULL_VIEW_ROLES,
                  can_change=principal.user.role in service.FULL_VIEW_ROLES or principal.name == vis.owner,
                  statuses=[s.value for s in CaseStatus])


@router.post("/cases/{case_id}/visibility")
def case_visibility(case_id: str, request: Request, principal: Worker, store: StoreDep, team: Field = "",
                    roles: Field = "", shared: Field = "") -> Response:
    def names(text: str) -> list[str]:
        return [n for n in (p.strip() for p in text.replace(";", ",").split(",")) if n]

    try:
        found, _ = open_case(request, store, principal, case_id)
        vis = service.set_visibility(store, found, principal.user, names(team), names(roles), names(shared))
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
    except PermissionError as exc:
        return error_page(403, str(exc))
    except ValueError as exc:
        return error_page(422, str(exc))
    principal.audit(store, "case_visibility", "case", case_id, **vis.as_dict())
    return see(f"/cases/{case_id}")


@router.post("/cases/{case_id}/items")
def case_item(case_id: str, request: Request, principal: Worker, store: StoreDep,
              ref: Annotated[str, Form(max_length=300)]) -> Response:
    try:
        _, redactor = open_case(request, store, principal, case_id)
        real = item_ref(redactor, ref)
        service.add_case_item(store, case_id, real)
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
    except (LookupError, ValueError) as exc:
        return error_page(404 if isinstance(exc, LookupError) else 422, str(exc))
    principal.audit(store, "case_item_added", "case", case_id, ref=real)
    return see(f"/cases/{case_id}")


@router.post("/cases/{case_id}/notes")
def case_note(case_id: str, request: Request, principal: Worker, store: StoreDep,
              text: Annotated[str, Form(min_length=1, max_length=20000)]) -> Response:
    try:
        open_case(request, store, principal, case_id)
        note = service.add_case_note(store, case_id, principal.name, text.replace("\x00", ""))
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
    except LookupError as exc:
        return error_page(404, str(exc))
    principal.audit(store, "case_note_added", "case", case_id, note_id=note["note_id"])
    return see(f"/cases/{case_id}")


@router.post("/cases/{case_id}/status")
def case_status(case_id: str, request: Request, principal: Worker, store: StoreDep, status: Field) -> Response:
    try:
        open_case(request, store, principal, case_id)
        case = service.set_case_status(store, case_id, status)
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
    except (LookupError, ValueError) as exc:
        return error_page(404 if isinstance(exc, LookupError) else 422, str(exc))
    principal.audit(store, "case_status", "case", case_id, status=str(case.status))
    return see(f"/cases/{case_id}")


@router.post("/cases/{case_id}/attachments")
def case_attachment(case_id: str, request: Request, principal: Worker, store: StoreDep, file: UploadFile,
                    note: Annotated[str, Form(max_length=2000)] = "") -> Response:
    try:
        attach_file(request, store, principal, case_id, file.filename or "",
                    file.file.read(service.MAX_ATTACHMENT_BYTES + 1), note)
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
    return see(f"/cases/{case_id}")


@router.get("/cases/{case_id}/attachments/{attachment_id}")
def case_attachment_file(case_id: str, attachment_id: str, request: Request, principal: Worker,
                         store: StoreDep) -> Response:
    """The attachment as a download (the API's answer: never rendered, for full views of the case only)."""
    try:
        return attachment_download(request, store, principal, case_id, attachment_id)
    except HTTPException as exc:
        return error_page(exc.status_code, str(exc.detail))
