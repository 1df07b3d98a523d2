"""A case's timeline: what happened to it, in order. The audit log is the backbone (creation, items, status,
visibility, exports, alerts promoted to it); notes and attachments are joined in with their text and file.
Views are left out (they are in the audit page)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wildtrace.service._attachments import case_attachments
from wildtrace.service._audit import audit_events
from wildtrace.service._cases import case_notes, redact_ref
from wildtrace.store import Store

if TYPE_CHECKING:
    from wildtrace.share import Redactor

_WORDS = {"case_created": "opened the case", "case_item_added": "added an item", "case_note_added": "wrote a note",
          "case_status": "changed the status", "case_visibility": "changed who sees the case",
          "export": "exported the evidence bundle", "attachment_added": "attached a file",
          "alert_to_case": "promoted an alert to this case"}


def _what(action: str, detail: dict[str, Any]) -> str:
    words = _WORDS.get(action, action.replace("_", " "))
    if action == "case_status":
        return f"{words} to {detail.get('status', '')}"
    if action == "alert_to_case":
        return f"{words}: alert {detail.get('alert_id', '')}"
    return words


def case_timeline(store: Store, case_id: str, limit: int = 1000) -> list[dict[str, Any]]:
    """Entries ``{at, actor, action, what, ref?, note?, attachment?}``, oldest first."""
    notes = {n["note_id"]: {**n, "written_at": n["written_at"].isoformat()} for n in case_notes(store, case_id)}
    files = {a["attachment_id"]: a for a in case_attachments(store, case_id)}
    entries = []
    for event in reversed(audit_events(store, object_kind="case", object_id=case_id, limit=limit)):
        if event.action == "view":
            continue
        entry: dict[str, Any] = {"at": event.occurred_at.isoformat(), "actor": event.actor, "action": event.action,
                                 "what": _what(event.action, event.detail)}
        if event.action == "case_item_added":
            entry["ref"] = event.detail.get("ref", "")
        if (note := notes.get(event.detail.get("note_id", ""))) is not None:
            entry["note"] = note
        if (attached := files.get(event.detail.get("attachment_id", ""))) is not None:
            entry["attachment"] = attached
        entries.append(entry)
    return entries


def present_timeline(entries: list[dict[str, Any]], redactor: Redactor) -> list[dict[str, Any]]:
    """A timeline as ``redactor``'s audience may see it: item references pseudonymised, notes and file names
    scrubbed, file hashes as the policy says."""
    if redactor.open:
        return entries
    return [redactor.document({**e, "ref": redact_ref(e["ref"], redactor)} if e.get("ref") else e, "timeline")
            for e in entries]
