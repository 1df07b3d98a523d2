"""The capture log: an append-only JSON Lines file, each entry chained to the one before."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from wildtrace.evidence.chain import GENESIS, seal


class CaptureLog:
    """``<root>/capture-log.jsonl``; appends are serialised across processes with a file lock."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = self.path.with_suffix(".lock")

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def append(self, payload: dict[str, Any]) -> dict[str, Any]:
        """Append ``payload`` as the next entry (``seq``, ``prev_hash`` and ``hash`` added); return it."""
        with self._locked():
            last = self._last()
            seq = int(last["seq"]) + 1 if last else 1
            entry = seal({"seq": seq, **payload}, last["hash"] if last else GENESIS)
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        return entry

    def _last(self) -> dict[str, Any] | None:
        """The last complete entry; a line cut short by a crash is removed first."""
        if not self.path.exists():
            return None
        with self.path.open("r+b") as fh:
            size = fh.seek(0, os.SEEK_END)
            tail = b""
            while size > 0 and tail.count(b"\n") < 2:
                step = min(size, 65536)
                size -= step
                fh.seek(size)
                tail = fh.read(step) + tail
            if tail and not tail.endswith(b"\n"):
                cut = tail.rfind(b"\n") + 1
                fh.truncate(size + cut)
                tail = tail[:cut]
        lines = tail.splitlines()
        return json.loads(lines[-1]) if lines else None

    def entries(self) -> list[dict[str, Any]]:
        """Every entry in file order; a line that is not an entry becomes ``{"line": n, "unreadable": text}``."""
        if not self.path.exists():
            return []
        out: list[dict[str, Any]] = []
        with self.path.open(encoding="utf-8", errors="replace") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                    int(entry["seq"])
                except (ValueError, KeyError, TypeError):
                    entry = {"line": number, "unreadable": line.rstrip("\n")}
                out.append(entry)
        return out
