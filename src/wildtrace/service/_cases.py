"""Cases: posts, accounts, traders, transactions, shipments, alerts and captures collected with notes,
and their export as a verifiable evidence bundle (a zip with the captures' WARC files, whose manifest lists
the SHA-256 of every file)."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
import zipfile
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from wildtrace.evidence import captures_of
from wildtrace.model import Account, Alert, Capture, Case, CaseStatus, Entity, Post, Shipment, Transaction, Verdict
from wildtrace.service._attachments import case_attachments, read_attachment
from wildtrace.service._audit import audit_events, verify_audit
from wildtrace.store import Store

if TYPE_CHECKING:
    from wildtrace.evidence import Evidence
    from wildtrace.share import Redactor

# Item kinds a case can hold, and the entity each names (traders live in the link stage's tables).
ITEM_KINDS: dict[str, type[Entity] | None] = {
    "post": Post, "account": Account, "transaction": Transaction, "shipment": Shipment, "alert": Alert,
    "capture": Capture, "trader": None,
}
# The redaction policy's record kind of each item kind, and the field its key is.
ITEM_POLICY = {"post": ("post", "id"), "account": ("account", "id"), "transaction": ("transaction", "id"),
               "shipment": ("shipment", "waybill"), "alert": ("alert", "id"), "capture": ("capture", "sha256"),
               "trader": ("trader", "trader_id")}


def create_case(store: Store, title: str, user: str, items: list[str] | None = None) -> Case:
    case = Case(id=f"case-{uuid.uuid4().hex[:10]}", title=title.strip(), created_by=user,
                created_at=datetime.now(UTC))
    store.add([case])
    for item in items or []:
        add_item(store, case.id, item)
    return get_case(store, case.id)


def get_case(store: Store, case_id: str) -> Case:
    case = store.get(Case, case_id)
    if case is None:
        raise LookupError(f"no case {case_id!r}")
    return case


def _item_record(store: Store, ref: str) -> dict[str, Any] | None:
    kind, _, key = ref.partition(":")
    model = ITEM_KINDS.get(kind)
    if kind == "trader":
        rows = store.query("SELECT profile FROM link_traders WHERE trader_id = ?", [key])
        return json.loads(rows[0]["profile"]) if rows else None
    if model is None:
        return None
    entity = store.get(model, key)
    return entity.model_dump(mode="json") if entity is not None else None


def add_item(store: Store, case_id: str, ref: str) -> Case:
    """Add a ``kind:id`` reference (e.g. ``post:abc``) to a case; the item must exist."""
    case = get_case(store, case_id)
    kind = ref.partition(":")[0]
    if kind not in ITEM_KINDS:
        raise ValueError(f"item {ref!r}: kind must be one of {', '.join(ITEM_KINDS)}")
    if _item_record(store, ref) is None:
        raise LookupError(f"item {ref!r} does not exist")
    if ref not in case.items:
        case.items.append(ref)
        store.put([case])
    return case


def set_status(store: Store, case_id: str, status: CaseStatus | str) -> Case:
    case = get_case(store, case_id)
    case.status = CaseStatus(status)
    store.put([case])
    return case


def add_note(store: Store, case_id: str, author: str, text: str) -> dict[str, Any]:
    get_case(store, case_id)
    note = {"note_id": uuid.uuid4().hex, "case_id": case_id, "written_at": datetime.now(UTC), "author": author,
            "text": text}
    store.insert_rows("wb_case_notes", [note], list(note), ["note_id"])
    return note


def case_notes(store: Store, case_id: str) -> list[dict[str, Any]]:
    return store.query("SELECT note_id, written_at, author, text FROM wb_case_notes WHERE case_id = ? "
                       "ORDER BY written_at, note_id", [case_id])


def list_cases(store: Store, status: str | None = None, limit: int = 50, offset: int = 0) -> list[Case]:
    """Every case, newest first (the workbench shows each user only the cases they may open: ``_case_access``)."""
    where, params = ("status = ?", [status]) if status else ("", [])
    return store.find(Case, where, params, order_by="created_at DESC, id", limit=limit, offset=offset)


def case_view(store: Store, case_id: str) -> dict[str, Any]:
    """The case with each item's record (None when it has gone) and the notes."""
    case = get_case(store, case_id)
    items = []
    for ref in case.items:
        record = _item_record(store, ref)
        if ref.startswith("post:") and record is not None:
            verdict = store.get(Verdict, ref[5:])
            record["verdict"] = verdict.model_dump(mode="json") if verdict else None
        items.append({"ref": ref, "record": record})
    return {"case": case.model_dump(mode="json"), "items": items,
            "notes": [{**n, "written_at": n["written_at"].isoformat()} for n in case_notes(store, case_id)]}


