"""A simulated world served on loopback as its platforms would show it: ``/p/<post id>`` is the post's page
(the saved page when the world wrote one, else a page of the same layout made from the post record) and
``/media/<file>`` its pictures. The demo captures every post it ingests from here, so that its evidence
(WARC files, the capture log) is made the way a monitor makes it.

>>> with serve_world(Path("world")) as site:          # doctest: +SKIP
...     httpx.get(site.url("post-00000001")).text
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from wildtrace.simulate._output import saved_page

_MEDIA_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.(png|jpe?g|gif|webp)$")
NOT_FOUND = (404, b"<h1>Not found</h1>", "text/html; charset=utf-8")
_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


@dataclass
class WorldSite:
    """The running site: its base URL and the posts it shows (id -> offset of the record in posts.jsonl)."""

    world: Path
    base: str = ""
    offsets: dict[str, int] = field(default_factory=dict)
    sites: dict[str, str] = field(default_factory=dict)
    authors: dict[str, str] = field(default_factory=dict)

    def url(self, post_id: str) -> str:
        return f"{self.base}/p/{post_id}"

    def page(self, post_id: str) -> bytes | None:
        """The post's page, or None for a post the world does not hold."""
        if post_id not in self.offsets:
            return None
        saved = self.world / "html" / f"{post_id}.html"
        if saved.is_file():
            return saved.read_bytes()
        with (self.world / "posts.jsonl").open("rb") as fh:
            fh.seek(self.offsets[post_id])
            post: dict[str, Any] = json.loads(fh.readline())
        return saved_page(post, self.sites.get(post["platform"], post["platform"]),
                          self.authors.get(post["account_id"], post["account_id"])).encode()

    def media(self, name: str) -> tuple[bytes, str] | None:
        """A picture of the world's media folder by file name (nothing else is served)."""
        match = _MEDIA_NAME.match(name)
        path = self.world / "media" / name
        if match is None or not path.is_file():
            return None
        return path.read_bytes(), _TYPES[match.group(1).lower()]


def _index(world: Path) -> WorldSite:
    site = WorldSite(world)
    with (world / "posts.jsonl").open("rb") as fh:
        offset = 0
        for line in fh:
            if line.strip():
                site.offsets[str(json.loads(line)["id"])] = offset
            offset += len(line)
    for name, key, value, target in (("platforms.jsonl", "id", "name", site.sites),
                                     ("accounts.jsonl", "id", "display_name", site.authors)):
        if (world / name).is_file():
            with (world / name).open(encoding="utf-8") as fh:
                for text in fh:
                    if text.strip():
                        record = json.loads(text)
                        target[str(record[key])] = str(record.get(value) or record[key])
    return site


Answer = tuple[int, bytes, str]  # status, body, content type


@contextmanager
def serve_loopback(answer: Callable[[str], Answer]) -> Iterator[str]:
    """An HTTP server on a free loopback port while in the block, answering ``GET path`` with ``answer(path)``
    (the request's path and query as sent); yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body leave at once (no 40 ms delayed-ACK stall per page)

        def do_GET(self) -> None:
            status, body, ctype = answer(self.path)
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="loopback-site", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def serve_world(world: str | Path) -> Iterator[WorldSite]:
    """Serve ``world`` (a folder written by :func:`simulate`) on a free loopback port while in the block."""
    site = _index(Path(world))

    def answer(target: str) -> Answer:
        path = target.split("?", 1)[0]
        found: tuple[bytes, str] | None = None
        if path.startswith("/p/"):
            page = site.page(path[3:])
            found = (page, "text/html; charset=utf-8") if page is not None else None
        elif path.startswith("/media/"):
            found = site.media(path[7:])
        return (200, *found) if found else NOT_FOUND

    with serve_loopback(answer) as base:
        site.base = base
        yield site
