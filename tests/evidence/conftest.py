"""A local HTTP server whose pages the test changes, and an evidence store in a temporary folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from wildtrace.evidence import Evidence
from wildtrace.simulate import NOT_FOUND, serve_loopback
from wildtrace.store import Store


@dataclass
class Site:
    """Routes served by :func:`site`: path -> (status, body, content type). Change them at will."""

    base: str = ""
    pages: dict[str, tuple[int, bytes, str]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)

    def set(self, path: str, body: str | bytes, status: int = 200, ctype: str = "text/html; charset=utf-8") -> str:
        self.pages[path] = (status, body.encode() if isinstance(body, str) else body, ctype)
        return self.base + path


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    def answer(path: str) -> tuple[int, bytes, str]:
        state.hits[path] = state.hits.get(path, 0) + 1
        return state.pages.get(path, NOT_FOUND)

    with serve_loopback(answer) as base:
        state.base = base
        yield state


@pytest.fixture
def evidence(store: Store, tmp_path: Path) -> Evidence:
    return Evidence(store, tmp_path / "data", collector="test-collector")
