"""Streaming: records from JSON Lines on a stream or from files dropped in a folder, one at a time.

Memory stays bounded: one line is held at a time, results are written and flushed as they come.
A bad line yields an error record naming its source and line; the stream goes on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from wildtrace.log import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class StreamRecord:
    """One line read from a stream: the parsed record or the reason it could not be parsed."""

    source: str
    line: int
    record: dict[str, Any] | None
    error: str | None = None


def read_jsonl(stream: IO[str], source: str = "<stdin>") -> Iterator[StreamRecord]:
    """Yield the records of a JSON Lines stream as they arrive (blank lines skipped)."""
    for number, raw in enumerate(stream, start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            yield StreamRecord(source, number, None, f"not JSON: {exc.msg} at column {exc.colno}")
            continue
        if not isinstance(record, dict):
            yield StreamRecord(source, number, None, f"expected a JSON object, got {type(record).__name__}")
            continue
        yield StreamRecord(source, number, record)


def watch_folder(folder: Path, poll_seconds: float = 1.0, idle_exit: float | None = None,
                 pattern: str = "*.jsonl") -> Iterator[StreamRecord]:
    """Yield the records of every complete ``pattern`` file that appears in ``folder``, in name order.

    Writers must create files under another name and rename them into place when complete (an
    atomic rename), so a half-written file is never read. Files already done are listed in
    ``folder/.wildtrace-done`` so that a restart does not emit them twice. With ``idle_exit``, stop
    after that many seconds without a new file.
    """
    done_file = folder / ".wildtrace-done"
    done = set(done_file.read_text().split("\n")) if done_file.exists() else set()
    idle_since = time.monotonic()
    while True:
        fresh = sorted(p for p in folder.glob(pattern) if p.name not in done)
        for path in fresh:
            with path.open(encoding="utf-8", errors="replace") as fh:
                yield from read_jsonl(fh, source=str(path))
            done.add(path.name)
            with done_file.open("a") as fh:
                fh.write(path.name + "\n")
            idle_since = time.monotonic()
        if idle_exit is not None and time.monotonic() - idle_since >= idle_exit:
            return
        time.sleep(poll_seconds)


def process_stream(records: Iterator[StreamRecord], handle: Callable[[dict[str, Any]], dict[str, Any]],
                   out: IO[str], err: IO[str]) -> tuple[int, int]:
    """Apply ``handle`` to each record, writing one JSON line per result to ``out`` (flushed at once)
    and one per failure to ``err``. Returns (processed, failed)."""
    processed = failed = 0
    for item in records:
        if item.record is None:
            failed += 1
            err.write(json.dumps({"source": item.source, "line": item.line, "error": item.error}) + "\n")
            err.flush()
            continue
        try:
            result = handle(item.record)
        except Exception as exc:  # one bad record must not stop the stream
            failed += 1
            err.write(json.dumps({"source": item.source, "line": item.line, "error": str(exc)},
                                 ensure_ascii=False) + "\n")
            err.flush()
            continue
        processed += 1
        out.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
        out.flush()
    return processed, failed
