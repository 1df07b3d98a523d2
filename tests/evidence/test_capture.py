"""Captures as WARC records under their SHA-256, the capture log on disk, tamper detection, export."""

from __future__ import annotations

import hashlib
import json
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from tests.evidence.conftest import Site
from wildtrace.cli.main import app
from wildtrace.evidence import Evidence, export_bundle
from wildtrace.model import Capture, Case, Post
from wildtrace.store import Store

PAGE = "<html><body><script>alert(1)</script><p>出售XY手镯 5000元</p></body></html>"


def _records(path: Path) -> list:
    with path.open("rb") as fh:
        return [(r.rec_type, r.rec_headers, r.http_headers, r.content_stream().read()) for r in ArchiveIterator(fh)]


def test_url_capture_is_a_warc_response_named_by_its_sha256(evidence: Evidence, site: Site) -> None:
    url = site.set("/p/1", PAGE)
    capture = evidence.capture_url(url, post_id="p1")
    path = evidence.warc_file(capture)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == capture.sha256 == path.name.split(".")[0]
    info, response = _records(path)
    assert info[0] == "warcinfo" and b"test-collector" in info[3]
    assert response[0] == "response" and response[1].get_header("WARC-Target-URI") == url
    assert response[2].get_statuscode() == "200" and response[3] == PAGE.encode()
    assert response[1].get_header("WARC-Date").startswith(capture.captured_at.astimezone(UTC).strftime("%Y-%m-%dT"))
    assert capture.payload_sha256 == hashlib.sha256(PAGE.encode()).hexdigest()
    assert evidence.store.get(Capture, capture.sha256) == capture


def test_file_capture_and_the_log_chain(evidence: Evidence, tmp_path: Path) -> None:
    image = tmp_path / "a.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    first = evidence.capture_file(image)
    second = evidence.capture_file(image, url="https://img.example.cn/a.png", post_id="p9")
    assert first.sha256 != second.sha256 and first.payload_sha256 == second.payload_sha256
    assert first.content_type == "image/png" and (first.log_seq, second.log_seq) == (1, 2)
    lines = [json.loads(line) for line in evidence.log.path.read_text().splitlines()]
    assert lines[1]["prev_hash"] == lines[0]["hash"] == first.log_hash
    assert lines[1]["collector"] == "test-collector" and lines[1]["url"] == "https://img.example.cn/a.png"
    assert evidence.verify().ok


def _filled(evidence: Evidence, n: int = 6) -> list[Capture]:
    return [evidence.capture(f"https://x.org/p/{i}", f"page {i}".encode(), "resource",
                             content_type="text/plain") for i in range(n)]


def _rewrite(evidence: Evidence, edit) -> None:
    lines = evidence.log.path.read_text(encoding="utf-8").splitlines(keepends=True)
    evidence.log.path.write_text("".join(edit(lines)), encoding="utf-8")


@pytest.mark.parametrize(("kind", "edit", "expect"), [
    ("edited", lambda ls: [*ls[:2], ls[2].replace("p/2", "p/22"), *ls[3:]], (3, "edited")),
    ("removed", lambda ls: ls[:3] + ls[4:], (4, "removed")),
    ("reordered", lambda ls: [ls[0], ls[3], ls[2], ls[1], *ls[4:]], (2, "reordered")),
    ("truncated", lambda ls: ls[:4], (5, "truncated")),
    ("garbled", lambda ls: [*ls[:5], "{not json\n"], (0, "unreadable")),
])
def test_verify_names_each_kind_of_log_edit(evidence: Evidence, kind: str, edit, expect: tuple) -> None:
    _filled(evidence)
    assert evidence.verify().ok
    _rewrite(evidence, edit)
    report = evidence.verify()
    assert not report.ok
    assert expect in {(p.seq, p.kind) for p in report.problems}, report.problems


def test_a_forged_entry_with_recomputed_hashes_is_caught_by_the_store_anchor(evidence: Evidence) -> None:
    from wildtrace.evidence import seal

    _filled(evidence, 3)
    entries = evidence.log.entries()
    prev = entries[0]["hash"]
    forged = []
    for entry in entries[1:]:
        body = {k: v for k, v in entry.items() if k not in ("prev_hash", "hash")}
        if body["seq"] == 2:
            body["url"] = "https://x.org/innocent"
        forged.append(seal(body, prev))
        prev = forged[-1]["hash"]
    _rewrite(evidence, lambda ls: [ls[0], *(json.dumps(e, sort_keys=True) + "\n" for e in forged)])
    kinds = {(p.seq, p.kind) for p in evidence.verify().problems}
    assert (2, "edited") in kinds


