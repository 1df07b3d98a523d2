"""Data is never a path, proxies are believed only when configured, throttling slows without locking out, and
HTTPS gets Secure cookies and HSTS."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import KeywordScreener
from tests.api.world import PASSWORD
from wildtrace.api import create_app
from wildtrace.api._ratelimit import Throttle
from wildtrace.config import Settings
from wildtrace.evidence import Evidence
from wildtrace.model import MediaItem
from wildtrace.service import audit_events

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<html><script>alert(1)</script></html>"


def _app(world: tuple, tmp_path: Path, **settings: str):  # type: ignore[no-untyped-def]
    return create_app(world[0], Settings(secret_key="s", share_key="k", data_dir=str(tmp_path / "data"), **settings),
                      screener=KeywordScreener())


def _signed_in(app, **client: object) -> TestClient:  # type: ignore[no-untyped-def]
    c = TestClient(app, **client)  # type: ignore[arg-type]
    assert c.post("/api/auth/login", json={"username": "investigator", "password": PASSWORD}).status_code == 200
    return c


def _media(store, app, data: bytes, mime: str = "image/png", path: str = "/etc/passwd") -> str:  # type: ignore[no-untyped-def]
    sha = Evidence(store, app.state.settings.data_path).blobs.put(data)
    store.put([MediaItem(sha256=sha, mime=mime, size=len(data), path=path)])
    return sha


def test_media_come_from_the_evidence_store_by_hash_with_their_sniffed_type(world, tmp_path):
    store, _ = world
    app = _app(world, tmp_path)
    client = _signed_in(app)
    png = _media(store, app, PNG, mime="text/html")  # the record's type and path are not believed
    r = client.get(f"/api/media/{png}")
    assert r.status_code == 200 and r.content == PNG and r.headers["content-type"] == "image/png"
    assert r.headers["x-content-type-options"] == "nosniff" and "sandbox" in r.headers["content-security-policy"]
    # a record pointing at a local file whose bytes are not in the evidence store: nothing is read
    store.put([MediaItem(sha256="cd" * 32, mime="image/png", size=10, path="/etc/passwd")])
    r = client.get("/api/media/" + "cd" * 32)
    assert r.status_code == 404 and "root:" not in r.text
    for bad in ("../../etc/passwd", "%2e%2e%2fetc%2fpasswd", "AB" * 32):
        assert client.get("/api/media/" + bad).status_code == 404


def test_an_svg_is_only_an_attachment_and_a_page_is_refused(world, tmp_path):
    store, _ = world
    app = _app(world, tmp_path)
    client = _signed_in(app)
    svg = client.get(f"/api/media/{_media(store, app, SVG, mime='image/svg+xml')}")
    assert svg.status_code == 200 and svg.headers["content-disposition"].startswith("attachment")
    assert svg.headers["content-type"] == "application/octet-stream"
    assert client.get(f"/api/media/{_media(store, app, HTML)}").status_code == 415


def test_a_blob_that_does_not_match_its_hash_is_not_served(world, tmp_path):
    store, _ = world
    app = _app(world, tmp_path)
    sha = _media(store, app, PNG)
    Evidence(store, app.state.settings.data_path).blobs.path(sha).write_bytes(HTML)
    assert _signed_in(app).get(f"/api/media/{sha}").status_code == 404


def test_throttle_spaces_attempts_and_queues_parallel_ones() -> None:
    now = [100.0]
    t = Throttle(limit=3, window=60, delay=1.0, max_delay=4.0, max_wait=10.0, clock=lambda: now[0])
    assert [t.wait("ip:a") for _ in range(3)] == [0, 0, 0]
    assert [t.wait("ip:a") for _ in range(3)] == [1.0, 3.0, 7.0]  # 1, then +2, then +4: they queue up
    assert t.wait("ip:a") is None  # a queue over max_wait: turned away at once
    assert t.wait("ip:b") == 0  # other keys are not slowed
    now[0] += 61  # the window has passed: at once again
    assert t.wait("ip:a") == 0


def test_a_throttled_user_still_signs_in_with_the_right_password(world, tmp_path):
    store, _ = world
    app = _app(world, tmp_path)
    app.state.login_limiter = Throttle(limit=10, window=60, delay=0.001, max_delay=0.01)
    client = TestClient(app)
    codes = [client.post("/api/auth/login", json={"username": "analyst", "password": "wrong password"}).status_code
             for _ in range(12)]
    assert codes == [401] * 12
    assert client.post("/api/auth/login", json={"username": "analyst", "password": PASSWORD}).status_code == 200
    slowed = [e for e in audit_events(store, actor="analyst", limit=100) if e.action == "login_throttled"]
    assert len(slowed) == 3 and all(e.detail["waited"] > 0 for e in slowed)


@pytest.mark.parametrize("trusted", ["", "10.0.0.1"])
def test_forwarded_for_is_believed_only_from_a_configured_proxy(world, tmp_path, trusted):
    store, _ = world
    app = _app(world, tmp_path, trusted_proxies=trusted)
    app.state.login_limiter = Throttle(limit=2, window=60, delay=0.001, max_delay=0.01)
    for i in range(3):  # a new forwarded address each time, from the loopback or the proxy
        client = TestClient(app, client=("10.0.0.1" if trusted else "127.0.0.1", 40000 + i))
        client.post("/api/auth/login", json={"username": f"nobody{i}", "password": "x" * 8},
                    headers={"X-Forwarded-For": f"203.0.113.{i}"})
    addresses = {e.detail["address"] for e in audit_events(store, limit=100) if e.action == "login_failed"}
    if trusted:
        assert addresses == {"203.0.113.0", "203.0.113.1", "203.0.113.2"}
    else:  # the header is ignored: one address, and its third attempt was slowed
        assert addresses == {"127.0.0.1"}
        assert any(e.action == "login_throttled" for e in audit_events(store, limit=100))


def test_https_gets_secure_cookies_and_hsts_plain_http_does_not(world, tmp_path):
    app = _app(world, tmp_path, trusted_proxies="10.0.0.1")
    https = TestClient(app, base_url="https://testserver")
    r = https.post("/api/auth/login", json={"username": "analyst", "password": PASSWORD})
    assert "secure" in r.headers["set-cookie"].lower() and "max-age" in r.headers["strict-transport-security"]
    proxied = TestClient(app, client=("10.0.0.1", 1))
    r = proxied.post("/api/auth/login", json={"username": "partner", "password": PASSWORD},
                     headers={"X-Forwarded-Proto": "https"})
    assert "secure" in r.headers["set-cookie"].lower() and "strict-transport-security" in r.headers
    plain = TestClient(app, client=("127.0.0.1", 1))
    r = plain.post("/api/auth/login", json={"username": "admin", "password": PASSWORD},
                   headers={"X-Forwarded-Proto": "https"})  # not from the proxy: not believed
    assert "secure" not in r.headers["set-cookie"].lower() and "strict-transport-security" not in r.headers
