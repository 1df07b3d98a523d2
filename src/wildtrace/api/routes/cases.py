"""Cases: items, notes, status and the verifiable evidence bundle."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response

from wildtrace.api import _cases
from wildtrace.api._deps import StoreDep, Worker
from wildtrace.api._schemas import CaseIn, CaseItemIn, CaseStatusIn, NoteIn
from wildtrace.model import CaseStatus

router = APIRouter(prefix="/api/cases", tags=["cases"])


def _found(fn, *args):  # type: ignore[no-untyped-def]
    try:
        return fn(*args)
    except LookupError as exc:
        raise HTTPException(404, str(exc).strip("'\"")) from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("")
def list_cases(principal: Worker, store: StoreDep, status: CaseStatus | None = None,
               limit: Annotated[int, Query(ge=1, le=500)] = 50,
               offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0) -> dict:
    items = _cases.list_cases(store, status, limit, offset)
    return {"items": [_cases.present_case(c.model_dump(mode="json"), principal.redactor) for c in items],
            "limit": limit, "offset": offset}


@router.post("", status_code=201)
def create(body: CaseIn, principal: Worker, store: StoreDep) -> dict:
    case = _found(_cases.create_case, store, body.title, principal.name, body.items)
    principal.audit(store, "case_created", "case", case.id, title=case.title, items=case.items)
    return _cases.present_case(case.model_dump(mode="json"), principal.redactor)


@router.get("/{case_id}")
def view(case_id: str, principal: Worker, store: StoreDep) -> dict:
    result = _found(_cases.case_view, store, case_id)
    principal.audit(store, "view", "case", case_id)
    return _cases.present_view(result, principal.redactor)


@router.post("/{case_id}/items")
def add_item(case_id: str, body: CaseItemIn, principal: Worker, store: StoreDep) -> dict:
    case = _found(_cases.add_item, store, case_id, body.ref)
    principal.audit(store, "case_item_added", "case", case_id, ref=body.ref)
    return _cases.present_case(case.model_dump(mode="json"), principal.redactor)


@router.post("/{case_id}/notes", status_code=201)
def add_note(case_id: str, body: NoteIn, principal: Worker, store: StoreDep) -> dict:
    note = _found(_cases.add_note, store, case_id, principal.name, body.text)
    principal.audit(store, "case_note_added", "case", case_id, note_id=note["note_id"])
    return principal.present({**note, "written_at": note["written_at"].isoformat()}, "note")


@router.patch("/{case_id}")
def set_status(case_id: str, body: CaseStatusIn, principal: Worker, store: StoreDep) -> dict:
    case = _found(_cases.set_status, store, case_id, body.status)
    principal.audit(store, "case_status", "case", case_id, status=str(case.status))
    return _cases.present_case(case.model_dump(mode="json"), principal.redactor)


@router.get("/{case_id}/bundle", response_class=Response,
            responses={200: {"content": {"application/zip": {}}, "description": "the evidence bundle"}})
def bundle(case_id: str, principal: Worker, store: StoreDep, request: Request) -> Response:
    """The case as a zip with its captures' WARC files and a manifest of SHA-256 digests; the export is audited
    first, so it is in the bundle."""
    _found(_cases.get_case, store, case_id)
    principal.audit(store, "export", "case", case_id, format="bundle")
    from wildtrace.evidence import Evidence

    evidence = Evidence(store, request.app.state.settings.data_path)
    try:
        data = _cases.export_bundle(store, case_id, principal.name, evidence, principal.redactor)
    except ValueError as exc:  # TamperedError: the evidence does not verify; nothing is exported
        raise HTTPException(409, str(exc)) from None
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{case_id}.zip"'})