def test_verify_finds_an_altered_or_missing_warc_file(evidence: Evidence) -> None:
    captures = _filled(evidence, 3)
    evidence.warc_file(captures[0]).write_bytes(b"changed")
    evidence.warc_file(captures[2]).unlink()
    kinds = {(p.seq, p.kind) for p in evidence.verify().problems}
    assert kinds == {(1, "file_altered"), (3, "file_missing")}


def test_export_bundle_checks_with_sha256sum(evidence: Evidence, site: Site, tmp_path: Path) -> None:
    store: Store = evidence.store
    url = site.set("/p/1", PAGE)
    store.add([Post(id="p1", platform="forum", text="出售XY手镯", url=url, media=["e" * 64]),
               Post(id="p2", platform="forum", text="other")])
    evidence.capture_url(url, post_id="p1")
    evidence.capture(site.base + "/img.png", b"\x89PNG\r\n\x1a\nimg", "resource")  # unrelated
    store.add([Case(id="c1", title="bangles", items=["post:p1"])])
    out = tmp_path / "bundle"
    result = export_bundle(evidence, out, case_id="c1")
    assert (result.captures, result.posts) == (1, 1)
    check = subprocess.run(["sha256sum", "-c", "MANIFEST.sha256"], cwd=out, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "evidence.wacz: OK" in check.stdout and "capture-log.jsonl: OK" in check.stdout
    with zipfile.ZipFile(out / "evidence.wacz") as wacz:
        names = wacz.namelist()
        assert "datapackage.json" in names and any(n.startswith("archive/") for n in names)
        assert any(n.startswith("indexes/") for n in names)
    (out / "posts.jsonl").write_text("tampered\n")
    assert subprocess.run(["sha256sum", "-c", "MANIFEST.sha256"], cwd=out, capture_output=True).returncode != 0
    with pytest.raises(ValueError, match="nothing preserved"):
        export_bundle(evidence, tmp_path / "b2", post_ids=["p2"])


def test_cli_add_verify_export(tmp_path: Path, site: Site, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WILDTRACE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WILDTRACE_DB", str(tmp_path / "w.duckdb"))
    runner = CliRunner()
    url = site.set("/gone", "<p>removed</p>", status=410)
    added = runner.invoke(app, ["evidence", "add", url, "--post", "p1", "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["http_status"] == 410
    saved = tmp_path / "saved.html"
    saved.write_text(PAGE)
    from wildtrace.store import open_store

    with open_store(str(tmp_path / "w.duckdb")) as store:
        store.add([Case(id="c9", title="saved pages")])
    added_file = runner.invoke(app, ["evidence", "add", str(saved), "--url", "https://x.org/s", "--case", "c9"])
    assert added_file.exit_code == 0, added_file.output
    exported = runner.invoke(app, ["evidence", "export", "--case", "c9", "--out", str(tmp_path / "b"), "--json"])
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.stdout)["captures"] == 1
    ok = runner.invoke(app, ["evidence", "verify"])
    assert ok.exit_code == 0 and "2 entries" in ok.stdout and ok.stdout.startswith("ok:")
    log = tmp_path / "data" / "evidence" / "capture-log.jsonl"
    log.write_text(log.read_text().replace("x.org/s", "x.org/t"))
    bad = runner.invoke(app, ["evidence", "verify"])
    assert bad.exit_code == 1 and "entry 2 was edited" in bad.stdout
    history = runner.invoke(app, ["evidence", "history", url])
    assert "410" in history.stdout
    assert runner.invoke(app, ["evidence", "export", "--out", str(tmp_path / "o")]).exit_code != 0


def test_captured_time_is_the_one_given(evidence: Evidence) -> None:
    when = datetime(2026, 3, 14, 23, 30, tzinfo=UTC)
    capture = evidence.capture("https://x.org/a", b"x", "resource", captured_at=when)
    assert evidence.store.get(Capture, capture.sha256).captured_at == when
