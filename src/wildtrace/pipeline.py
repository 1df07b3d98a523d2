"""The main job, end to end, over a folder in the simulated world's layout (docs/architecture.md).

ingest -> capture (each post's page, from the world served on loopback) -> screen (with OCR) -> extract
identifiers -> link -> money -> report -> share (FtM and STIX exports, redacted to their audience). Each
step is the same library call the CLI makes; the result of each is a one-line summary a person can read.

    from wildtrace.pipeline import run_pipeline
    for step in run_pipeline(Path("world"), store, settings, Path("out")):
        print(step.name, step.summary)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

from wildtrace.config import Settings
from wildtrace.progress import Progress
from wildtrace.store import Store

# (entity, file) in load order: platforms and accounts before the posts that name them.
WORLD_FILES = (
    ("platform", "platforms.jsonl"), ("account", "accounts.jsonl"), ("post", "posts.jsonl"),
)
MONEY_FILES = (
    ("transactions", "transactions.csv"), ("shipments", "shipments.jsonl"), ("seizures", "seizures.jsonl"),
    ("payment-accounts", "payment_accounts.csv"),
)


@dataclass
class StepResult:
    """What one step did: a line for people, the numbers for scripts, and how long it took."""

    name: str
    summary: str
    seconds: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class PipelineContext:
    """What the steps share: the input folder, the store, the settings and where outputs go."""

    world: Path
    store: Store
    settings: Settings
    out: Path
    progress: Progress | None = None


def _counts(summary: dict[str, Any]) -> str:
    """``"name value, ..."`` for the scalar entries of a stage's summary."""
    return ", ".join(f"{k} {v}" for k, v in summary.items() if not isinstance(v, dict | list))


def _ingest(ctx: PipelineContext) -> StepResult:
    from wildtrace.ingest import ingest_records
    from wildtrace.money import load_records

    detail: dict[str, Any] = {}
    for model, name in WORLD_FILES:
        if (ctx.world / name).exists():
            result = ingest_records(ctx.store, ctx.world / name, model, data_dir=ctx.settings.data_dir)
            detail[name] = {"added": result.added, "quarantined": result.quarantined}
    for kind, name in MONEY_FILES:
        if (ctx.world / name).exists():
            result = load_records(ctx.store, kind, ctx.world / name, data_dir=ctx.settings.data_dir)
            detail[name] = {"added": result.added, "quarantined": result.quarantined}
    added = sum(d["added"] for d in detail.values())
    quarantined = sum(d["quarantined"] for d in detail.values())
    indexed = ctx.store.refresh_search_index()  # here rather than at the workbench's first search
    return StepResult("ingest", f"{added} records from {len(detail)} files, {quarantined} quarantined"
                      + (f", {indexed} indexed for search" if indexed else ""), detail=detail)


def _capture(ctx: PipelineContext, batch: int = 500) -> StepResult:
    """Capture each ingested post's page as a monitor would, from the world served on loopback: a WARC
    response per post in the evidence store, chained in the capture log, so reports, SAR drafts and case
    bundles cite capture hashes. Posts captured before are not captured again."""
    import httpx

    from wildtrace.evidence import CaptureRequest, Evidence, fetch
    from wildtrace.simulate import serve_world

    if not (ctx.world / "posts.jsonl").is_file():
        return StepResult("capture", "no posts.jsonl: nothing to capture")
    evidence = Evidence(ctx.store, ctx.settings.data_dir, ctx.settings.collector)
    todo = [r["id"] for r in ctx.store.query(
        "SELECT id FROM posts WHERE id NOT IN (SELECT post_id FROM captures WHERE kind = 'response' "
        "AND post_id IS NOT NULL) ORDER BY id")]
    captured = 0
    with serve_world(ctx.world) as site, httpx.Client(timeout=30.0) as client:
        todo = [post_id for post_id in todo if post_id in site.offsets]
        for start in range(0, len(todo), batch):
            evidence.capture_many([CaptureRequest.of(fetch(site.url(post_id), client=client), post_id=post_id)
                                   for post_id in todo[start:start + batch]])
            captured += len(todo[start:start + batch])
    return StepResult("capture", f"{captured} post pages captured from the world served on {site.base}",
                      detail={"captured": captured})


