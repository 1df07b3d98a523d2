"""Fixtures for ingest tests: small export files written by the test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def write_jsonl(path: Path, records: list[Any]) -> Path:
    """Write records (dicts as JSON, str/bytes as raw lines) to a JSON Lines file."""
    with path.open("wb") as fh:
        for record in records:
            if isinstance(record, bytes):
                fh.write(record.rstrip(b"\n") + b"\n")
            elif isinstance(record, str):
                fh.write(record.encode() + b"\n")
            else:
                fh.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
    return path


def post(i: int, **extra: Any) -> dict[str, Any]:
    return {"id": f"p{i}", "platform": "wechat", "account_id": f"wechat:u{i % 7}", "text": f"出售 手镯 {i} 号",
            "posted_at": f"2026-03-{1 + i % 28:02d}T23:{i % 60:02d}:00+08:00", **extra}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
