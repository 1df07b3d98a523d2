from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

from wildtrace.scale import process_stream, read_jsonl, watch_folder


def _upper(record: dict) -> dict:
    return {"id": record["id"], "text": record["text"].upper()}


def test_stream_emits_results_and_names_bad_lines() -> None:
    src = io.StringIO('{"id": "a", "text": "x"}\nnot json\n[1]\n\n{"id": "b"}\n{"id": "c", "text": "y"}\n')
    out, err = io.StringIO(), io.StringIO()
    processed, failed = process_stream(read_jsonl(src), _upper, out, err)
    assert (processed, failed) == (2, 3)
    assert [json.loads(line)["id"] for line in out.getvalue().splitlines()] == ["a", "c"]
    errors = [json.loads(line) for line in err.getvalue().splitlines()]
    assert [e["line"] for e in errors] == [2, 3, 5]
    assert "not JSON" in errors[0]["error"] and "'text'" in errors[2]["error"]


def test_results_are_written_before_the_stream_ends() -> None:
    """A result is flushed as soon as its record arrives (real-time), not at end of input."""
    reader_r, writer_w = _pipe()
    out = io.StringIO()
    thread = threading.Thread(target=process_stream, args=(read_jsonl(reader_r), _upper, out, io.StringIO()))
    thread.start()
    writer_w.write('{"id": "a", "text": "x"}\n')
    writer_w.flush()
    deadline = time.monotonic() + 10
    while '"a"' not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert '"A"' not in out.getvalue() and '"X"' in out.getvalue()
    writer_w.close()
    thread.join(10)


def _pipe():
    import os

    r, w = os.pipe()
    return os.fdopen(r, "r"), os.fdopen(w, "w")


def test_folder_reads_each_complete_file_once(tmp_path: Path) -> None:
    (tmp_path / "001.jsonl").write_text('{"id": "a", "text": "x"}\n')
    (tmp_path / "002.jsonl.tmp").write_text('{"id": "half", "text": "x"}\n')
    ids = [r.record["id"] for r in watch_folder(tmp_path, poll_seconds=0.01, idle_exit=0.05)]
    assert ids == ["a"]
    (tmp_path / "002.jsonl.tmp").rename(tmp_path / "002.jsonl")
    ids = [r.record["id"] for r in watch_folder(tmp_path, poll_seconds=0.01, idle_exit=0.05)]
    assert ids == ["half"]
