"""Export a case or posts as a bundle a third party can check: WACZ, the WARC files, the log entries,
the posts, and ``MANIFEST.sha256`` (``sha256sum -c MANIFEST.sha256``)."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from wildtrace.evidence._blobs import sha256_file
from wildtrace.evidence._capture import Evidence
from wildtrace.model import Capture, Case, Post

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
    """Write the bundle for ``case_id`` and/or ``post_ids`` into ``out_dir``."""
    store = evidence.store
    ids, shas = list(post_ids or []), []
    if case_id is not None:
        case = store.get(Case, case_id)
        if case is None:
            raise ValueError(f"no case {case_id!r} in the store")
        for item in case.items:
            kind, _, ref = item.partition(":")
            if kind == "post":
                ids.append(ref)
            elif kind == "capture":
                shas.append(ref)
    posts = []
    for post_id in dict.fromkeys(ids):
        post = store.get(Post, post_id)
        if post is None:
            raise ValueError(f"no post {post_id!r} in the store")
        posts.append(post)
    captures = _captures(evidence, posts, shas)
    if not captures:
        raise ValueError("nothing preserved for that selection: capture it first (wildtrace evidence add)")
    out = Path(out_dir)
    (out / "warc").mkdir(parents=True, exist_ok=True)
    warcs = []
    for capture in captures:
        target = out / "warc" / f"{capture.sha256}.warc.gz"
        shutil.copyfile(evidence.warc_file(capture), target)
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


def _captures(evidence: Evidence, posts: list[Post], shas: list[str]) -> list[Capture]:
    found: dict[str, Capture] = {}
    store = evidence.store
    for post in posts:
        for capture in store.find(Capture, "post_id = ?", (post.id,)):
            found[capture.sha256] = capture
        for media in post.media:
            for capture in store.find(Capture, "payload_sha256 = ?", (media,)):
                found[capture.sha256] = capture
    for sha in shas:
        listed = store.get(Capture, sha)
        if listed is None:
            raise ValueError(f"no capture {sha!r} in the store")
        found[sha] = listed
    return sorted(found.values(), key=lambda c: (c.log_seq or 0, c.sha256))


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in rows),
                    encoding="utf-8")
