"""Verification of the evidence store: the capture log's chain, the store's capture rows against the log,
each capture's WARC file and each body's blob against their SHA-256, and the head against an anchor.

Every problem is one :class:`ChainProblem` naming the entry (0 when it concerns no entry) and saying what
is wrong in one line; hostile values from the log or the store are never printed, only named.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wildtrace.evidence._blobs import sha256_file
from wildtrace.evidence._log import is_sha256
from wildtrace.evidence.chain import ChainProblem, verify_chain

if TYPE_CHECKING:
    from wildtrace.evidence._anchor import Anchor
    from wildtrace.evidence._capture import Evidence

# Fields a capture-log entry and the store's capture row both hold: (entry key, row column).
_SHARED_FIELDS = (("url", "url"), ("post_id", "post_id"), ("payload_sha256", "payload_sha256"), ("kind", "kind"),
                  ("http_status", "http_status"), ("version_of", "version_of"), ("removed", "removed"),
                  ("collector", "collector"), ("warc", "warc_path"), ("captured_at", "captured_at"))


@dataclass
class VerifyReport:
    """The result of :func:`verify_evidence`: every problem found, naming the entry."""

    entries: int
    head: tuple[int, str] | None
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        """One line per problem: ``kind: message``."""
        return [f"{p.kind}: {p.message}" for p in self.problems]

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "head": list(self.head) if self.head else None,
                "problems": [asdict(p) for p in self.problems]}


class TamperedError(ValueError):
    """Evidence that does not verify; ``report`` holds every problem."""

    def __init__(self, what: str, report: VerifyReport) -> None:
        self.report = report
        super().__init__(f"{what}: the evidence store does not verify ({len(report.problems)} problem(s)): "
                         + "; ".join(report.lines()[:5]) + (" ..." if len(report.problems) > 5 else ""))


def name(value: object) -> str:
    """A value from the log or the store as it may be printed: a hash shortened, anything else quoted."""
    text = str(value)
    return f"{text[:16]}…" if is_sha256(text) else repr(text[:40])


def warc_path(sha256: str) -> str:
    """Where the WARC file of capture ``sha256`` lives, relative to the evidence root."""
    return f"warc/{sha256[:2]}/{sha256}.warc.gz"


def verify_evidence(evidence: Evidence, check_files: bool = True, only: Collection[str] | None = None,
                    anchor: Anchor | None = None, trusted_key: bytes | None = None) -> VerifyReport:
    """Check the log's chain, the capture rows against the log, and (``check_files``) every WARC file and
    blob; with ``only`` (capture SHA-256s) the files and blobs of those captures alone. With ``anchor``,
    the log must end at the anchored head (signed by ``trusted_key`` when given)."""
    raw = evidence.log.entries()
    problems = [ChainProblem(0, "unreadable", f"line {e['line']} of the log is not an entry: {e['unreadable']}")
                for e in raw if "unreadable" in e]
    entries = [e for e in raw if "unreadable" not in e]
    rows = evidence.store.query("SELECT * FROM captures")
    logged = sorted((r for r in rows if r["log_seq"] is not None), key=lambda r: int(r["log_seq"]))
    head = (int(logged[-1]["log_seq"]), str(logged[-1]["log_hash"])) if logged else None
    problems += verify_chain(entries, head)
    problems += _check_rows(entries, rows, {(p.seq, p.kind) for p in problems})
    if check_files:
        chosen = entries if only is None else [e for e in entries if e.get("sha256") in set(only)]
        problems += _check_warcs(evidence.root, chosen)
        media = evidence.store.query("SELECT sha256, path FROM media")
        problems += _check_blobs(evidence, chosen, media, scan_all=only is None)
    if anchor is not None:
        from wildtrace.evidence._anchor import check_anchor

        problems += check_anchor(entries, anchor, trusted_key)
    return VerifyReport(len(entries), head, sorted(set(problems), key=lambda p: (p.seq, p.kind, p.message)))


def _same(entry_value: Any, row_value: Any) -> bool:
    if isinstance(row_value, datetime):
        try:
            return datetime.fromisoformat(str(entry_value)) == row_value
        except ValueError:
            return False
    if row_value in ("", None) and entry_value in ("", None):
        return True
    return bool(entry_value == row_value)


def _check_rows(entries: list[dict[str, Any]], rows: list[dict[str, Any]],
                flagged: set[tuple[int, str]]) -> list[ChainProblem]:
    """The store's capture rows against the log: each entry recorded once, with the same fields."""
    problems = []
    by_sha = {r["sha256"]: r for r in rows}
    by_seq = {int(e["seq"]): e for e in entries}
    for entry in entries:
        seq = int(entry["seq"])
        row = by_sha.get(entry.get("sha256"))
        if row is None:
            problems.append(ChainProblem(seq, "unrecorded", f"entry {seq} has no capture row in the store "
                                         "(written to the log outside WildTrace, or the row was deleted)"))
            continue
        if row["log_hash"] != entry["hash"] and (seq, "edited") not in flagged:
            problems.append(ChainProblem(seq, "edited", f"entry {seq} differs from the store's record of it"))
        differ = [col for key, col in _SHARED_FIELDS if not _same(entry.get(key), row.get(col))]
        if row["log_seq"] is None or int(row["log_seq"]) != seq:
            differ.insert(0, "log_seq")
        if differ:
            problems.append(ChainProblem(seq, "row_mismatch", f"entry {seq}: the store's capture row differs from "
                                         f"the log in {', '.join(differ)}"))
    for row in rows:
        if row["log_seq"] is None:
            problems.append(ChainProblem(0, "unlogged", f"capture {name(row['sha256'])} is in the store but not in "
                                         "the capture log"))
            continue
        claimed = by_seq.get(int(row["log_seq"]))
        if claimed is not None and claimed.get("sha256") != row["sha256"]:
            problems.append(ChainProblem(int(row["log_seq"]), "row_mismatch", f"capture {name(row['sha256'])} in "
                                         f"the store claims entry {row['log_seq']}, which logs another capture"))
    return problems


