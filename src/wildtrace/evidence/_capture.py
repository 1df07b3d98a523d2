"""The evidence store: WARC captures under their SHA-256, the hash-chained capture log, verification."""

from __future__ import annotations

import mimetypes
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wildtrace.evidence._blobs import BlobStore, sha256_bytes, sha256_file, write_atomic
from wildtrace.evidence._fetch import Fetched, fetch
from wildtrace.evidence._log import CaptureLog
from wildtrace.evidence._warc import build_warc
from wildtrace.evidence.chain import ChainProblem, verify_chain
from wildtrace.model import Capture, Case
from wildtrace.store import Store

_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"),
               (b"RIFF", "image/webp"), (b"BM", "image/bmp"), (b"%PDF", "application/pdf"))


def sniff_type(data: bytes, name: str = "") -> str | None:
    """The media type of ``data`` from its first bytes, else from the file name."""
    for signature, mime in _SIGNATURES:
        if data.startswith(signature):
            return mime
    return mimetypes.guess_type(name)[0] if name else None


@dataclass
class VerifyReport:
    """The result of :meth:`Evidence.verify`: every problem found, naming the entry."""

    entries: int
    head: tuple[int, str] | None
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "head": list(self.head) if self.head else None,
                "problems": [asdict(p) for p in self.problems]}


class Evidence:
    """Captures preserved under ``<data_dir>/evidence``: ``warc/`` (one WARC file per capture, named by
    its SHA-256), ``blobs/`` (bodies by SHA-256), ``capture-log.jsonl`` (the hash-chained log)."""

    def __init__(self, store: Store, data_dir: str | Path, collector: str = "wildtrace") -> None:
        self.store = store
        self.root = Path(data_dir) / "evidence"
        self.collector = collector
        self.blobs = BlobStore(self.root / "blobs")
        self.log = CaptureLog(self.root / "capture-log.jsonl")

    def warc_file(self, capture: Capture) -> Path:
        return self.root / capture.warc_path

    def capture(self, url: str, body: bytes, kind: str = "response", status: int | None = None, reason: str = "",
                headers: list[tuple[str, str]] | None = None, content_type: str | None = None,
                post_id: str | None = None, version_of: str | None = None, removed: bool = False,
                captured_at: datetime | None = None) -> Capture:
        """Preserve one capture: WARC file, log entry, store row (in that order, so the log never names
        a file that is not there)."""
        when = captured_at or datetime.now(UTC)
        ctype = content_type or next((v for k, v in headers or [] if k.lower() == "content-type"), None) \
            or sniff_type(body) or "application/octet-stream"
        payload_sha = self.blobs.put(body)
        warc = build_warc(url, body, when, self.collector, kind, status, reason, headers, ctype, post_id)
        sha = sha256_bytes(warc)
        relative = f"warc/{sha[:2]}/{sha}.warc.gz"
        write_atomic(self.root / relative, warc)
        entry = self.log.append({
            "captured_at": when.isoformat(), "sha256": sha, "payload_sha256": payload_sha, "url": url,
            "collector": self.collector, "kind": kind, "http_status": status, "post_id": post_id,
            "version_of": version_of, "removed": removed, "warc": relative,
        })
        capture = Capture(sha256=sha, url=url, captured_at=when, collector=self.collector, kind=kind,
                          warc_path=relative, post_id=post_id, http_status=status, version_of=version_of,
                          payload_sha256=payload_sha, content_type=ctype, removed=removed,
                          log_seq=entry["seq"], log_hash=entry["hash"])
        self.store.add([capture])
        return capture

    def capture_fetched(self, fetched: Fetched, **kwargs: Any) -> Capture:
        return self.capture(fetched.url, fetched.body, "response", fetched.status, fetched.reason, fetched.headers,
                            **kwargs)

    def capture_url(self, url: str, post_id: str | None = None, timeout: float = 30.0) -> Capture:
        """Fetch ``url`` and preserve the response, whatever its status."""
        return self.capture_fetched(fetch(url, timeout), post_id=post_id)

    def capture_file(self, path: str | Path, url: str | None = None, post_id: str | None = None) -> Capture:
        """Preserve a file (a saved page, an image, an export) as a WARC resource record."""
        path = Path(path)
        body = path.read_bytes()
        return self.capture(url or path.resolve().as_uri(), body, "resource",
                            content_type=sniff_type(body, path.name), post_id=post_id)

    def add_to_case(self, case_id: str, capture: Capture) -> Case:
        """List ``capture`` among the items of case ``case_id`` (so that exporting the case includes it)."""
        case = self.store.get(Case, case_id)
        if case is None:
            raise ValueError(f"no case {case_id!r} in the store")
        item = f"capture:{capture.sha256}"
        if item not in case.items:
            case = case.model_copy(update={"items": [*case.items, item]})
            self.store.put([case])
        return case

    def find_payload(self, payload_sha256: str, post_id: str | None = None) -> Capture | None:
        """An earlier capture of the same body (for the same post, when given)."""
        where, params = "payload_sha256 = ?", [payload_sha256]
        if post_id is not None:
            where, params = where + " AND post_id = ?", [*params, post_id]
        found = self.store.find(Capture, where, params, order_by="captured_at", limit=1)
        return found[0] if found else None

    def history(self, url: str) -> list[Capture]:
        """Every capture of ``url``, oldest first."""
        return self.store.find(Capture, "url = ?", (url,), order_by="captured_at, log_seq")

    def verify(self, check_files: bool = True) -> VerifyReport:
        """Check the capture log's chain against itself and the store, and each WARC file against its hash."""
        raw = self.log.entries()
        problems = [ChainProblem(0, "unreadable", f"line {e['line']} of the log is not an entry (edited or damaged)")
                    for e in raw if "unreadable" in e]
        entries = [e for e in raw if "unreadable" not in e]
        rows = self.store.query("SELECT log_seq, log_hash FROM captures WHERE log_seq IS NOT NULL ORDER BY log_seq")
        head = (int(rows[-1]["log_seq"]), str(rows[-1]["log_hash"])) if rows else None
        problems += verify_chain(entries, head)
        flagged = {(p.seq, p.kind) for p in problems}
        by_seq = {int(e["seq"]): e for e in entries}
        for row in rows:
            entry = by_seq.get(int(row["log_seq"]))
            if entry is not None and entry.get("hash") != row["log_hash"] and (entry["seq"], "edited") not in flagged:
                problems.append(ChainProblem(entry["seq"], "edited",
                                             f"entry {entry['seq']} differs from the store's record of it"))
        if check_files:
            problems += self._check_files(entries)
        return VerifyReport(len(entries), head, sorted(problems, key=lambda p: (p.seq, p.kind)))

    def _check_files(self, entries: list[dict[str, Any]]) -> list[ChainProblem]:
        problems = []
        for entry in entries:
            path = self.root / str(entry.get("warc", ""))
            if not path.is_file():
                problems.append(ChainProblem(entry["seq"], "file_missing",
                                             f"entry {entry['seq']}: WARC file {entry.get('warc')} is missing"))
            elif sha256_file(path) != entry.get("sha256"):
                problems.append(ChainProblem(entry["seq"], "file_altered",
                                             f"entry {entry['seq']}: WARC file {entry.get('warc')} does not match "
                                             "its SHA-256"))
        return problems
