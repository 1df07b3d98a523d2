"""The evidence store: WARC captures under their SHA-256, the hash-chained capture log, verification."""

from __future__ import annotations

import mimetypes
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wildtrace.evidence._blobs import BlobStore, make_durable, sha256_bytes, write_atomic
from wildtrace.evidence._fetch import Fetched, fetch
from wildtrace.evidence._log import CaptureLog
from wildtrace.evidence._verify import TamperedError, VerifyReport, name, verify_evidence, warc_path
from wildtrace.evidence._warc import build_warc
from wildtrace.evidence.chain import ChainProblem
from wildtrace.model import Capture, Case
from wildtrace.store import Store

if TYPE_CHECKING:
    from wildtrace.evidence._anchor import Anchor

_SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"),
               (b"RIFF", "image/webp"), (b"BM", "image/bmp"), (b"%PDF", "application/pdf"))


def sniff_type(data: bytes, name: str = "") -> str | None:
    """The media type of ``data`` from its first bytes, else from the file name."""
    for signature, mime in _SIGNATURES:
        if data.startswith(signature):
            return mime
    return mimetypes.guess_type(name)[0] if name else None


@dataclass(frozen=True)
class CaptureRequest:
    """What :meth:`Evidence.capture_many` preserves for one capture (the arguments of :meth:`Evidence.capture`)."""

    url: str
    body: bytes
    kind: str = "response"
    status: int | None = None
    reason: str = ""
    headers: list[tuple[str, str]] | None = None
    content_type: str | None = None
    post_id: str | None = None
    version_of: str | None = None
    removed: bool = False
    captured_at: datetime | None = None
    warc: bytes | None = None  # a WARC file made elsewhere (a browser's); ``body`` is then its page's body

    @classmethod
    def of(cls, fetched: Fetched, **kwargs: Any) -> CaptureRequest:
        """The request preserving an HTTP response as fetched."""
        return cls(fetched.url, fetched.body, "response", fetched.status, fetched.reason, fetched.headers, **kwargs)


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
        """The WARC file of ``capture``, from its SHA-256 (never from a path a record holds)."""
        return self.root / warc_path(capture.sha256)

    def capture(self, url: str, body: bytes, kind: str = "response", status: int | None = None, reason: str = "",
                headers: list[tuple[str, str]] | None = None, content_type: str | None = None,
                post_id: str | None = None, version_of: str | None = None, removed: bool = False,
                captured_at: datetime | None = None) -> Capture:
        """Preserve one capture: WARC file, log entry, store row (in that order, so the log never names
        a file that is not there)."""
        return self.capture_many([CaptureRequest(url, body, kind, status, reason, headers, content_type, post_id,
                                                 version_of, removed, captured_at)])[0]

    def capture_many(self, requests: Sequence[CaptureRequest]) -> list[Capture]:
        """Preserve several captures at once: every WARC file and body made durable together, then their log
        entries in one append, then their rows in one insert (the order of :meth:`capture`, batched)."""
        written: list[Path] = []
        staged = []
        for r in requests:
            when = r.captured_at or datetime.now(UTC)
            ctype = r.content_type or next((v for k, v in r.headers or [] if k.lower() == "content-type"), None) \
                or sniff_type(r.body) or "application/octet-stream"
            payload_sha = self.blobs.put(r.body, written)
            warc = r.warc or build_warc(r.url, r.body, when, self.collector, r.kind, r.status, r.reason, r.headers,
                                        ctype, r.post_id)
            sha = sha256_bytes(warc)
            write_atomic(self.root / warc_path(sha), warc, sync=False)
            written.append(self.root / warc_path(sha))
            staged.append((r, when, ctype, payload_sha, sha))
        make_durable(written)
        entries = self.log.append_many([{
            "captured_at": when.isoformat(), "sha256": sha, "payload_sha256": payload_sha, "url": r.url,
            "collector": self.collector, "kind": r.kind, "http_status": r.status, "post_id": r.post_id,
            "version_of": r.version_of, "removed": r.removed, "warc": warc_path(sha),
        } for r, when, _, payload_sha, sha in staged])
        captures = [Capture(sha256=sha, url=r.url, captured_at=when, collector=self.collector, kind=r.kind,
                            warc_path=warc_path(sha), post_id=r.post_id, http_status=r.status,
                            version_of=r.version_of, payload_sha256=payload_sha, content_type=ctype,
                            removed=r.removed, log_seq=entry["seq"], log_hash=entry["hash"])
                    for (r, when, ctype, payload_sha, sha), entry in zip(staged, entries, strict=True)]
        self.store.add(captures)
        return captures

    def capture_fetched(self, fetched: Fetched, **kwargs: Any) -> Capture:
        return self.capture_many([CaptureRequest.of(fetched, **kwargs)])[0]

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

    def verify(self, check_files: bool = True, only: Collection[str] | None = None, anchor: Anchor | None = None,
               trusted_key: bytes | None = None) -> VerifyReport:
        """Check the capture log's chain against itself and the store, each WARC file and blob against its
        hash (``only`` those of the given captures), and the head against ``anchor`` (see :func:`verify_evidence`)."""
        return verify_evidence(self, check_files, only, anchor, trusted_key)

    def read_verified(self, captures: Collection[Capture]) -> dict[str, bytes]:
        """The WARC bytes of each capture (by SHA-256), once the store verifies for them and each file read
        still hashes to its name; :class:`TamperedError` otherwise."""
        report = self.verify(only=[c.sha256 for c in captures])
        if not report.ok:
            raise TamperedError("refusing to export", report)
        out = {}
        for capture in captures:
            data = (self.root / warc_path(capture.sha256)).read_bytes()
            if sha256_bytes(data) != capture.sha256:
                raise TamperedError("refusing to export", VerifyReport(report.entries, report.head, [ChainProblem(
                    capture.log_seq or 0, "file_altered", f"WARC file {name(capture.sha256)} changed while read")]))
            out[capture.sha256] = data
        return out
