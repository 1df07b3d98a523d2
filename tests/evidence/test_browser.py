"""Browser capture (Playwright + Debian's Chromium) against pages this test serves on loopback: a page whose
price only exists once its JavaScript ran, and a members' page behind a login form reached through a
persistent profile."""

from __future__ import annotations

import json
import struct
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from wildtrace.evidence import CHROMIUM, Evidence, browser_context, capture_with_browser, check_bundle, export_bundle
from wildtrace.model import Post

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")

JS_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>listing</title></head><body>
<h1>旧货</h1><div id="price">loading</div><div style="height:2500px"></div><p>end</p>
<script>fetch('/api/item.json').then(r => r.json()).then(d => {
  document.getElementById('price').textContent = '售价 ' + d.price + '元';
});</script></body></html>"""
LOGIN = """<!DOCTYPE html><html><body><form method="post" action="/login">
<input name="user" id="user"><input name="password" id="password" type="password">
<button id="go" type="submit">sign in</button></form></body></html>"""
MEMBERS = "<!DOCTYPE html><html><body><p>members only: 象牙手镯 8000元 wx_ivory88</p></body></html>"


@pytest.fixture
def shop() -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def _send(self, status: int, body: str, ctype: str = "text/html; charset=utf-8",
                  extra: tuple[tuple[str, str], ...] = ()) -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for key, value in extra:
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/listing":
                self._send(200, JS_PAGE)
            elif self.path == "/api/item.json":
                self._send(200, json.dumps({"price": 5000}), "application/json")
            elif self.path == "/members":
                signed_in = "session=ok" in (self.headers.get("Cookie") or "")
                self._send(200, MEMBERS) if signed_in else self._send(302, "", extra=(("Location", "/login"),))
            elif self.path == "/login":
                self._send(200, LOGIN)
            else:
                self._send(404, "<p>not found</p>")

        def do_POST(self) -> None:
            form = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            good = "user=monitor" in form and "password=s3cret" in form
            self._send(302, "", extra=(("Location", "/members" if good else "/login"),
                                       *((("Set-Cookie", "session=ok; Path=/; Max-Age=3600"),) if good else ())))

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _records(path: Path) -> list[tuple[str, str, bytes, object]]:
    with path.open("rb") as fh:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI") or "", r.content_stream().read(),
                 r.rec_headers) for r in ArchiveIterator(fh)]


def test_a_javascript_page_is_captured_as_rendered(evidence: Evidence, shop: str, tmp_path: Path) -> None:
    seen = capture_with_browser(evidence, f"{shop}/listing", post_id="p1")
    records = _records(evidence.warc_file(seen.capture))
    kinds = [(kind, uri) for kind, uri, _, _ in records]
    assert ("response", f"{shop}/listing") in kinds and ("response", f"{shop}/api/item.json") in kinds
    assert ("request", f"{shop}/api/item.json") in kinds  # every request, as Webrecorder records them
    page = next(body for kind, uri, body, _ in records if kind == "response" and uri == f"{shop}/listing")
    assert "5000" not in page.decode()  # the server's HTML has no price ...
    dom = next(body for kind, uri, body, _ in records if uri == f"urn:dom:{shop}/listing")
    assert "售价 5000元" in dom.decode()  # ... the rendered page has it
    shot = next(body for kind, uri, body, _ in records if uri == f"urn:view:{shop}/listing")
    width, height = struct.unpack(">II", shot[16:24])
    assert shot.startswith(b"\x89PNG") and height > 2500 > width  # the full page, not the viewport
    info = records[0][2].decode()
    assert records[0][0] == "warcinfo" and "Chrome" in info and "HeadlessChrome" in seen.user_agent
    assert evidence.blobs.has(seen.screenshot_sha256) and evidence.blobs.has(seen.dom_sha256)
    assert seen.capture.post_id == "p1" and seen.capture.payload_sha256 == evidence.blobs.put(page)
    assert evidence.verify().ok
    evidence.store.add([Post(id="p1", platform="shop", text="旧货", url=f"{shop}/listing")])
    bundle = tmp_path / "bundle"
    export_bundle(evidence, bundle, post_ids=["p1"])
    assert check_bundle(bundle).ok  # py-wacz validates the WACZ of the browser's WARC


def test_a_signed_in_page_through_a_persistent_profile(evidence: Evidence, shop: str, tmp_path: Path) -> None:
    profile = tmp_path / "profile"
    outsider = capture_with_browser(evidence, f"{shop}/members")
    assert outsider.capture.url == f"{shop}/login"  # without the session: the login form
    with browser_context(profile) as context:  # the investigator signs in once, by hand
        page = context.new_page()
        page.goto(f"{shop}/login")
        page.fill("#user", "monitor")
        page.fill("#password", "s3cret")
        page.click("#go")
        page.wait_for_url(f"{shop}/members")
    member = capture_with_browser(evidence, f"{shop}/members", profile=profile)
    assert member.capture.url == f"{shop}/members"
    dom = next(body for _, uri, body, _ in _records(evidence.warc_file(member.capture)) if uri.startswith("urn:dom:"))
    assert "members only: 象牙手镯 8000元" in dom.decode()
    assert not any(p.is_relative_to(profile) for p in evidence.root.rglob("*"))  # never inside the store
    with pytest.raises(ValueError, match="outside the evidence store"):
        capture_with_browser(evidence, f"{shop}/members", profile=evidence.root / "profile")
    assert evidence.verify().ok
