"""A local HTTP server whose pages the test changes, and an evidence store in a temporary folder."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from wildtrace.evidence import Evidence
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

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits[self.path] = state.hits.get(self.path, 0) + 1
            status, body, ctype = state.pages.get(self.path, (404, b"<h1>Not found</h1>", "text/html"))
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def evidence(store: Store, tmp_path: Path) -> Evidence:
    return Evidence(store, tmp_path / "data", collector="test-collector")
