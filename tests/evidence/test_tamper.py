"""The tamper suite: each way of altering the evidence (capture log, WARC files, blobs and pictures, the
store's rows, anchors, exports and exported bundles) is caught by the real ``wildtrace`` entry point with a
non-zero exit status and one line naming each problem, without a traceback.

An evidence store is built once (pages and a picture of two posts, a case, a signing key and a signed
anchor kept outside the store, an exported bundle); each case alters a copy of it and runs the command.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from wildtrace.evidence import (
    Evidence,
    export_bundle,
    head_anchor,
    new_signing_key,
    seal,
    sha256_bytes,
    sha256_file,
    sign_anchor,
)
from wildtrace.evidence.chain import entry_payload
from wildtrace.model import Capture, Case, MediaItem, Post
from wildtrace.store import open_store

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
PAGES = {"p1": "<html><body><p>出售象牙手镯 5000元 加V: wx_ivory88</p></body></html>",
         "p2": "<html><body><p>antique bangle, ask for price</p></body></html>"}


@dataclass
class Copy:
    """A copy of the reference evidence store that a case alters."""

    root: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def db(self) -> Path:
        return self.root / "w.duckdb"

    @property
    def log(self) -> Path:
        return self.data / "evidence" / "capture-log.jsonl"

    @property
    def bundle(self) -> Path:
        return self.root / "bundle"

    def meta(self) -> dict[str, str]:
        return json.loads((self.root / "meta.json").read_text())

    def lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines(keepends=True)

    def write_lines(self, lines: list[str]) -> None:
        self.log.write_text("".join(lines), encoding="utf-8")

    def entries(self) -> list[dict]:
        return [json.loads(line) for line in self.lines()]

    def sql(self, statement: str, params: tuple = ()) -> None:
        with open_store(str(self.db)) as store:
            store.execute(statement, params)

    def evidence(self) -> Evidence:
        return Evidence(open_store(str(self.db)), self.data, collector="forger")

    def warc(self, key: str) -> Path:
        sha = self.meta()[key]
        return self.data / "evidence" / "warc" / sha[:2] / f"{sha}.warc.gz"

    def blob(self, sha: str) -> Path:
        return self.data / "evidence" / "blobs" / sha[:2] / sha


def _build(root: Path) -> None:
    store = open_store(str(root / "w.duckdb"))
    ev = Evidence(store, root / "data", collector="ngo-monitor")
    png_sha = sha256_bytes(PNG)
    store.add([Post(id="p1", platform="bazaar", text="出售象牙手镯", url="https://bazaar.example/p/p1",
                    media=[png_sha]),
               Post(id="p2", platform="bazaar", text="antique bangle", url="https://bazaar.example/p/p2")])
    meta = {"png": png_sha}
    for post_id, page in PAGES.items():
        capture = ev.capture(f"https://bazaar.example/p/{post_id}", page.encode(), "response", 200,
                             headers=[("Content-Type", "text/html; charset=utf-8")], post_id=post_id)
        meta[f"page_{post_id}"] = capture.sha256
        meta[f"body_{post_id}"] = capture.payload_sha256
    meta["image"] = ev.capture("file:///world/media/p1.png", PNG, "resource", content_type="image/png").sha256
    meta["other"] = ev.capture("https://x.example/notes.txt", b"unrelated notes", "resource").sha256
    store.add([MediaItem(sha256=png_sha, mime="image/png", size=len(PNG), path=str(ev.blobs.path(png_sha))),
               Case(id="c1", title="bangles", items=["post:p1"])])
    keys = root / "keys"
    new_signing_key(keys / "anchor.pem")
    (keys / "anchor.json").write_text(sign_anchor(head_anchor(ev.log.entries(), ev.collector),
                                                  keys / "anchor.pem").to_json())
    assert ev.verify().ok
    export_bundle(ev, root / "bundle", case_id="c1")
    store.close()
    (root / "meta.json").write_text(json.dumps(meta))


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tamper-reference")
    _build(root)
    return root


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., Done]:
    """Run the ``wildtrace`` entry point (``main()``, as the installed command does: exit status, error lines)
    in this process on a copy; ``tests/cli/test_exit_codes.py`` runs the same paths in a real subprocess."""
    from wildtrace.cli.main import main

    def invoke(copy: Copy, *args: str) -> Done:
        monkeypatch.setenv("WILDTRACE_DB", str(copy.db))
        monkeypatch.setenv("WILDTRACE_DATA_DIR", str(copy.data))
        monkeypatch.chdir(copy.root)
        monkeypatch.setattr(sys, "argv", ["wildtrace", *args])
        capsys.readouterr()
        with pytest.raises(SystemExit) as ended:
            main()
        out = capsys.readouterr()
        return Done(int(ended.value.code or 0), out.out, out.err)

    return invoke


# --- the alterations -------------------------------------------------------------------------------------------

def _edit_field(c: Copy) -> None:
    c.write_lines([line.replace("/p/p2", "/p/p3") for line in c.lines()])


def _rechain(entries: list[dict], start: int, change: Callable[[dict], None]) -> list[dict]:
    """``entries`` with entry ``start`` changed and every later hash recomputed, as a careful forger would."""
    out, prev = entries[:start - 1], entries[start - 2]["hash"] if start > 1 else "0" * 64
    for entry in entries[start - 1:]:
        payload = entry_payload(entry)
        if payload["seq"] == start:
            change(payload)
        out.append(seal(payload, prev))
        prev = out[-1]["hash"]
    return out


def _dump(entries: list[dict]) -> list[str]:
    return [json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entries]


def _rechain_log_only(c: Copy) -> None:
    c.write_lines(_dump(_rechain(c.entries(), 2, lambda p: p.update(url="https://bazaar.example/p/innocent"))))


def _rewrite_chain_and_rows(c: Copy) -> None:
    forged = _rechain(c.entries(), 2, lambda p: p.update(url="https://bazaar.example/p/innocent"))
    c.write_lines(_dump(forged))
    for entry in forged[1:]:
        c.sql("UPDATE captures SET url = ?, log_hash = ? WHERE sha256 = ?", (entry["url"], entry["hash"],
                                                                              entry["sha256"]))


def _append_forged_line(c: Copy) -> None:
    last = c.entries()[-1]
    sha = "a" * 64
    forged = seal({**entry_payload(last), "seq": last["seq"] + 1, "url": "https://bazaar.example/p/planted",
                   "sha256": sha, "warc": f"warc/aa/{sha}.warc.gz"}, last["hash"])
    c.write_lines([*c.lines(), *_dump([forged])])


def _append_forged_capture(c: Copy) -> None:
    ev = c.evidence()
    with ev.store:
        ev.capture("https://bazaar.example/p/planted", b"<p>planted</p>", "response", 200, post_id="p2")


def _line_with(text: str) -> Callable[[Copy], None]:
    def edit(c: Copy) -> None:
        lines = c.lines()
        c.write_lines([*lines[:1], text + "\n", *lines[2:]])
    return edit


def _invalid_utf8(c: Copy) -> None:
    data = c.log.read_bytes()
    c.log.write_bytes(data.replace(b"p2", b"p\xff", 1))


def _swap_lines(c: Copy) -> None:
    lines = c.lines()
    c.write_lines([lines[0], lines[2], lines[1], *lines[3:]])


def _edit_anchor(c: Copy) -> None:
    path = c.root / "keys" / "anchor.json"
    anchor = json.loads(path.read_text())
    earlier = c.entries()[-2]
    anchor.update(seq=earlier["seq"], hash=earlier["hash"])
    path.write_text(json.dumps(anchor))


def _reanchor_with_another_key(c: Copy) -> None:
    _rewrite_chain_and_rows(c)
    new_signing_key(c.root / "forger.pem")
    anchor = sign_anchor(head_anchor(c.entries(), "forger"), c.root / "forger.pem")
    (c.root / "keys" / "anchor.json").write_text(anchor.to_json())


def _replace_warc(key: str) -> Callable[[Copy], None]:
    def edit(c: Copy) -> None:
        c.warc(key).write_bytes(c.warc("page_p2").read_bytes())
    return edit


def _truncate_warc(c: Copy) -> None:
    path = c.warc("page_p1")
    path.write_bytes(path.read_bytes()[:-20])


def _warc_renamed_and_logged(c: Copy) -> None:
    """A WARC swapped for another page, stored under its own SHA-256, and the log and row pointed at it."""
    old, new_data = c.meta()["page_p1"], gzip.compress(b"WARC/1.1\r\nWARC-Type: resource\r\n\r\nharmless")
    new = sha256_bytes(new_data)
    (c.data / "evidence" / "warc" / new[:2]).mkdir(exist_ok=True)
    (c.data / "evidence" / "warc" / new[:2] / f"{new}.warc.gz").write_bytes(new_data)
    c.write_lines([line.replace(old, new) for line in c.lines()])
    c.sql("UPDATE captures SET sha256 = ?, warc_path = ? WHERE sha256 = ?", (new, f"warc/{new[:2]}/{new}.warc.gz",
                                                                              old))


def _blob(key: str, action: str) -> Callable[[Copy], None]:
    def edit(c: Copy) -> None:
        path = c.blob(c.meta()[key])
        if action == "delete":
            path.unlink()
        else:
            path.write_bytes(path.read_bytes().replace(b"\x00\x01", b"\x00\x02") + b"!")
    return edit


def _sql(statement: str, *keys: str, values: tuple = ()) -> Callable[[Copy], None]:
    def edit(c: Copy) -> None:
        c.sql(statement, (*values, *(c.meta()[k] for k in keys)))
    return edit


def _unlogged_row(c: Copy) -> None:
    with open_store(str(c.db)) as store:
        store.add([Capture(sha256="f" * 64, url="https://bazaar.example/p/p9", captured_at="2026-01-01T00:00:00Z",
                           collector="forger", warc_path="warc/ff/" + "f" * 64 + ".warc.gz")])


def _bundle_warc_replaced(recompute: bool) -> Callable[[Copy], None]:
    def edit(c: Copy) -> None:
        target = c.bundle / "warc" / f"{c.meta()['page_p1']}.warc.gz"
        target.write_bytes(c.warc("page_p2").read_bytes())
        if recompute:
            _remanifest(c.bundle)
    return edit


def _remanifest(bundle: Path) -> None:
    files = sorted(p for p in bundle.rglob("*") if p.is_file() and p.name != "MANIFEST.sha256")
    (bundle / "MANIFEST.sha256").write_text("".join(f"{sha256_file(p)}  {p.relative_to(bundle).as_posix()}\n"
                                                    for p in files))


def _bundle_log_edited(c: Copy) -> None:
    log = c.bundle / "capture-log.jsonl"
    log.write_text(log.read_text().replace("/p/p1", "/p/p7"))
    _remanifest(c.bundle)


def _bundle_wacz_member_replaced(c: Copy) -> None:
    wacz, sha = c.bundle / "evidence.wacz", c.meta()["page_p1"]
    with zipfile.ZipFile(wacz) as src:
        members = {n: src.read(n) for n in src.namelist()}
    members[f"archive/{sha}.warc.gz"] = c.warc("page_p2").read_bytes()
    with zipfile.ZipFile(wacz, "w") as out:
        for member, data in members.items():
            out.writestr(member, data)
    _remanifest(c.bundle)


def _bundle_extra_file(c: Copy) -> None:
    (c.bundle / "warc" / "notes.txt").write_text("added later")


def _bundle_manifest_traversal(c: Copy) -> None:
    manifest = c.bundle / "MANIFEST.sha256"
    manifest.write_text(manifest.read_text() + f"{'0' * 64}  ../../etc/passwd\n")


VERIFY = ("evidence", "verify")
ANCHORED = ("evidence", "verify", "--anchor", "keys/anchor.json", "--public-key", "keys/anchor.pem.pub")
EXPORT = ("evidence", "export", "--case", "c1", "--out", "out")
BUNDLE = ("evidence", "verify", "--bundle", "bundle")

# (name, alteration, command, a kind of problem that must be named, whether plain verify still passes)
CASES: list[tuple[str, Callable[[Copy], None], tuple[str, ...], str, bool]] = [
    ("log: a field edited", _edit_field, VERIFY, "edited", False),
    ("log: hashes recomputed after an edit", _rechain_log_only, VERIFY, "edited", False),
    ("log: an entry removed", lambda c: c.write_lines(c.lines()[:1] + c.lines()[2:]), VERIFY, "removed", False),
    ("log: two entries swapped", _swap_lines, VERIFY, "reordered", False),
    ("log: the last entry cut off", lambda c: c.write_lines(c.lines()[:-1]), VERIFY, "truncated", False),
    ("log: a line garbled", _line_with("{not json"), VERIFY, "unreadable", False),
    ("log: Infinity in a line", _line_with('{"seq": Infinity, "hash": 1}'), VERIFY, "unreadable", False),
    ("log: JSON nested 100k deep", _line_with("[" * 100_000 + "]" * 100_000), VERIFY, "unreadable", False),
    ("log: bytes that are not UTF-8", _invalid_utf8, VERIFY, "unreadable", False),
    ("log: an entry duplicated", lambda c: c.write_lines([*c.lines(), c.lines()[-1]]), VERIFY, "duplicated", False),
    ("log: a chained entry appended", _append_forged_line, VERIFY, "unrecorded", False),
    ("log: the file deleted", lambda c: c.log.unlink(), VERIFY, "truncated", False),
    ("anchor: a full capture appended since", _append_forged_capture, ANCHORED, "after_anchor", True),
    ("anchor: chain and rows rewritten", _rewrite_chain_and_rows, ANCHORED, "anchor_mismatch", True),
    ("anchor: the anchor file edited", _edit_anchor, ANCHORED, "anchor_signature", True),
    ("anchor: rewritten and re-anchored with another key", _reanchor_with_another_key, ANCHORED, "anchor_signature",
     True),
    ("warc: content replaced", _replace_warc("page_p1"), VERIFY, "file_altered", False),
    ("warc: deleted", lambda c: c.warc("image").unlink(), VERIFY, "file_missing", False),
    ("warc: truncated", _truncate_warc, VERIFY, "file_altered", False),
    ("warc: swapped and the log pointed at it", _warc_renamed_and_logged, VERIFY, "edited", False),
    ("blob: the picture edited", _blob("png", "edit"), VERIFY, "blob_altered", False),
    ("blob: the picture deleted", _blob("png", "delete"), VERIFY, "blob_missing", False),
    ("blob: a page body edited", _blob("body_p2", "edit"), VERIFY, "blob_altered", False),
    ("row: a capture row deleted", _sql("DELETE FROM captures WHERE sha256 = ?", "page_p2"), VERIFY, "unrecorded",
     False),
    ("row: a capture's URL changed", _sql("UPDATE captures SET url = ? WHERE sha256 = ?", "page_p1",
                                          values=("https://bazaar.example/p/other",)), VERIFY, "row_mismatch", False),
    ("row: a capture moved to another post", _sql("UPDATE captures SET post_id = 'p2' WHERE sha256 = ?", "page_p1"),
     VERIFY, "row_mismatch", False),
    ("row: a WARC path pointed outside", _sql("UPDATE captures SET warc_path = '../../../etc/passwd' "
                                              "WHERE sha256 = ?", "other"), VERIFY, "row_mismatch", False),
    ("row: the recorded entry hash changed", _sql("UPDATE captures SET log_hash = ? WHERE sha256 = ?", "page_p2",
                                                  values=("0" * 64,)), VERIFY, "edited", False),
    ("row: a capture that was never logged", _unlogged_row, VERIFY, "unlogged", False),
    ("row: a picture's path pointed outside", _sql("UPDATE media SET path = '/etc/passwd' WHERE sha256 = ?", "png"),
     VERIFY, "row_mismatch", False),
    ("export: a WARC of the case replaced", _replace_warc("page_p1"), EXPORT, "file_altered", False),
    ("export: the case's picture edited", _blob("png", "edit"), EXPORT, "blob_altered", False),
    ("export: the case's log entry edited", lambda c: c.write_lines([line.replace("/p/p1", "/p/p8")
                                                                       for line in c.lines()]), EXPORT, "edited",
     False),
    ("bundle: a WARC replaced", _bundle_warc_replaced(recompute=False), BUNDLE, "file_altered", True),
    ("bundle: a WARC replaced, manifest recomputed", _bundle_warc_replaced(recompute=True), BUNDLE, "file_altered",
     True),
    ("bundle: a log entry edited, manifest recomputed", _bundle_log_edited, BUNDLE, "edited", True),
    ("bundle: a WARC inside the WACZ replaced", _bundle_wacz_member_replaced, BUNDLE, "file_altered", True),
    ("bundle: a file added", _bundle_extra_file, BUNDLE, "unlisted", True),
    ("bundle: a manifest line naming a file outside", _bundle_manifest_traversal, BUNDLE, "manifest", True),
]

PROBLEM_LINE = re.compile(r"^  [a-z_]+: \S[^\n]*$")


def test_the_suite_is_large_enough() -> None:
    assert len(CASES) >= 25
    assert {name.split(":")[0] for name, *_ in CASES} == {"log", "anchor", "warc", "blob", "row", "export", "bundle"}


@pytest.mark.parametrize("command", [VERIFY, ANCHORED, EXPORT, BUNDLE])
def test_the_untouched_store_passes_every_command(reference: Path, tmp_path: Path, run: Callable[..., Done],
                                                  command: tuple[str, ...]) -> None:
    copy = Copy(tmp_path / "copy")
    shutil.copytree(reference, copy.root)
    done = run(copy, *command)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "TAMPERED" not in done.stdout + done.stderr


@pytest.mark.parametrize(("alter", "command", "kind", "plain_ok"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_tampering_is_detected(reference: Path, tmp_path: Path, run: Callable[..., Done], alter: Callable[[Copy], None],
                               command: tuple[str, ...], kind: str, plain_ok: bool) -> None:
    copy = Copy(tmp_path / "copy")
    shutil.copytree(reference, copy.root)
    alter(copy)
    done = run(copy, *command)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output, output
    problems = [line for line in output.splitlines() if line.startswith("  ")]
    assert problems and all(PROBLEM_LINE.match(line) for line in problems), output
    assert any(line.startswith(f"  {kind}: ") for line in problems), output
    assert output.count("TAMPERED") == 1
    if command == EXPORT:
        assert not (copy.root / "out").exists()  # refused before writing anything
    if plain_ok and command != BUNDLE:
        assert run(copy, *VERIFY).returncode == 0  # only the anchor reveals it
