"""``wildtrace evidence``: preserve captures, verify the hash-chained log, export bundles."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wildtrace.cli._common import ConfigOpt, DbOpt, JsonOpt, emit, fail, settings

if TYPE_CHECKING:
    from wildtrace.evidence import Evidence

evidence_app = typer.Typer(help="Preserve captures as WARC records under their SHA-256, in a hash-chained log; "
                           "verify the log; export WACZ bundles with a sha256sum manifest.", no_args_is_help=True)


def _evidence(db: str | None, config: str | None) -> Evidence:
    from wildtrace.evidence import Evidence
    from wildtrace.store import open_store

    conf = settings(db, config)
    return Evidence(open_store(conf.db), conf.data_dir, conf.collector)


@evidence_app.command("add")
def add(
    target: Annotated[str, typer.Argument(help="A URL to fetch, or a file (saved page, image, export).")],
    url: Annotated[str | None, typer.Option("--url", help="Source URL of a file (where it was saved from).")] = None,
    post: Annotated[str | None, typer.Option("--post", help="Post this capture belongs to.")] = None,
    case: Annotated[str | None, typer.Option("--case", help="Case to list this capture in.")] = None,
    db: DbOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False,
) -> None:
    """Capture a URL (the HTTP response, whatever its status) or a file, and log it."""
    import httpx

    ev = _evidence(db, config)
    try:
        if target.startswith(("http://", "https://")):
            capture = ev.capture_url(target, post_id=post)
        elif Path(target).is_file():
            capture = ev.capture_file(target, url=url, post_id=post)
        else:
            fail(f"{target}: neither an http(s) URL nor a file")
        if case is not None:
            ev.add_to_case(case, capture)
    except httpx.HTTPError as exc:
        fail(f"{target}: could not fetch: {exc}")
    finally:
        ev.store.close()
    emit(capture.model_dump(mode="json"), as_json,
         f"captured {capture.url} -> {capture.warc_path} (entry {capture.log_seq}, sha256 {capture.sha256})")


@evidence_app.command("verify")
def verify(
    no_files: Annotated[bool, typer.Option("--no-files", help="Check the log only, not each WARC file.")] = False,
    db: DbOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False,
) -> None:
    """Check that no capture-log entry was edited, removed, reordered or cut off, and that every WARC
    file still matches its hash. Exit status 1 names each problem."""
    ev = _evidence(db, config)
    with ev.store:
        report = ev.verify(check_files=not no_files)
    head = f"head entry {report.head[0]} {report.head[1][:16]}…" if report.head else "empty log"
    human = (f"ok: {report.entries} entries, {head}" if report.ok else
             "\n".join([f"TAMPERED: {len(report.problems)} problem(s) in {report.entries} entries"]
                       + [f"  {p.kind}: {p.message}" for p in report.problems]))
    emit(report.as_dict(), as_json, human)
    if not report.ok:
        raise typer.Exit(1)


@evidence_app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder to write the bundle into.")],
    case: Annotated[str | None, typer.Option("--case", help="Case id: its posts and captures.")] = None,
    post: Annotated[list[str] | None, typer.Option("--post", help="Post id; repeatable.")] = None,
    db: DbOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False,
) -> None:
    """Write a WACZ bundle for a case or posts, with a MANIFEST.sha256 anyone can check with
    ``sha256sum -c MANIFEST.sha256``."""
    if case is None and not post:
        fail("give --case ID or --post ID")
    from wildtrace.evidence import export_bundle

    ev = _evidence(db, config)
    with ev.store:
        result = export_bundle(ev, out, case_id=case, post_ids=post or [])
    emit(result.as_dict(), as_json, f"{result.captures} capture(s) of {result.posts} post(s) -> {result.wacz}\n"
         f"check with: cd {result.out_dir} && sha256sum -c MANIFEST.sha256")


@evidence_app.command("history")
def history(
    url: Annotated[str, typer.Argument(help="URL whose captures to list.")],
    db: DbOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False,
) -> None:
    """Every capture of a URL, oldest first: versions, and when it disappeared."""
    ev = _evidence(db, config)
    with ev.store:
        captures = ev.history(url)
    rows = [c.model_dump(mode="json") for c in captures]
    emit(rows, as_json, "\n".join(
        f"{c.captured_at.isoformat()}  {c.http_status or '-':>3}  {'REMOVED ' if c.removed else ''}"
        f"entry {c.log_seq}  {c.sha256[:16]}…" + (f"  (new version of {c.version_of[:16]}…)" if c.version_of else "")
        for c in captures) or f"no capture of {url}")


def register(app: typer.Typer) -> None:
    app.add_typer(evidence_app, name="evidence")
