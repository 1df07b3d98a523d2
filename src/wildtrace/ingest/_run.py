"""The ingest loop: read, validate, quarantine, and commit in chunks with a checkpoint.

Crash safety: each chunk's entities and the checkpoint (how many records of the batch are done)
commit in one transaction, after the chunk's rejects are on disk in the quarantine. A process killed
at any point leaves the store at a chunk boundary; a re-run of the same batch resumes after the last
committed chunk, and entity keys make any overlap a no-op.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from wildtrace.config import Settings
from wildtrace.evidence import Evidence, sha256_bytes, sha256_file, sniff_type
from wildtrace.ingest._convert import Converter, RecordError, model_for, parse_tz
from wildtrace.ingest._mapping import Mapping
from wildtrace.ingest._quarantine import Quarantine
from wildtrace.ingest._readers import FORMATS, RawRecord, detect_format, read_file
from wildtrace.log import get_logger
from wildtrace.model import Entity, MediaItem, Post
from wildtrace.store import Store

log = get_logger(__name__)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_ERRORS_KEPT = 20


@dataclass
class IngestResult:
    """What an ingest did: ``added + duplicates + quarantined == read``. A resumed run counts the crashed
    run's share too; a batch already done reports everything as duplicates (and what it quarantined)."""

    sources: list[str]
    model: str
    batch: str
    read: int = 0
    added: int = 0
    duplicates: int = 0
    quarantined: int = 0
    media_added: int = 0
    resumed_at: int = 0
    already_done: bool = False
    quarantine_path: str | None = None
    errors: list[str] = field(default_factory=list)
    ignored_columns: dict[str, int] = field(default_factory=dict)
    bytes: int = 0
    seconds: float = 0.0
    preserved: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def list_sources(path: Path, fmt: str | None) -> list[tuple[Path, str]]:
    """(file, format) of every file to read under ``path`` (a file or a folder), in name order."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if path.is_file():
        return [(path, fmt or detect_format(path))]
    found = []
    for item in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
        if item.name.endswith(".mapping.json"):
            continue
        try:
            item_fmt = detect_format(item)
        except ValueError:
            continue
        if fmt is None or item_fmt == fmt:
            found.append((item, item_fmt))
    if not found:
        raise ValueError(f"{path}: no {fmt or '|'.join(FORMATS)} files in this folder")
    return found


def ingest_records(store: Store, path: str | Path, model: str | type[Entity] = "post",
                   mapping: Mapping | None = None, fmt: str | None = None, assume_tz: str | None = None,
                   data_dir: str | Path | None = None, chunk_size: int = 5000,
                   progress: Callable[[int], None] | None = None, collector: str = "wildtrace",
                   preserve: bool = False) -> IngestResult:
    """Ingest every record under ``path`` as ``model`` entities into ``store``.

    ``mapping`` renames columns of a foreign export; ``fmt`` overrides the format the suffix tells;
    ``assume_tz`` is the zone of timestamps that carry none (they are refused otherwise). Bad records
    go to ``<data_dir>/quarantine/`` with their reason, and the rest of the batch goes on. Running
    the same batch again adds nothing; running it after a crash completes it. Images a post lists
    and saved pages are preserved in the evidence store (WARC, capture log) as ``collector``; with
    ``preserve``, so is each input file as received (chain of custody for the whole batch).
    """
    started = time.perf_counter()
    entity_model = model_for(model) if isinstance(model, str) else model
    mapping = mapping or Mapping()
    sources = list_sources(Path(path), fmt)
    tz = parse_tz(assume_tz) if assume_tz else None
    root = Path(data_dir if data_dir is not None else Settings().data_dir)
    batch = _batch_id(sources, entity_model, mapping, assume_tz)
    result = IngestResult([str(p) for p, _ in sources], entity_model.__name__, batch,
                          bytes=sum(p.stat().st_size for p, _ in sources))
    checkpoint = _load_checkpoint(store, batch)
    quarantine = Quarantine(root / "quarantine", Path(path).name, entity_model.__name__.lower(), batch)
    if checkpoint is not None and checkpoint["done"]:
        result.already_done = True
        result.read, result.quarantined = checkpoint["records"], checkpoint["quarantined"]
        result.duplicates = checkpoint["added"] + checkpoint["duplicates"]
        result.quarantine_path = str(quarantine.path) if quarantine.path.exists() else None
        result.seconds = time.perf_counter() - started
        return result
    if checkpoint is not None:
        result.read = result.resumed_at = checkpoint["records"]
        for key in ("added", "duplicates", "quarantined", "media_added"):
            setattr(result, key, checkpoint[key])
    converter = Converter(entity_model, mapping, tz, html=all(f == "html" for _, f in sources))
    evidence = Evidence(store, root, collector)
    if preserve:
        result.preserved = [_preserve(evidence, p) for p, _ in sources]
    records = islice(_records(sources), result.resumed_at, None)
    if result.resumed_at:
        log.info("resuming batch %s after record %d", batch[:12], result.resumed_at)
    while chunk := list(islice(records, chunk_size)):
        entities: list[Entity] = []
        media: dict[str, MediaItem] = {}
        rejects: list[tuple[RawRecord, str]] = []
        for raw in chunk:
            try:
                entities.append(_convert(converter, raw, evidence, media))
            except RecordError as exc:
                rejects.append((raw, str(exc)))
        quarantine.write(rejects)
        with store.transaction():
            added = store.add(entities)
            media_added = store.add(media.values())
            result.read += len(chunk)
            result.added += added
            result.duplicates += len(entities) - added
            result.quarantined += len(rejects)
            result.media_added += media_added
            _save_checkpoint(store, result, done=False)
        result.errors.extend(why for _, why in rejects[: MAX_ERRORS_KEPT - len(result.errors)])
        if progress:
            progress(result.read)
    _save_checkpoint(store, result, done=True)
    result.ignored_columns = dict(converter.ignored)
    result.quarantine_path = str(quarantine.path) if quarantine.path.exists() else None
    result.seconds = time.perf_counter() - started
    if result.quarantined:
        log.warning("%d record(s) quarantined in %s", result.quarantined, result.quarantine_path)
    return result


def _preserve(evidence: Evidence, path: Path) -> str:
    """The capture of an input file as received (made once per content)."""
    known = evidence.find_payload(sha256_file(path))
    return (known or evidence.capture_file(path)).sha256


def _records(sources: list[tuple[Path, str]]) -> Iterator[RawRecord]:
    for path, fmt in sources:
        yield from read_file(path, fmt)


def _convert(converter: Converter, raw: RawRecord, evidence: Evidence, media: dict[str, MediaItem]) -> Entity:
    if raw.data is None:
        raise RecordError(raw.source, raw.line, None, raw.error or "unreadable record")
    values = converter.prepare(raw)
    if converter.model is Post and values.get("media"):
        values["media"] = _store_media(raw, values["media"], evidence, media)
    entity = converter.build(raw, values)
    if raw.page is not None and isinstance(entity, Post):
        entity = _page_post(evidence, raw, entity)
    return entity


def _page_post(evidence: Evidence, raw: RawRecord, post: Post) -> Post:
    """A saved page of a post already stored (same URL) is that post; the page is preserved for it."""
    if post.url:
        known = evidence.store.find(Post, "url = ?", (post.url,), limit=1)
        if known:
            post = post.model_copy(update={"id": known[0].id})
    page = raw.page or b""
    if not evidence.find_payload(sha256_bytes(page), post.id):
        evidence.capture(post.url or Path(raw.source).resolve().as_uri(), page, "resource",
                         content_type="text/html", post_id=post.id)
    return post


def _store_media(raw: RawRecord, items: Any, evidence: Evidence, media: dict[str, MediaItem]) -> list[str]:
    """Store each image a post lists by path in the evidence store; return their SHA-256s."""
    if not isinstance(items, list):
        raise RecordError(raw.source, raw.line, "media", "expected a list of image paths or SHA-256s")
    hashes = []
    base = Path(raw.source).parent
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item:
            raise RecordError(raw.source, raw.line, f"media.{i}", f"expected a path, got {item!r}")
        if _SHA256.match(item):
            hashes.append(item)
            continue
        file = Path(item) if Path(item).is_absolute() else base / item
        if not file.is_file():
            raise RecordError(raw.source, raw.line, f"media.{i}", f"file not found: {file}")
        data = file.read_bytes()
        sha = sha256_bytes(data)
        if sha not in media and evidence.find_payload(sha) is None:
            evidence.capture(file.resolve().as_uri(), data, "resource", content_type=sniff_type(data, file.name))
        media[sha] = MediaItem(sha256=sha, mime=sniff_type(data, file.name), size=len(data),
                               path=str(evidence.blobs.path(sha)))
        hashes.append(sha)
    return hashes


def _batch_id(sources: list[tuple[Path, str]], model: type[Entity], mapping: Mapping, assume_tz: str | None) -> str:
    """The identity of a batch: the files' content and how they are read."""
    recipe = {"model": model.__name__, "mapping": asdict(mapping), "assume_tz": assume_tz,
              "files": [(p.name, fmt, sha256_file(p)) for p, fmt in sources]}
    return hashlib.sha256(json.dumps(recipe, sort_keys=True, default=str).encode()).hexdigest()


def _load_checkpoint(store: Store, batch: str) -> dict[str, Any] | None:
    rows = store.query("SELECT * FROM ingest_checkpoints WHERE batch = ?", (batch,))
    return rows[0] if rows else None


def _save_checkpoint(store: Store, result: IngestResult, done: bool) -> None:
    store.execute(
        "INSERT INTO ingest_checkpoints (batch, model, sources, records, added, duplicates, quarantined, media_added, "
        "done, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP) ON CONFLICT (batch) DO UPDATE SET "
        "records = excluded.records, added = excluded.added, duplicates = excluded.duplicates, "
        "quarantined = excluded.quarantined, media_added = excluded.media_added, done = excluded.done, "
        "updated_at = excluded.updated_at",
        (result.batch, result.model, json.dumps(result.sources), result.read, result.added, result.duplicates,
         result.quarantined, result.media_added, done),
    )
