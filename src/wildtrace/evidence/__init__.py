"""Evidence that survives deletion: WARC captures in a SHA-256 content-addressed store, a hash-chained
capture log, verification, WACZ export, and watching URLs for edits and removal.

>>> ev = Evidence(store, data_dir, collector="ngo-monitor")            # doctest: +SKIP
>>> ev.capture_url("https://example.org/p/1", post_id="p1")            # doctest: +SKIP
>>> ev.verify().ok                                                     # doctest: +SKIP
True
"""

from __future__ import annotations

from wildtrace.evidence._anchor import (
    Anchor,
    check_anchor,
    head_anchor,
    new_signing_key,
    outside,
    read_public_key,
    sign_anchor,
)
from wildtrace.evidence._blobs import BlobStore, sha256_bytes, sha256_file, write_atomic
from wildtrace.evidence._browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    BrowserCapture,
    browser_context,
    capture_with_browser,
    preserve_page,
)
from wildtrace.evidence._capture import CaptureRequest, Evidence, sniff_type
from wildtrace.evidence._export import ExportResult, captures_of, check_bundle, export_bundle
from wildtrace.evidence._fetch import Fetched, fetch
from wildtrace.evidence._log import CaptureLog, parse_entry
from wildtrace.evidence._schedule import Politeness
from wildtrace.evidence._verify import TamperedError, VerifyReport, verify_evidence
from wildtrace.evidence._watch import DEFAULT_MARKERS, Watcher, WatchResult
from wildtrace.evidence.chain import GENESIS, ChainProblem, link_hash, seal, verify_chain

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "DEFAULT_MARKERS",
    "GENESIS",
    "Anchor",
    "BlobStore",
    "BrowserCapture",
    "CaptureLog",
    "CaptureRequest",
    "ChainProblem",
    "Evidence",
    "ExportResult",
    "Fetched",
    "Politeness",
    "TamperedError",
    "VerifyReport",
    "WatchResult",
    "Watcher",
    "browser_context",
    "capture_with_browser",
    "captures_of",
    "check_anchor",
    "check_bundle",
    "export_bundle",
    "fetch",
    "head_anchor",
    "link_hash",
    "new_signing_key",
    "outside",
    "parse_entry",
    "preserve_page",
    "read_public_key",
    "seal",
    "sha256_bytes",
    "sha256_file",
    "sign_anchor",
    "sniff_type",
    "verify_chain",
    "verify_evidence",
    "write_atomic",
]
