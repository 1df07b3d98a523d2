"""Evidence that survives deletion: content-addressed storage of captures and media."""

from __future__ import annotations

from wildtrace.evidence._blobs import BlobStore, sha256_bytes, sha256_file, write_atomic

__all__ = ["BlobStore", "sha256_bytes", "sha256_file", "write_atomic"]