def _screen(ctx: PipelineContext) -> StepResult:
    from wildtrace.evidence import Evidence
    from wildtrace.screen import ImageReader, Screener, default_extractor, screen_store

    s = ctx.settings
    screener = Screener.load(s.model or None, str(s.lexicon_path), scope=s.scope or None)
    result = screen_store(ctx.store, screener, ImageReader.from_settings(s), extractor=default_extractor(),
                          blobs=Evidence(ctx.store, s.data_path).blobs, progress=ctx.progress)
    tiers = _counts(result["tiers"])
    return StepResult("screen", f"{result['screened']} posts screened ({tiers})", detail=result)


def _extract(ctx: PipelineContext) -> StepResult:
    from wildtrace.extract import extract_store

    counts = extract_store(ctx.store)
    return StepResult("extract", _counts(counts), detail=dict(counts))


def _link(ctx: PipelineContext) -> StepResult:
    from wildtrace.link import run_link

    summary = run_link(ctx.store)
    return StepResult("link", _counts(summary), detail=summary)


def _money(ctx: PipelineContext) -> StepResult:
    from wildtrace.money import analyse, save

    result = analyse(ctx.store)
    save(ctx.store, result)
    summary = result.summary()
    return StepResult("money", _counts(summary), detail=summary)


def _period(store: Store, zone: tzinfo) -> tuple[date, date]:
    """The days of the first and last post in the report's ``zone`` (not UTC's, which can add an empty day
    and a partial week at either end)."""
    row = store.query("SELECT min(posted_at) AS first, max(posted_at) AS last FROM posts")[0]
    first, last = row["first"], row["last"]
    if first is None:
        raise ValueError("no posts with a posting time: nothing to report")
    return _day(first, zone), _day(last, zone)


def _day(stored: Any, zone: tzinfo) -> date:
    t = datetime.fromisoformat(str(stored))
    return (t if t.tzinfo is not None else t.replace(tzinfo=UTC)).astimezone(zone).date()


def _report(ctx: PipelineContext) -> StepResult:
    from wildtrace.keys import installation_key
    from wildtrace.report import ReportOptions, build_report, parse_zone, write_report

    start, end = _period(ctx.store, parse_zone(ReportOptions.zone))
    data = build_report(ctx.store, ReportOptions(start, end), key=installation_key(ctx.settings, "share"))
    paths = [write_report(data, ctx.out / f"report.{fmt}", fmt) for fmt in ("html", "pdf")]
    volume = data["sections"]["volume"]
    return StepResult("report", f"{volume['flagged']} flagged ads of {volume['posts']} posts, {start} to {end}: "
                                + ", ".join(str(p) for p in paths), detail={"paths": [str(p) for p in paths]})


def _share(ctx: PipelineContext) -> StepResult:
    from wildtrace.keys import installation_key
    from wildtrace.share import ExportOptions, export

    key = installation_key(ctx.settings, "share")
    done = [export(ctx.store, fmt, ctx.out / f"export-{audience}.{suffix}", ExportOptions(audience=audience), key)
            for fmt, suffix, audience in (("ftm", "ftm.jsonl", "partner"), ("stix", "stix.json", "platform"))]
    return StepResult("share", "; ".join(f"{d['out']} ({d['format']}, {d['audience']}, "
                                         f"{sum(d['records'].values())} records)" for d in done),
                      detail={"exports": done})


STEPS: tuple[tuple[str, Callable[[PipelineContext], StepResult]], ...] = (
    ("ingest", _ingest), ("capture", _capture), ("screen", _screen), ("extract", _extract), ("link", _link),
    ("money", _money), ("report", _report), ("share", _share),
)


def run_pipeline(world: Path, store: Store, settings: Settings, out: Path,
                 only: tuple[str, ...] | None = None, progress: Progress | None = None) -> Iterator[StepResult]:
    """Run every step (or ``only`` those named) over ``world``, yielding each step's result as it ends;
    long steps report to ``progress`` as they go."""
    out.mkdir(parents=True, exist_ok=True)
    ctx = PipelineContext(world, store, settings, out, progress)
    for name, step in STEPS:
        if only and name not in only:
            continue
        began = time.perf_counter()
        result = step(ctx)
        result.seconds = time.perf_counter() - began
        yield result
