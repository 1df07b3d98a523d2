"""Export a case or posts as a bundle a third party can check: WACZ, the WARC files, the log entries,
the posts, and ``MANIFEST.sha256`` (``sha256sum -c MANIFEST.sha256``)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from wildtrace.evidence._blobs import sha256_file
from wildtrace.evidence._capture import Evidence
from wildtrace.evidence._log import is_sha256, parse_entry
from wildtrace.evidence._verify import VerifyReport, name
from wildtrace.evidence.chain import ChainProblem, entry_payload, link_hash
from wildtrace.model import Capture, Case, Post
from wildtrace.store import Store

README = """Evidence bundle exported by WildTrace.

  sha256sum -c MANIFEST.sha256     checks every file against the manifest
  evidence.wacz                    the captures as a WACZ (opens in ReplayWeb.page and other replay tools)
  warc/<sha256>.warc.gz            each capture as its own WARC file, named by its SHA-256
  capture-log.jsonl                the capture-log entries of these captures; in each entry
                                   hash = SHA-256(prev_hash + "\\n" + JSON of the other keys, sorted, compact)
  posts.jsonl                      the posts these captures belong to
"""


@dataclass
class ExportResult:
    out_dir: str
    wacz: str
    manifest: str
    captures: int
    posts: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def export_bundle(evidence: Evidence, out_dir: str | Path, case_id: str | None = None,
                  post_ids: list[str] | None = None) -> ExportResult:
    """Write the bundle for ``case_id`` and/or ``post_ids`` into ``out_dir``, once what it holds verifies
    (:class:`TamperedError` otherwise, before anything is written)."""
    store = evidence.store
    refs = [f"post:{p}" for p in post_ids or []]
    if case_id is not None:
        case = store.get(Case, case_id)
        if case is None:
            raise ValueError(f"no case {case_id!r} in the store")
        refs += case.items
    posts = []
    for ref in dict.fromkeys(refs):
        kind, _, post_id = ref.partition(":")
        if kind == "post":
            post = store.get(Post, post_id)
            if post is None:
                raise ValueError(f"no post {post_id!r} in the store")
            posts.append(post)
    captures = captures_of(store, refs)
    if not captures:
        raise ValueError("nothing preserved for that selection: capture it first (wildtrace evidence add)")
    warc_bytes = evidence.read_verified(captures)
    out = Path(out_dir)
    (out / "warc").mkdir(parents=True, exist_ok=True)
    warcs = []
    for capture in captures:
        target = out / "warc" / f"{capture.sha256}.warc.gz"
        target.write_bytes(warc_bytes[capture.sha256])
        warcs.append(target)
    seqs = {c.log_seq for c in captures}
    entries = [e for e in evidence.log.entries() if e.get("seq") in seqs]
    _write_jsonl(out / "capture-log.jsonl", entries)
    _write_jsonl(out / "posts.jsonl", [p.model_dump(mode="json") for p in posts])
    (out / "README.txt").write_text(README, encoding="utf-8")
    from wacz.main import main as wacz_main  # imported here: it pulls in a large validation stack

    wacz = out / "evidence.wacz"
    with contextlib.redirect_stdout(io.StringIO()):
        status = wacz_main(["create", "-o", str(wacz), "--detect-pages", *map(str, warcs)])
    if status not in (0, None):
        raise RuntimeError(f"wacz could not build {wacz} (status {status})")
    manifest = out / "MANIFEST.sha256"
    files = sorted(p for p in out.rglob("*") if p.is_file() and p != manifest)
    manifest.write_text("".join(f"{sha256_file(p)}  {p.relative_to(out).as_posix()}\n" for p in files),
                        encoding="utf-8")
    return ExportResult(str(out), str(wacz), str(manifest), len(captures), len(posts))


def captures_of(store: Store, refs: list[str]) -> list[Capture]:
    """The captures a selection holds (``post:<id>`` and ``capture:<sha256>`` references, as a case's items):
    each post's captures and the captures of its pictures, and each capture named; in log order."""
    found: dict[str, Capture] = {}
    for ref in dict.fromkeys(refs):
        kind, _, key = ref.partition(":")
        if kind == "post" and (post := store.get(Post, key)) is not None:
            for capture in store.find(Capture, "post_id = ?", (post.id,)):
                found[capture.sha256] = capture
            for media in post.media:
                for capture in store.find(Capture, "payload_sha256 = ?", (media,)):
                    found[capture.sha256] = capture
        elif kind == "capture":
            listed = store.get(Capture, key)
            if listed is None:
                raise ValueError(f"no capture {key!r} in the store")
            found[key] = listed
    return sorted(found.values(), key=lambda c: (c.log_seq or 0, c.sha256))


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows),
                    encoding="utf-8")


