"""Cases: items, notes, status and a bundle that verifies (and stops verifying when changed)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from wildtrace.evidence import Evidence
from wildtrace.service import verify_bundle


def test_case_life_and_bundle(login, world, app):  # type: ignore[no-untyped-def]
    store, ids = world
    capture = Evidence(store, app.state.settings.data_path).capture(
        "https://market.example/p/1", b"<html>ivory bangle</html>", post_id=ids["posts"][0])
    client = login("investigator")
    r = client.post("/api/cases", json={"title": "Ivory King", "items": [f"post:{ids['posts'][0]}"]})
    assert r.status_code == 201
    case = r.json()["id"]
    for ref in ("account:wechat:ivory_king2", "trader:t-1", "transaction:tx1", "shipment:SF100200300"):
        assert client.post(f"/api/cases/{case}/items", json={"ref": ref}).status_code == 200, ref
    assert client.post(f"/api/cases/{case}/items", json={"ref": "post:missing"}).status_code == 404
    assert client.post(f"/api/cases/{case}/items", json={"ref": "planet:mars"}).status_code == 422
    assert client.post(f"/api/cases/{case}/notes", json={"text": "backup account after the block"}).status_code == 201
    assert client.patch(f"/api/cases/{case}", json={"status": "active"}).json()["status"] == "active"
    view = client.get(f"/api/cases/{case}").json()
    assert len(view["items"]) == 5 and all(i["record"] for i in view["items"])
    assert view["notes"][0]["author"] == "investigator"

    r = client.get(f"/api/cases/{case}/bundle")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert verify_bundle(r.content)["ok"]
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        audit = json.loads(zf.read("audit.json"))
        names = zf.namelist()
        warc = zf.read(f"warc/{capture.sha256}.warc.gz") if f"warc/{capture.sha256}.warc.gz" in names else b""
    assert hashlib.sha256(warc).hexdigest() == capture.sha256  # the capture's own WARC file, byte for byte
    assert manifest["audit_chain"]["ok"] and "items/trader_t-1.json" in names
    assert f"warc/{capture.sha256}.warc.gz" in names and manifest["missing_warcs"] == []  # the post's capture
    assert {"case_created", "case_note_added", "export"} <= {e["action"] for e in audit}
    tampered = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(r.content)) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data.replace(b"backup account", b"no account") if name == "notes.json" else data)
    assert verify_bundle(tampered.getvalue()) == {"ok": False, "changed_or_missing": ["notes.json"], "unlisted": []}


def test_unknown_case_is_404(login):
    client = login("analyst")
    assert client.get("/api/cases/case-none").status_code == 404
    assert client.post("/api/cases/case-none/notes", json={"text": "x"}).status_code == 404
    assert client.get("/api/cases/case-none/bundle").status_code == 404
