"""Evidence that survives deletion: WARC captures in a SHA-256 content-addressed store, a hash-chained
capture log, verification, WACZ export, and watching URLs for edits and removal.

>>> ev = Evidence(store, data_dir, collector="ngo-monitor")            # doctest: +SKIP
>>> ev.capture_url("https://example.org/p/1", post_id="p1")            # doctest: +SKIP
>>> ev.verify().ok                                                     # doctest: +SKIP
True
"""

from __future__ import annotations

from wildtrace.evidence._blobs import BlobStore, sha256_bytes, sha256_file, write_atomic
from wildtrace.evidence._capture import Evidence, VerifyReport, sniff_type
from wildtrace.evidence._export import ExportResult, export_bundle
from wildtrace.evidence._fetch import Fetched, fetch
from wildtrace.evidence._log import CaptureLog
from wildtrace.evidence._watch import DEFAULT_MARKERS, Watcher, WatchResult
from wildtrace.evidence.chain import GENESIS, ChainProblem, link_hash, seal, verify_chain

__all__ = [
    "DEFAULT_MARKERS",
    "GENESIS",
    "BlobStore",
    "CaptureLog",
    "ChainProblem",
    "Evidence",
    "ExportResult",
    "Fetched",
    "VerifyReport",
    "WatchResult",
    "Watcher",
    "export_bundle",
    "fetch",
    "link_hash",
    "seal",
    "sha256_bytes",
    "sha256_file",
    "sniff_type",
    "verify_chain",
    "write_atomic",
]
