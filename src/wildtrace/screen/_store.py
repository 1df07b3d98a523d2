"""Screening what is in the store: every post without a verdict, its pictures read first (OCR, perceptual hash)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wildtrace.log import get_logger
from wildtrace.model import Decision, MediaItem, Post, Verdict
from wildtrace.progress import Progress, report
from wildtrace.screen._images import ImageReader
from wildtrace.screen._screener import Document, Screener, ScreenResult
from wildtrace.store import Store, from_row

if TYPE_CHECKING:
    from wildtrace.evidence import BlobStore
    from wildtrace.screen._evaluate import LabelledSet

log = get_logger(__name__)
Extractor = Callable[[str, list[str], list[str]], dict[str, Any]]


def default_extractor() -> Extractor | None:
    """``wildtrace.extract.extract_fields`` when the extraction stage is installed."""
    try:
        from wildtrace.extract import extract_fields
    except ImportError:
        return None
    return extract_fields  # type: ignore[no-any-return]


def finish_verdict(post_id: str, text: str, result: ScreenResult, extractor: Extractor | None) -> Verdict:
    """The stored verdict of one screened post: flagged posts get their structured fields extracted."""
    extracted: dict[str, Any] = {}
    if extractor is not None and result.tier != "none":
        try:
            extracted = extractor(text, list(result.species), list(result.products))
        except Exception as exc:  # one bad post must not stop the batch
            log.warning("extraction failed for post %s: %s", post_id, exc)
    if result.legality_claims:
        extracted = {**extracted, "legality_claims": extracted.get("legality_claims") or list(result.legality_claims)}
    return result.to_verdict(post_id, extracted)


def _unscreened(store: Store, after: str, limit: int) -> list[Post]:
    rows = store.query(
        "SELECT p.* FROM posts p LEFT JOIN verdicts v ON v.post_id = p.id "
        "WHERE v.post_id IS NULL AND p.id > ? ORDER BY p.id LIMIT ?", (after, limit))
    return [from_row(Post, r) for r in rows]  # type: ignore[misc]


def _unscreened_count(store: Store) -> int:
    rows = store.query("SELECT count(*) AS n FROM posts p LEFT JOIN verdicts v ON v.post_id = p.id "
                       "WHERE v.post_id IS NULL")
    return int(rows[0]["n"])


def read_pictures(store: Store, reader: ImageReader, *, blobs: BlobStore | None = None, batch_size: int = 2048,
                  progress: Progress | None = None) -> dict[str, int]:
    """Read every picture of the unscreened posts that lacks its perceptual hashes (or, with OCR on, its text),
    all at once so that the reader's pool and de-duplication see the whole lot; store what was read.

    A picture is read from ``blobs`` (the evidence store's copies, by SHA-256) when it is there, so that a store
    moved or restored into another folder still finds its pictures; else from the path its media row was written
    with."""
    wanted: dict[str, tuple[MediaItem, str]] = {}
    after = ""
    while posts := _unscreened(store, after, batch_size):
        after = posts[-1].id
        for sha, item in store.get_many(MediaItem, {m for p in posts for m in p.media} - wanted.keys()).items():
            unread = item.phash is None or item.dhash is None or (reader.ocr and item.ocr_text is None)
            if unread and (file := _picture_file(item, blobs)) is not None:
                wanted[sha] = (item, file)
    entries = reader.read_many([file for _, file in wanted.values()], progress=progress)
    updated = []
    for item, file in wanted.values():
        entry = entries[file]
        updated.append(item.model_copy(update={
            "phash": item.phash or entry["phash"], "dhash": item.dhash or entry["dhash"],
            "whash": item.whash or entry["whash"],
            "ocr_text": item.ocr_text if item.ocr_text is not None else entry["text"]}))
    for i in range(0, len(updated), batch_size):
        store.put(updated[i:i + batch_size])
    return {"pictures": len(wanted), **{k: v for k, v in reader.stats.items() if k != "pictures"}}


def _picture_file(item: MediaItem, blobs: BlobStore | None) -> str | None:
    if blobs is not None and blobs.has(item.sha256):
        return str(blobs.path(item.sha256))
    return item.path if item.path and Path(item.path).is_file() else None


def _images(media: dict[str, MediaItem], post: Post) -> list[tuple[str, str]]:
    """(sha256, OCR text) of each stored image of the post, from its batch's ``media``."""
    return [(sha, media[sha].ocr_text or "") for sha in post.media if sha in media]


def screen_store(store: Store, screener: Screener, reader: ImageReader | None = None, *, batch_size: int = 256,
                 blobs: BlobStore | None = None, extractor: Extractor | None = None,
                 progress: Progress | None = None) -> dict[str, Any]:
    """Screen every post that has no verdict yet and store the verdicts; returns counts by tier.

    With ``reader``, the posts' pictures are read first (``read_pictures``, from ``blobs`` when given) and
    their OCR text screened with the post."""
    pictures = read_pictures(store, reader, blobs=blobs, progress=progress) if reader is not None else {}
    tiers: Counter[str] = Counter()
    total = _unscreened_count(store)
    after = ""
    while posts := _unscreened(store, after, batch_size):
        after = posts[-1].id
        media = store.get_many(MediaItem, [sha for p in posts for sha in p.media])
        docs = [Document(p.text, _images(media, p), n_images=len(p.media)) for p in posts]
        verdicts: list[Verdict] = []
        for post, doc, result in zip(posts, docs, screener.screen_documents(docs, batch_size), strict=True):
            verdicts.append(finish_verdict(post.id, doc.combined, result, extractor))
            tiers[result.tier] += 1
        store.put(verdicts)
        report(progress, "screening posts", sum(tiers.values()), total)
    return {"screened": sum(tiers.values()), "tiers": {t: tiers.get(t, 0) for t in ("high", "medium", "low", "none")},
            "model_version": screener.version, "pictures": pictures}


def labelled_from_decisions(store: Store) -> LabelledSet:
    """Analysts' review decisions as training labels (confirm/escalate = 1, dismiss = 0; the latest wins), with
    the reviewer's correction of the species and products of the post when the decision has one."""
    import json

    from wildtrace.screen._evaluate import LabelledSet, SpeciesLabel

    rows = store.query(
        "SELECT d.id, d.post_id, d.decision, p.text, p.account_id FROM decisions d JOIN posts p ON p.id = d.post_id "
        "ORDER BY d.post_id, d.decided_at")
    latest = {r["post_id"]: r for r in rows}
    corrected = {r["decision_id"]: r for r in store.query(
        "SELECT decision_id, species, products FROM wb_review_corrections")}
    out = LabelledSet([], [], [])
    for post_id, r in latest.items():
        label = Decision.model_construct(decision=r["decision"]).label
        if label is None:
            out.skipped.append(f"decision on post {post_id}: unknown decision {r['decision']!r}")
            continue
        if (c := corrected.get(r["id"])) is not None:
            out.corrections.append(SpeciesLabel(len(out.docs), tuple(json.loads(c["species"])),
                                                tuple(json.loads(c["products"]))))
        out.docs.append(Document(r["text"] or ""))
        out.labels.append(label)
        out.groups.append(r["account_id"] or post_id)
    return out
