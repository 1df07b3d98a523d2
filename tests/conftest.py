"""Shared fixtures. Stages add their own in ``tests/<stage>/conftest.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from wildtrace.store import Store, open_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A migrated DuckDB store in a real file."""
    s = open_store(str(tmp_path / "wildtrace.duckdb"))
    yield s
    s.close()
