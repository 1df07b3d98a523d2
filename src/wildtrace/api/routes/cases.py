"""Cases: items, notes, status, visibility and the verifiable evidence bundle. A case is answered in the view
its visibility gives the asker (see ``wildtrace.service``); one they may not open does not exist for them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response

from wildtrace import service
from wildtrace.api._deps import Principal, StoreDep, Worker
from wildtrace.api._schemas import CaseIn, CaseItemIn, CaseStatusIn, CaseVisibilityIn, NoteIn
from wildtrace.model import Case, CaseStatus
from wildtrace.share import Redactor
from wildtrace.store import Store

router = APIRouter(prefix="/api/cases", tags=["cases"])


def _found(fn, *args):  # type: ignore[no-untyped-def]
    try:
        return fn(*args)
    except LookupError as exc:
        raise HTTPException(404, str(exc).strip("'\"")) from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


def open_case(request: Request, store: Store, principal: Principal, case_id: str) -> tuple[Case, Redactor]:
    """The case and the redactor of the asker's view of it; 404 when it does not exist or is not theirs to open."""
    try:
        return service.open_case(store, principal.user, case_id, principal.redactor, request.app.state.redactors)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None


def item_ref(redactor: Redactor, ref: str) -> str:
    """An item reference as the store knows it (404 when a pseudonym names nothing)."""
    try:
        return service.item_ref(redactor, ref)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("")
def list_cases(principal: Worker, store: StoreDep, status: CaseStatus | None = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 50,
               offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> dict:
    """The cases the asker may open, newest first."""
    items = service.visible_cases(store, principal.user, status, limit, offset)
    return {"items": [service.present_case(c.model_dump(mode="json"), principal.redactor) for c in items],
            "limit": limit, "offset": offset}


@router.post("", status_code=201)
def create(body: CaseIn, principal: Worker, store: StoreDep) -> dict:
    items = [item_ref(principal.redactor, ref) for ref in body.items]
    case = _found(service.create_case, store, body.title, principal.name, items)
    principal.audit(store, "case_created", "case", case.id, title=case.title, items=case.items)
    return service.present_case(case.model_dump(mode="json"), principal.redactor)


@router.get("/{case_id}")
def view(case_id: str, request: Request, principal: Worker, store: StoreDep) -> dict:
    case, redactor = open_case(request, store, principal, case_id)
    result = _found(service.case_view, store, case_id)
    principal.audit(store, "view", "case", case_id, view=redactor.audience)
    vis = service.visibility(store, case)
    return {**service.present_view(result, redactor), "view": redactor.audience, "visibility": vis.as_dict()}


@router.put("/{case_id}/visibility")
def set_visibility(case_id: str, body: CaseVisibilityIn, request: Request, principal: Worker,
                   store: StoreDep) -> dict:
    """Who may open the case (team, roles) and who sees it unredacted (shared; investigators and admins only)."""
    case, _ = open_case(request, store, principal, case_id)
    try:
        vis = service.set_visibility(store, case, principal.user, body.team, [r.value for r in body.roles],
                                          body.shared)
    except PermissionError as exc:
        raise HTTPException(403, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    principal.audit(store, "case_visibility", "case", case_id, **vis.as_dict())
    return vis.as_dict()


@router.post("/{case_id}/items")
def add_item(case_id: str, body: CaseItemIn, request: Request, principal: Worker, store: StoreDep) -> dict:
    _, redactor = open_case(request, store, principal, case_id)
    ref = item_ref(redactor, body.ref)
    case = _found(service.add_case_item, store, case_id, ref)
    principal.audit(store, "case_item_added", "case", case_id, ref=ref)
    return service.present_case(case.model_dump(mode="json"), redactor)


@router.post("/{case_id}/notes", status_code=201)
def add_note(case_id: str, body: NoteIn, request: Request, principal: Worker, store: StoreDep) -> dict:
    _, redactor = open_case(request, store, principal, case_id)
    note = _found(service.add_case_note, store, case_id, principal.name, body.text)
    principal.audit(store, "case_note_added", "case", case_id, note_id=note["note_id"])
    return redactor.document({**note, "written_at": note["written_at"].isoformat()}, "note")


@router.patch("/{case_id}")
def set_status(case_id: str, body: CaseStatusIn, request: Request, principal: Worker, store: StoreDep) -> dict:
    _, redactor = open_case(request, store, principal, case_id)
    case = _found(service.set_case_status, store, case_id, body.status)
    principal.audit(store, "case_status", "case", case_id, status=str(case.status))
    return service.present_case(case.model_dump(mode="json"), redactor)


@router.get("/{case_id}/bundle", response_class=Response,
            responses={200: {"content": {"application/zip": {}}, "description": "the evidence bundle"}})
def bundle(case_id: str, principal: Worker, store: StoreDep, request: Request) -> Response:
    """The case as a zip with its captures' WARC files and a manifest of SHA-256 digests, in the asker's view of
    the case (a redacted view withholds the WARC files); the export is audited first, so it is in the bundle."""
    _, redactor = open_case(request, store, principal, case_id)
    principal.audit(store, "export", "case", case_id, format="bundle", view=redactor.audience)
    from wildtrace.evidence import Evidence

    evidence = Evidence(store, request.app.state.settings.data_path)
    try:
        data = service.export_bundle(store, case_id, principal.name, evidence, redactor)
    except ValueError as exc:  # TamperedError: the evidence does not verify; nothing is exported
        raise HTTPException(409, str(exc)) from None
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{case_id}.zip"'})