def redact_ref(ref: str, redactor: Redactor, record: dict[str, Any] | None = None) -> str:
    """A ``kind:key`` item reference as ``redactor``'s audience may see it (an account as its pseudonym)."""
    kind, _, key = ref.partition(":")
    policy_kind, key_field = ITEM_POLICY[kind]
    shown = redactor.field(policy_kind, key_field, key, record or {})
    return f"{kind}:{shown if shown is not None else '[withheld]'}"


def present_view(view: dict[str, Any], redactor: Redactor) -> dict[str, Any]:
    """A case view (``case_view``) as ``redactor``'s audience may see it: every item through the policy's rules
    for its kind, item references pseudonymised, title and notes scrubbed."""
    if redactor.open:
        return view
    items = []
    for item in view["items"]:
        kind = item["ref"].partition(":")[0]
        items.append({"ref": redact_ref(item["ref"], redactor, item["record"]),
                      "record": redactor.document(item["record"], ITEM_POLICY[kind][0])})
    return {"case": present_case(view["case"], redactor), "items": items,
            "notes": redactor.document(view["notes"], "note")}


def present_case(case: dict[str, Any], redactor: Redactor) -> dict[str, Any]:
    """A case record (``Case.model_dump``) as ``redactor``'s audience may see it."""
    if redactor.open:
        return case
    return {**redactor.document({k: v for k, v in case.items() if k != "items"}, "case"),
            "items": [redact_ref(ref, redactor) for ref in case.get("items", [])]}


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode()


def export_bundle(store: Store, case_id: str, exported_by: str, evidence: Evidence | None = None,
                  redactor: Redactor | None = None) -> bytes:
    """A zip with the case, each item's record, the notes, the case's audit trail, the WARC file of every
    capture of the case (its posts' pages and pictures and the captures it lists, kept by ``evidence``, which
    must verify: ``TamperedError`` otherwise) and a manifest of SHA-256 digests (``verify_bundle`` checks it).
    Without ``evidence``, the captures' WARC files are named in the manifest as missing. For an audience that
    does not see everything (``redactor``) the records are redacted and the WARC files withheld (a captured
    page shows what the audience may not see); the manifest names them. Attachments: ``attachments.json`` and,
    for a full view, each file as ``attachments/<sha256>`` (checked against its hash)."""
    real = case_view(store, case_id)
    view = present_view(real, redactor) if redactor is not None else real
    files: dict[str, bytes] = {"case.json": _json(view["case"]), "notes.json": _json(view["notes"])}
    for item in view["items"]:
        files[f"items/{item['ref'].replace(':', '_', 1).replace('/', '_')}.json"] = _json(item["record"])
    captures = captures_of(store, real["case"]["items"])
    missing_warcs: list[str] = []
    withheld: list[str] = []
    if redactor is not None and not redactor.open:
        withheld = [redactor.pseudonym(c.sha256) if redactor.hidden("evidence") else c.sha256 for c in captures]
    elif evidence is None:
        missing_warcs = [c.sha256 for c in captures]
    else:
        files.update({f"warc/{sha}.warc.gz": data for sha, data in evidence.read_verified(captures).items()})
    attached = case_attachments(store, case_id)
    files["attachments.json"] = _json(redactor.document(attached, "attachment") if redactor is not None else attached)
    missing_attachments: list[str] = []
    if redactor is None or redactor.open:  # the files themselves only for a full view, as the WARC files
        for a in attached:
            if evidence is not None and evidence.blobs.has(a["sha256"]):
                files[f"attachments/{a['sha256']}"] = read_attachment(store, evidence.blobs, case_id,
                                                                      a["attachment_id"])[1]
            else:
                missing_attachments.append(a["sha256"])
    trail = [e.model_dump(mode="json") for e in audit_events(store, object_kind="case", object_id=case_id,
                                                             limit=100_000)]
    files["audit.json"] = _json(redactor.document(trail, "audit_event") if redactor is not None else trail)
    manifest = {"case_id": case_id, "exported_at": datetime.now(UTC).isoformat(), "exported_by": exported_by,
                "audit_chain": verify_audit(store), "missing_warcs": missing_warcs, "withheld_warcs": withheld,
                "missing_attachments": missing_attachments,
                "files": {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in sorted(files.items()):
            zf.writestr(name, data)
        zf.writestr("manifest.json", _json(manifest))
    return buffer.getvalue()


def verify_bundle(data: bytes) -> dict[str, Any]:
    """Check every file of a bundle against its manifest: ``ok`` and the names that differ or are missing."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        present = set(zf.namelist()) - {"manifest.json"}
        bad = [name for name, digest in manifest["files"].items()
               if name not in present or hashlib.sha256(zf.read(name)).hexdigest() != digest]
        extra = sorted(present - set(manifest["files"]))
    return {"ok": not bad and not extra, "changed_or_missing": bad, "unlisted": extra}
