"""Cases: items, notes, status, visibility and the verifiable evidence bundle. A case is answered in the view
its visibility gives the asker (see ``wildtrace.service``); one they may not open does not exist for them."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, HTTPException, Query, Request, Response, UploadFile

from wildtrace import service
from wildtrace.api._deps import Principal, StoreDep, Worker
from wildtrace.api._schemas import CaseIn, CaseItemIn, CaseStatusIn, CaseVisibilityIn, NoteIn
from wildtrace.evidence import BlobStore, Evidence
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
    evidence = Evidence(store, request.app.state.settings.data_path)
    try:
        data = service.export_bundle(store, case_id, principal.name, evidence, redactor)
    except ValueError as exc:  # TamperedError: the evidence does not verify; nothing is exported
        raise HTTPException(409, str(exc)) from None
    return Response(data, media_type="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{case_id}.zip"'})


@router.get("/{case_id}/timeline")
def timeline(case_id: str, request: Request, principal: Worker, store: StoreDep) -> dict:
    """What happened to the case, oldest first: opened, items, notes (with their text), attachments, status,
    visibility, exports, alerts promoted to it (views are in the audit log)."""
    _, redactor = open_case(request, store, principal, case_id)
    principal.audit(store, "view", "case", case_id, view=redactor.audience, part="timeline")
    return {"items": service.present_timeline(service.case_timeline(store, case_id), redactor),
            "view": redactor.audience}


@router.post("/{case_id}/attachments", status_code=201)
def attach(case_id: str, request: Request, principal: Worker, store: StoreDep,
                 file: Annotated[UploadFile, File(description="any file; kept as evidence by its SHA-256")],
                 note: Annotated[str, Form(max_length=2000)] = "") -> dict:
    """Attach a file (at most ``MAX_ATTACHMENT_BYTES``): stored in the evidence store by its SHA-256, its type
    sniffed from the bytes, only ever served back as a download."""
    data = file.file.read(service.MAX_ATTACHMENT_BYTES + 1)
    return attach_file(request, store, principal, case_id, file.filename or "", data, note)


def attach_file(request: Request, store: Store, principal: Principal, case_id: str, name: str, data: bytes,
                note: str) -> dict:
    """``service.add_attachment`` in the asker's view of the case, audited (the case page calls it)."""
    _, redactor = open_case(request, store, principal, case_id)
    try:
        row = service.add_attachment(store, _blobs(request, store), case_id, name, data, principal.name, note)
    except ValueError as exc:
        raise HTTPException(413 if len(data) > service.MAX_ATTACHMENT_BYTES else 422, str(exc)) from None
    principal.audit(store, "attachment_added", "case", case_id, attachment_id=row["attachment_id"],
                    sha256=row["sha256"], name=row["name"], mime=row["mime"], size=row["size"])
    return redactor.document(row, "attachment")


@router.get("/{case_id}/attachments/{attachment_id}", response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}, "description": "the file"}})
def attachment(case_id: str, attachment_id: str, request: Request, principal: Worker, store: StoreDep) -> Response:
    """An attachment as a download (``application/octet-stream``, never rendered); for those who see the case
    unredacted only (a file may show anything), checked against its SHA-256; audited."""
    return attachment_download(request, store, principal, case_id, attachment_id)


def attachment_download(request: Request, store: Store, principal: Principal, case_id: str,
                        attachment_id: str) -> Response:
    _, redactor = open_case(request, store, principal, case_id)
    if not redactor.open:
        raise HTTPException(403, "attachments are evidence: your view of this case lists them but does not open them")
    try:
        row, data = service.read_attachment(store, _blobs(request, store), case_id, attachment_id)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(409, str(exc)) from None
    principal.audit(store, "view", "case", case_id, attachment_id=attachment_id, sha256=row["sha256"])
    ascii_name = row["name"].encode("ascii", "replace").decode().replace("?", "_")
    return Response(data, media_type="application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(row['name'])}",
        "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "default-src 'none'; sandbox",
        "X-Attachment-Type": row["mime"]})


def _blobs(request: Request, store: Store) -> BlobStore:
    return Evidence(store, request.app.state.settings.data_path).blobs
