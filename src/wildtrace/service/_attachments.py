"""Files attached to a case: the bytes go to the evidence store under their SHA-256 (stored once, checked on
every read), only the metadata to ``wb_case_attachments``. The type is sniffed from the bytes (never taken
from the name or the sender) and a file is only ever handed back as a download, never run or rendered."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import UTC, datetime
from typing import Any

from wildtrace.evidence import BlobStore, sha256_bytes, sniff_type
from wildtrace.model import Case
from wildtrace.store import Store

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_NAME = 200
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_COLUMNS = ["attachment_id", "case_id", "sha256", "name", "mime", "size", "note", "added_by", "added_at"]


def safe_name(name: str) -> str:
    """A file name fit to show and to offer as a download name: the last path part, no control or path
    characters, NFC, at most ``MAX_NAME`` characters; ``attachment`` when nothing is left."""
    base = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" ._")
    return cleaned[:MAX_NAME] or "attachment"


def add_attachment(store: Store, blobs: BlobStore, case_id: str, name: str, data: bytes, added_by: str,
                   note: str = "") -> dict[str, Any]:
    """Store ``data`` as evidence and attach it to the case; ``ValueError`` when empty or over the size limit."""
    if store.get(Case, case_id) is None:
        raise LookupError(f"no case {case_id!r}")
    if not data:
        raise ValueError(f"attachment {name[:80]!r}: the file is empty")
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValueError(f"attachment {name[:80]!r}: {len(data):,} bytes is over the limit of "
                         f"{MAX_ATTACHMENT_BYTES:,}")
    row = {"attachment_id": uuid.uuid4().hex, "case_id": case_id, "sha256": blobs.put(data), "name": safe_name(name),
           "mime": sniff_type(data) or "application/octet-stream", "size": len(data),
           "note": note.replace("\x00", "")[:2000], "added_by": added_by, "added_at": datetime.now(UTC)}
    store.insert_rows("wb_case_attachments", [row], _COLUMNS, ["attachment_id"])
    return _json(row)


def _json(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "added_at": row["added_at"].isoformat() if row["added_at"] else None}


def case_attachments(store: Store, case_id: str) -> list[dict[str, Any]]:
    """The case's attachments, oldest first."""
    return [_json(r) for r in store.query(f"SELECT {', '.join(_COLUMNS)} FROM wb_case_attachments WHERE case_id = ? "
                                          "ORDER BY added_at, attachment_id", [case_id])]


def read_attachment(store: Store, blobs: BlobStore, case_id: str, attachment_id: str) -> tuple[dict[str, Any], bytes]:
    """(metadata, bytes) of one attachment of the case, the bytes checked against their SHA-256."""
    rows = store.query(f"SELECT {', '.join(_COLUMNS)} FROM wb_case_attachments WHERE case_id = ? AND "
                       "attachment_id = ?", [case_id, attachment_id])
    if not rows:
        raise LookupError(f"case {case_id!r} has no attachment {attachment_id!r}")
    sha = rows[0]["sha256"]
    if not blobs.has(sha):
        raise LookupError(f"attachment {attachment_id!r} is not in the evidence store")
    data = blobs.get(sha)
    if sha256_bytes(data) != sha:
        raise ValueError(f"attachment {attachment_id!r} does not match its SHA-256: the evidence store was changed")
    return _json(rows[0]), data
