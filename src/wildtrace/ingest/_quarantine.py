"""The quarantine: rejected records kept whole, with the reason, as JSON Lines.

One file per batch (``<data_dir>/quarantine/<name>.<model>.<batch>.jsonl``). A re-run of the same
batch after a crash does not write a record twice, and a line cut short by the crash is dropped.
"""

from __future__ import annotations

import base64
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from wildtrace.ingest._readers import RawRecord


class Quarantine:
    """Append-only quarantine file for one ingest batch."""

    def __init__(self, folder: Path, name: str, model: str, batch: str) -> None:
        self.path = Path(folder) / f"{name}.{model}.{batch[:12]}.jsonl"
        self.model = model
        self._seen: set[tuple[str, int]] = set()
        if self.path.exists():
            self._repair()

    def _repair(self) -> None:
        """Drop a last line cut short by a crash; remember which records are already here."""
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            data = data[: data.rfind(b"\n") + 1]
            with self.path.open("r+b") as fh:
                fh.truncate(len(data))
        for line in data.splitlines():
            entry = json.loads(line)
            self._seen.add((entry["source"], entry["line"]))

    def write(self, rejects: list[tuple[RawRecord, str]]) -> int:
        """Append ``(record, reason)`` pairs not already kept, durably; return how many were new."""
        fresh = [(r, why) for r, why in rejects if (r.source, r.line) not in self._seen]
        if not fresh:
            return 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC).isoformat()
        with self.path.open("a", encoding="utf-8") as fh:
            for record, reason in fresh:
                fh.write(_line(_entry(record, reason, self.model, now)) + "\n")
                self._seen.add((record.source, record.line))
            fh.flush()
            os.fsync(fh.fileno())
        return len(fresh)


def _entry(record: RawRecord, reason: str, model: str, when: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"source": record.source, "line": record.line, "model": model, "reason": reason,
                             "quarantined_at": when}
    if record.data is not None:
        entry["record"] = record.data
    elif isinstance(record.raw, bytes):
        entry["raw_base64"] = base64.b64encode(record.raw).decode("ascii")
    elif record.raw is not None:
        entry["raw"] = record.raw
    return entry


def _line(entry: dict[str, Any]) -> str:
    """The entry as one line of JSON, whatever the record holds (lone surrogates are escaped; a record too
    deep to write is kept as its text)."""
    try:
        return json.dumps(entry, ensure_ascii=False).encode("utf-8").decode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(entry)
    except (ValueError, RecursionError):
        record = entry.pop("record", None)
        return json.dumps({**entry, "raw": repr(record)[: 1 << 20]})


def read_quarantine(path: str | Path) -> list[dict[str, Any]]:
    """The entries of a quarantine file."""
    with Path(path).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