def check_bundle(bundle_dir: str | Path) -> VerifyReport:
    """Check an exported bundle as a third party would: ``MANIFEST.sha256`` against every file, each log
    entry against its own hash, each WARC file (loose and inside ``evidence.wacz``) against the SHA-256
    that names it and the log entry that lists it, and the WACZ against its own package digests."""
    root = Path(bundle_dir)
    if not (root / "MANIFEST.sha256").is_file():
        raise ValueError(f"{root}: not an evidence bundle (no MANIFEST.sha256)")
    problems = _check_manifest(root)
    entries, log_problems = _bundle_entries(root / "capture-log.jsonl")
    problems += log_problems
    logged = {str(e.get("sha256")): int(e["seq"]) for e in entries}
    loose = {p.name.removesuffix(".warc.gz"): sha256_file(p) for p in sorted((root / "warc").glob("*.warc.gz"))}
    packed = _wacz_warcs(root / "evidence.wacz", problems)
    for where, files in (("warc/", loose), ("evidence.wacz", packed)):
        for sha, digest in files.items():
            if digest != sha:
                problems.append(ChainProblem(logged.get(sha, 0), "file_altered", f"{where}: WARC file {name(sha)} "
                                             "does not match the SHA-256 that names it"))
            if sha not in logged:
                problems.append(ChainProblem(0, "unlogged", f"{where}: WARC file {name(sha)} is in no log entry of "
                                             "the bundle"))
        for sha, seq in logged.items():
            if sha not in files:
                problems.append(ChainProblem(seq, "file_missing", f"{where}: the WARC file of entry {seq} is "
                                             "missing"))
    return VerifyReport(len(entries), None, sorted(set(problems), key=lambda p: (p.seq, p.kind, p.message)))


def _check_manifest(root: Path) -> list[ChainProblem]:
    problems, listed = [], set()
    for number, line in enumerate((root / "MANIFEST.sha256").read_text(encoding="utf-8", errors="replace")
                                  .splitlines(), start=1):
        digest, _, rel = line.partition("  ")
        parts = Path(rel).parts
        if not is_sha256(digest) or not parts or Path(rel).is_absolute() or ".." in parts:
            problems.append(ChainProblem(0, "manifest", f"MANIFEST.sha256 line {number} is not '<sha256>  <path "
                                         "inside the bundle>'"))
            continue
        listed.add(rel)
        path = root / rel
        if not path.is_file():
            problems.append(ChainProblem(0, "file_missing", f"MANIFEST.sha256 line {number}: the file is missing"))
        elif sha256_file(path) != digest:
            problems.append(ChainProblem(0, "file_altered", f"MANIFEST.sha256 line {number}: the file does not "
                                         "match its digest"))
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if rel != "MANIFEST.sha256" and rel not in listed:
            problems.append(ChainProblem(0, "unlisted", f"{name(rel)} is in the bundle but not in MANIFEST.sha256"))
    return problems


def _bundle_entries(path: Path) -> tuple[list[dict[str, Any]], list[ChainProblem]]:
    """The bundle's log entries; each must match its own hash (the entries are a selection: not a chain)."""
    entries, problems = [], []
    lines = path.read_bytes().splitlines() if path.is_file() else []
    for number, raw in enumerate(lines, start=1):
        try:
            entry = parse_entry(raw.decode("utf-8"))
        except ValueError as exc:
            problems.append(ChainProblem(0, "unreadable", f"capture-log.jsonl line {number} is not an entry: {exc}"))
            continue
        if link_hash(entry["prev_hash"], entry_payload(entry)) != entry["hash"]:
            problems.append(ChainProblem(int(entry["seq"]), "edited", f"entry {entry['seq']} was edited: its "
                                         "content does not match its hash"))
        entries.append(entry)
    return entries, problems


def _wacz_warcs(path: Path, problems: list[ChainProblem]) -> dict[str, str]:
    """``{name without .warc.gz: SHA-256}`` of the WARC files inside the WACZ, which must itself validate."""
    from wacz.main import main as wacz_main

    try:
        with zipfile.ZipFile(path) as wacz:
            found = {Path(n).name.removesuffix(".warc.gz"): hashlib.sha256(wacz.read(n)).hexdigest()
                     for n in wacz.namelist() if n.startswith("archive/") and n.endswith(".warc.gz")}
    except (OSError, zipfile.BadZipFile):
        problems.append(ChainProblem(0, "file_altered", "evidence.wacz is missing or not a zip file"))
        return {}
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        status = wacz_main(["validate", "-f", str(path)])
    if status not in (0, None):
        problems.append(ChainProblem(0, "wacz_invalid", "evidence.wacz does not validate (py-wacz: its files do not "
                                     "match its datapackage.json)"))
    return found
