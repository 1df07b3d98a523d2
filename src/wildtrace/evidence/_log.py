"""The capture log: an append-only JSON Lines file, each entry chained to the one before."""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from wildtrace.evidence.chain import GENESIS, canonical, seal

_HEX = frozenset("0123456789abcdef")
_MAX_DEPTH = 16  # entries are flat objects; anything deeper is not an entry


def is_sha256(value: object) -> bool:
    """``value`` is 64 lower-case hex digits."""
    return isinstance(value, str) and len(value) == 64 and _HEX.issuperset(value)


def _depth(value: Any) -> int:
    depth, level = 0, [value]
    while level:
        depth += 1
        if depth > _MAX_DEPTH:
            break
        level = [v for x in level if isinstance(x, dict | list) for v in (x.values() if isinstance(x, dict) else x)]
    return depth


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def parse_entry(line: str) -> dict[str, Any]:
    """One log line as an entry, or ``ValueError`` saying why it is not one: not JSON (``NaN``,
    ``Infinity`` and nesting too deep for the parser included), not an object, or a ``seq`` that is
    not a positive integer, or hashes that are not 64 hex digits."""
    try:
        entry = json.loads(line, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("nested too deep") from None
    except ValueError as exc:
        raise ValueError(f"not JSON ({str(exc).split(':')[0]})") from None
    if not isinstance(entry, dict):
        raise ValueError("not a JSON object")
    seq = entry.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or seq < 1:
        raise ValueError("no positive integer 'seq'")
    for key in ("prev_hash", "hash"):
        if not is_sha256(entry.get(key)):
            raise ValueError(f"'{key}' is not 64 hex digits")
    if _depth(entry) > _MAX_DEPTH:
        raise ValueError("nested too deep")
    try:
        canonical(entry)
    except UnicodeEncodeError:
        raise ValueError("holds a lone surrogate") from None
    return entry


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
        return self.append_many([payload])[0]

    def append_many(self, payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Append each payload as the next entry, all in one write made durable once; return the entries."""
        entries: list[dict[str, Any]] = []
        if not payloads:
            return entries
        with self._locked():
            last = self._last()
            seq, prev = (int(last["seq"]), str(last["hash"])) if last else (0, GENESIS)
            for payload in payloads:
                seq += 1
                entries.append(seal({"seq": seq, **payload}, prev))
                prev = entries[-1]["hash"]
            with self.path.open("a", encoding="utf-8") as fh:
                fh.write("".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entries))
                fh.flush()
                os.fsync(fh.fileno())
        return entries

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
        if not lines:
            return None
        try:
            return parse_entry(lines[-1].decode("utf-8"))
        except ValueError as exc:  # UnicodeDecodeError included
            raise ValueError(f"{self.path}: the last line is not a capture-log entry ({exc}); nothing is appended "
                             "to a damaged log: run `wildtrace evidence verify`") from None

    def entries(self) -> list[dict[str, Any]]:
        """Every entry in file order; a line that is not an entry becomes ``{"line": n, "unreadable": why}``."""
        if not self.path.exists():
            return []
        out: list[dict[str, Any]] = []
        with self.path.open("rb") as fh:
            for number, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                try:
                    out.append(parse_entry(raw.decode("utf-8")))
                except ValueError as exc:
                    out.append({"line": number, "unreadable": str(exc)})
        return out
