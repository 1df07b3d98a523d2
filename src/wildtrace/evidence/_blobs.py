"""Content-addressed files: bytes stored once under their SHA-256, written atomically."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def write_atomic(path: Path, data: bytes, sync: bool = True) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old file or the whole new one (with
    ``sync=False`` only once :func:`make_durable` has been called on it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if sync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def make_durable(paths: list[Path]) -> None:
    """Flush files written with ``sync=False`` to disk: each on its own when few, else all in one ``sync``."""
    if len(paths) > 4:
        os.sync()
        return
    for path in paths:
        with path.open("rb") as fh:
            os.fsync(fh.fileno())


class BlobStore:
    """Bytes under ``root/<first two hex digits>/<sha256>``; storing the same bytes twice is a no-op."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def put(self, data: bytes, unsynced: list[Path] | None = None) -> str:
        """Store ``data`` (at once durable; with ``unsynced``, added to that list for :func:`make_durable`)."""
        sha = sha256_bytes(data)
        target = self.path(sha)
        if not target.exists():
            write_atomic(target, data, sync=unsynced is None)
            if unsynced is not None:
                unsynced.append(target)
        return sha

    def get(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def has(self, sha256: str) -> bool:
        return self.path(sha256).exists()
