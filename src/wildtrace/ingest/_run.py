"""The ingest loop: read, validate, quarantine, and commit in chunks with a checkpoint.

Crash safety: each chunk's entities and the checkpoint (how many records of the batch are done)
commit in one transaction, after the chunk's rejects are on disk in the quarantine. A process killed
at any point leaves the store at a chunk boundary; a re-run of the same batch resumes after the last
committed chunk, and entity keys make any overlap a no-op.

Nothing is lost to one bad value: any error while reading or converting a record quarantines that
record; a chunk the store refuses is committed in halves until the one record it refuses is found and
quarantined; a record whose key is stored with other content is kept as a version (or quarantined).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from itertools import islice
from pathlib import Path
from typing import Any, cast

from wildtrace.config import load_settings
from wildtrace.evidence import Evidence, sha256_bytes, sha256_file
from wildtrace.ingest._columnar import Batch, Columnar, batches, supported
from wildtrace.ingest._convert import Converter, RecordError, model_for, parse_tz
from wildtrace.ingest._mapping import Mapping
from wildtrace.ingest._media import MediaError, media_record, page_images, store_files, store_media
from wildtrace.ingest._quarantine import Quarantine
from wildtrace.ingest._readers import FORMATS, RawRecord, detect_format, read_file
from wildtrace.ingest._versions import ON_CONFLICT, keep_versions, split_conflicts
from wildtrace.log import get_logger
from wildtrace.model import Entity, MediaItem, Post
from wildtrace.store import DuckDBStore, Store

log = get_logger(__name__)
MAX_ERRORS_KEPT = 20
# records per commit on the columnar path: every commit into a table DuckDB holds rows of already costs it a
# rewrite of rows at the next checkpoint (about a sixth more CPU per extra commit of 250,000 posts)
COLUMNAR_CHUNK = 1_000_000
Outcome = tuple[RawRecord, Entity | None, str | None]  # a record read, and its entity or why it was refused


@dataclass
class IngestResult:
    """What an ingest did: ``added + duplicates + versions + quarantined == read``. ``versions`` counts
    records whose key was stored with other content, kept as versions of it. ``skipped`` counts what is not a
    record, by kind (a Telegram export's service messages: joins, pins), and ``accounts_added`` the accounts
    records named (a Telegram message's sender). A resumed run counts the crashed run's share too (its
    accounts aside); a batch already done reports everything as duplicates (and what it quarantined)."""

    sources: list[str]
    model: str
    batch: str
    read: int = 0
    added: int = 0
    duplicates: int = 0
    quarantined: int = 0
    versions: int = 0
    media_added: int = 0
    accounts_added: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
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
    export = path / "result.json"
    if fmt in (None, "telegram") and export.is_file() and detect_format(export) == "telegram":
        return [(export, "telegram")]  # a Telegram Desktop export folder: its photos/ and files/ are media
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
                   data_dir: str | Path | None = None, chunk_size: int | None = None,
                   progress: Callable[[int], None] | None = None, collector: str = "wildtrace",
                   preserve: bool = False, media_roots: list[str | Path] | None = None,
                   on_conflict: str = "version", columnar: bool = True) -> IngestResult:
    """Ingest every record under ``path`` as ``model`` entities into ``store``.

    ``mapping`` renames columns of a foreign export; ``fmt`` overrides the format the suffix tells;
    ``assume_tz`` is the zone of timestamps that carry none (they are refused otherwise). Bad records
    go to ``<data_dir>/quarantine/`` with their reason, and the rest of the batch goes on. Running
    the same batch again adds nothing; running it after a crash completes it. Images a post lists
    are read only under ``media_roots`` (default: the folder of the file that lists them) and, like
    saved pages, preserved in the evidence store (WARC, capture log) as ``collector``; with
    ``preserve``, so is each input file as received (chain of custody for the whole batch). A record
    whose key is stored with other content is kept as a version, or quarantined when ``on_conflict``
    is ``"quarantine"``. With ``columnar`` (the default), JSON Lines and CSV of posts, accounts, payments
    and the like go to a DuckDB store in chunks DuckDB validates and converts (:mod:`._columnar`); the
    records it does not take go per record, with the same reasons. ``chunk_size`` defaults to
    1,000,000 records on that path, 5,000 per record.
    """
    started = time.perf_counter()
    if on_conflict not in ON_CONFLICT:
        raise ValueError(f"on_conflict must be one of {', '.join(ON_CONFLICT)}, not {on_conflict!r}")
    entity_model = model_for(model) if isinstance(model, str) else model
    mapping = mapping or Mapping()
    sources = list_sources(Path(path), fmt)
    tz = parse_tz(assume_tz) if assume_tz else None
    root = Path(data_dir if data_dir is not None else load_settings().data_dir)
    batch = _batch_id(sources, entity_model, mapping, assume_tz)
    result = IngestResult([str(p) for p, _ in sources], entity_model.__name__, batch,
                          bytes=sum(p.stat().st_size for p, _ in sources))
    checkpoint = _load_checkpoint(store, batch)
    quarantine = Quarantine(root / "quarantine", Path(path).name, entity_model.__name__.lower(), batch)
    if checkpoint is not None and checkpoint["done"]:
        result.already_done = True
        result.read, result.quarantined = checkpoint["records"], checkpoint["quarantined"]
        result.duplicates = checkpoint["added"] + checkpoint["duplicates"] + (checkpoint["versions"] or 0)
        result.quarantine_path = str(quarantine.path) if quarantine.path.exists() else None
        result.seconds = time.perf_counter() - started
        return result
    if checkpoint is not None:
        result.read = result.resumed_at = checkpoint["records"]
        for key in ("added", "duplicates", "quarantined", "versions", "media_added"):
            setattr(result, key, checkpoint[key] or 0)
    converter = Converter(entity_model, mapping, tz, html=all(f == "html" for _, f in sources))
    evidence = Evidence(store, root, collector)
    if preserve:
        result.preserved = [_preserve(evidence, p) for p, _ in sources]
    roots = [Path(r) for r in media_roots] if media_roots else None
    chunks = _Chunks(store, result, quarantine, on_conflict)
    if result.resumed_at:
        log.info("resuming batch %s after record %d", batch[:12], result.resumed_at)

    def outcome(raw: RawRecord, media: dict[str, MediaItem]) -> Outcome:
        return _outcome(converter, raw, evidence, media, roots)

    if columnar and supported(entity_model, mapping, [f for _, f in sources], store):
        _columnar_chunks(chunks, Columnar(entity_model, mapping), sources, chunk_size or COLUMNAR_CHUNK, outcome,
                         converter, progress)
    else:
        records = islice(_counted(_records(sources), result.skipped), result.resumed_at, None)
        while chunk := list(islice(records, chunk_size or 5000)):
            media: dict[str, MediaItem] = {}
            chunks.commit([outcome(raw, media) for raw in chunk], media)
            if progress:
                progress(result.read)
    _save_checkpoint(store, result, done=True)
    result.ignored_columns = {_printable(k): n for k, n in converter.ignored.items()}
    result.quarantine_path = str(quarantine.path) if quarantine.path.exists() else None
    result.seconds = time.perf_counter() - started
    if result.quarantined:
        log.warning("%d record(s) quarantined in %s", result.quarantined, result.quarantine_path)
    if result.versions:
        log.warning("%d record(s) had a stored key with other content: kept as versions", result.versions)
    return result


def _columnar_chunks(chunks: _Chunks, sql: Columnar, sources: list[tuple[Path, str]], size: int,
                     outcome: Callable[[RawRecord, dict[str, MediaItem]], Outcome], converter: Converter,
                     progress: Callable[[int], None] | None) -> None:
    """Chunks that DuckDB validates and converts; what it does not take goes per record."""
    skip = chunks.result.resumed_at
    con = cast(DuckDBStore, chunks.store).connection
    for path, fmt in sources:
        for whole in batches(con, sql, path, fmt, size):
            if skip >= whole.count:
                skip -= whole.count
                continue
            batch, skip = (whole.after(skip) if skip else whole), 0
            media: dict[str, MediaItem] = {}
            outcomes = [outcome(raw, media) for raw in batch.read(batch.not_ok)]
            if len(batch.not_ok) == batch.count:
                chunks.commit(outcomes, media)
            else:
                fast = _Fast(sql, con, batch, outcomes, outcome)
                chunks.commit(outcomes, media, fast)
                for column, n in sql.ignored(con, batch).items():
                    converter.ignored[column] = converter.ignored.get(column, 0) + n
            if progress:
                progress(chunks.result.read)


@dataclass
class _Fast:
    """The part of a chunk DuckDB took: its insert, run in the chunk's transaction, and every outcome per
    record, should that transaction fail."""

    sql: Columnar
    con: Any
    batch: Batch
    outcomes: list[Outcome]
    outcome: Callable[[RawRecord, dict[str, MediaItem]], Outcome]

    @property
    def count(self) -> int:
        return self.batch.count - len(self.batch.not_ok)

    def insert(self) -> tuple[int, int, list[Outcome]]:
        """(added, duplicates, outcomes of the records to see per record: keys stored with other content)."""
        added, duplicates, conflicting = self.sql.insert(self.con, self.batch)
        return added, duplicates, [self.outcome(raw, {}) for raw in self.batch.read(conflicting)]

    def everything(self, media: dict[str, MediaItem]) -> list[Outcome]:
        """Every record of the chunk per record, in order."""
        not_ok = set(self.batch.not_ok)
        taken = [self.outcome(raw, media) for raw in self.batch.read([int(n) for n in self.batch.lines
                                                                       if n not in not_ok])]
        return sorted([*self.outcomes, *taken], key=lambda o: o[0].line)


@dataclass
class _Chunks:
    """Commits chunks of outcomes with the batch's checkpoint; a chunk the store refuses is split until
    the record it refuses is found and quarantined."""

    store: Store
    result: IngestResult
    quarantine: Quarantine
    on_conflict: str

    def commit(self, outcomes: list[Outcome], media: dict[str, MediaItem], fast: _Fast | None = None) -> None:
        try:
            self._commit_once(outcomes, media, fast)
        except Exception as exc:  # a value the store cannot take: find it, keep the rest
            if fast is not None:
                log.warning("a columnar chunk failed (%s); committing it record by record", exc)
                self.commit(fast.everything(media), media)
                return
            if all(entity is None for _, entity, _ in outcomes):
                raise  # nothing but the checkpoint was written: the store itself is failing
            if len(outcomes) > 1:
                half = len(outcomes) // 2
                self.commit(outcomes[:half], media)
                self.commit(outcomes[half:], media)
                return
            raw = outcomes[0][0]
            log.warning("the store refused %s:%d: %s", raw.source, raw.line, exc)
            why = RecordError(raw.source, raw.line, None, f"the store refused it: {type(exc).__name__}: {exc}")
            self._commit_once([(raw, None, str(why))], {})

    def _commit_once(self, outcomes: list[Outcome], media: dict[str, MediaItem], fast: _Fast | None = None) -> None:
        rejects = [(raw, why or "") for raw, entity, why in outcomes if entity is None]
        self.quarantine.write(rejects)
        pairs = [(raw, entity) for raw, entity, _ in outcomes if entity is not None]
        done = replace(self.result)
        with self.store.transaction():
            if fast is not None:
                fast_added, fast_duplicates, more = fast.insert()  # more: records to see per record
                done.read += fast.count
                done.added += fast_added
                done.duplicates += fast_duplicates
                late = [(raw, why or "") for raw, entity, why in more if entity is None]
                self.quarantine.write(late)
                rejects += late
                pairs += [(raw, entity) for raw, entity, _ in more if entity is not None]
            plain, conflicts = split_conflicts(self.store, [e for _, e in pairs])
            refused = [(pairs[i][0], str(RecordError(
                pairs[i][0].source, pairs[i][0].line, ",".join(differs),
                f"{type(pairs[i][1]).__name__} {pairs[i][1].key()} is stored with other content")))
                for i, differs in conflicts.items()] if self.on_conflict == "quarantine" else []
            self.quarantine.write(refused)
            versions = [] if refused else [(pairs[i][1], d, pairs[i][0].source, pairs[i][0].line)
                                           for i, d in conflicts.items()]
            added = self.store.add(pairs[i][1] for i in plain)
            kept = keep_versions(self.store, self.result.batch, versions)
            done.read += len(outcomes)
            done.added += added
            done.duplicates += len(plain) - added + len(versions) - kept
            done.versions += kept
            done.quarantined += len(rejects) + len(refused)
            done.media_added += self.store.add(media.values())
            done.accounts_added += self.store.add({a.id: a for raw, _ in pairs for a in raw.accounts}.values())
            _save_checkpoint(self.store, done, done=False)
        for key in ("read", "added", "duplicates", "versions", "quarantined", "media_added", "accounts_added"):
            setattr(self.result, key, getattr(done, key))
        reasons = [why for _, why in rejects + refused]
        self.result.errors.extend(reasons[: max(0, MAX_ERRORS_KEPT - len(self.result.errors))])


def _preserve(evidence: Evidence, path: Path) -> str:
    """The capture of an input file as received (made once per content)."""
    known = evidence.find_payload(sha256_file(path))
    return (known or evidence.capture_file(path)).sha256


def _records(sources: list[tuple[Path, str]]) -> Iterator[RawRecord]:
    for path, fmt in sources:
        yield from read_file(path, fmt)


def _counted(records: Iterator[RawRecord], skipped: dict[str, int]) -> Iterator[RawRecord]:
    """The records to ingest; what is not one (``RawRecord.skipped``) is counted by kind and left out."""
    for raw in records:
        if raw.skipped is None:
            yield raw
        else:
            skipped[raw.skipped] = skipped.get(raw.skipped, 0) + 1


def _outcome(converter: Converter, raw: RawRecord, evidence: Evidence, media: dict[str, MediaItem],
             roots: list[Path] | None) -> Outcome:
    """The entity of ``raw``, or why it cannot be one: no error of one record goes further than it."""
    try:
        return raw, _convert(converter, raw, evidence, media, roots), None
    except RecordError as exc:
        return raw, None, str(exc)
    except Exception as exc:
        log.debug("unexpected error on %s:%d", raw.source, raw.line, exc_info=True)
        return raw, None, str(RecordError(raw.source, raw.line, None, f"{type(exc).__name__}: {exc}"))


def _convert(converter: Converter, raw: RawRecord, evidence: Evidence, media: dict[str, MediaItem],
             roots: list[Path] | None) -> Entity:
    if raw.data is None:
        raise RecordError(raw.source, raw.line, None, raw.error or "unreadable record")
    values = converter.prepare(raw)
    roots = roots or [Path(raw.source).parent]
    try:
        if raw.page is not None and isinstance(values.get("media"), list):
            files = page_images([str(m) for m in values["media"]], Path(raw.source), roots)
            values["media"] = store_files(files, evidence, media)
        elif converter.model is Post and values.get("media"):
            values["media"] = store_media(values["media"], roots, evidence, media)
        if converter.model is MediaItem:
            values = media_record(values, roots, evidence, media)
    except MediaError as exc:
        raise RecordError(raw.source, raw.line, exc.field, exc.reason) from None
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


def _printable(text: str) -> str:
    return text.encode("utf-8", errors="backslashreplace").decode("utf-8")


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
        "INSERT INTO ingest_checkpoints (batch, model, sources, records, added, duplicates, quarantined, versions, "
        "media_added, done, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CURRENT_TIMESTAMP) ON CONFLICT (batch) "
        "DO UPDATE SET records = excluded.records, added = excluded.added, duplicates = excluded.duplicates, "
        "quarantined = excluded.quarantined, versions = excluded.versions, media_added = excluded.media_added, "
        "done = excluded.done, updated_at = excluded.updated_at",
        (result.batch, result.model, json.dumps(result.sources), result.read, result.added, result.duplicates,
         result.quarantined, result.versions, result.media_added, done),
    )