def _check_warcs(root: Path, entries: Iterable[Mapping[str, Any]]) -> list[ChainProblem]:
    """Each entry's WARC file is where its SHA-256 says and still hashes to it."""
    problems = []
    for entry in entries:
        seq, sha = int(entry["seq"]), entry.get("sha256")
        if not is_sha256(sha):
            problems.append(ChainProblem(seq, "bad_reference", f"entry {seq}: its sha256 is not a SHA-256"))
            continue
        path = root / warc_path(str(sha))
        if entry.get("warc") != warc_path(str(sha)):
            problems.append(ChainProblem(seq, "bad_reference", f"entry {seq}: the WARC path it names is not the "
                                         "one its SHA-256 gives"))
        if not path.is_file():
            problems.append(ChainProblem(seq, "file_missing", f"entry {seq}: WARC file {name(sha)} is missing"))
        elif sha256_file(path) != sha:
            problems.append(ChainProblem(seq, "file_altered", f"entry {seq}: WARC file {name(sha)} does not match "
                                         "its SHA-256"))
    return problems


def _check_blobs(evidence: Evidence, entries: Iterable[Mapping[str, Any]], media: list[dict[str, Any]],
                 scan_all: bool) -> list[ChainProblem]:
    """Each body a capture names and each stored picture is in the blob store and hashes to its name; with
    ``scan_all``, every blob file is checked, named or not."""
    problems: list[ChainProblem] = []
    checked: dict[str, str | None] = {}  # sha256 -> problem kind, None when sound

    def check(sha: str) -> str | None:
        if sha not in checked:
            path = evidence.blobs.path(sha)
            checked[sha] = ("blob_missing" if not path.is_file() else
                            "blob_altered" if sha256_file(path) != sha else None)
        return checked[sha]

    for entry in entries:
        seq, sha = int(entry["seq"]), entry.get("payload_sha256")
        if not is_sha256(sha):
            problems.append(ChainProblem(seq, "bad_reference", f"entry {seq}: its payload_sha256 is not a SHA-256"))
        elif kind := check(str(sha)):
            problems.append(ChainProblem(seq, kind, f"entry {seq}: the body {name(sha)} is "
                                         + ("missing from" if kind == "blob_missing" else "altered in")
                                         + " the blob store"))
    wanted = None if scan_all else {e.get("payload_sha256") for e in entries}
    for row in media:
        sha, path = row["sha256"], row["path"]
        if wanted is not None and sha not in wanted:
            continue
        if not is_sha256(sha):
            problems.append(ChainProblem(0, "bad_reference", f"picture {name(sha)}: its key is not a SHA-256"))
            continue
        if kind := check(sha):
            problems.append(ChainProblem(0, kind, f"picture {name(sha)} is "
                                         + ("missing from" if kind == "blob_missing" else "altered in")
                                         + " the blob store"))
        if path and Path(path).parts[-2:] != (sha[:2], sha):
            problems.append(ChainProblem(0, "row_mismatch", f"picture {name(sha)}: the store's path for it is not "
                                         "its blob"))
    if scan_all and evidence.blobs.root.is_dir():
        for path in sorted(evidence.blobs.root.glob("*/*")):
            if path.name.startswith(".tmp-") or path.name in checked:
                continue
            if not is_sha256(path.name) or sha256_file(path) != path.name:
                problems.append(ChainProblem(0, "blob_altered", f"blob {name(path.name)} does not match its "
                                             "SHA-256"))
    return problems
