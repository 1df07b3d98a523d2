"""``wildtrace evidence``: preserve captures, verify the hash-chained log, export bundles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wildtrace.cli._common import ConfigOpt, DbOpt, JsonOpt, emit, fail, settings, store

if TYPE_CHECKING:
    from wildtrace.evidence import Evidence, VerifyReport

evidence_app = typer.Typer(help="Preserve captures as WARC records under their SHA-256, in a hash-chained log; "
                           "verify the log; export WACZ bundles with a sha256sum manifest.", no_args_is_help=True)


def _evidence(db: str | None, config: str | None, create: bool = False) -> Evidence:
    """The evidence store over the store named by ``--db``; only ``add`` may ``create`` that store."""
    from wildtrace.evidence import Evidence

    conf = settings(db, config)
    return Evidence(store(db, config, create=create), conf.data_dir, conf.collector)


@evidence_app.command("add")
def add(
    target: Annotated[str, typer.Argument(help="A URL to fetch, or a file (saved page, image, export).")],
    url: Annotated[str | None, typer.Option("--url", help="Source URL of a file (where it was saved from).")] = None,
    post: Annotated[str | None, typer.Option("--post", help="Post this capture belongs to.")] = None,
    case: Annotated[str | None, typer.Option("--case", help="Case to list this capture in.")] = None,
    browser: Annotated[bool, typer.Option("--browser", help="Load the URL in headless Chromium: every request and "
                                          "response, a full-page screenshot and the rendered DOM.")] = False,
    profile: Annotated[Path | None, typer.Option("--profile", help="With --browser: a browser profile folder "
                                                 "(signed-in sessions), kept outside the evidence store.")] = None,
    db: DbOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False,
) -> None:
    """Capture a URL (the HTTP response, whatever its status, or with --browser the page as Chromium shows it)
    or a file, and log it."""
    import httpx

    from wildtrace.model import Case

    ev = _evidence(db, config, create=True)
    try:
        if case is not None and ev.store.get(Case, case) is None:
            fail(f"no case {case!r} in the store: create it first with `wildtrace case create`")
        if profile is not None and not browser:
            fail("--profile is a browser profile: give --browser too")
        if browser:
            from wildtrace.evidence import capture_with_browser

            seen = capture_with_browser(ev, target, post_id=post, profile=profile)
            capture = seen.capture
            typer.echo(f"browser: {seen.exchanges} requests, screenshot {seen.screenshot_sha256}, "
                       f"DOM {seen.dom_sha256}, as {seen.user_agent}", err=True)
        elif target.startswith(("http://", "https://")):
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


def _report_lines(report: VerifyReport, what: str) -> str:
    if report.ok:
        head = f", head entry {report.head[0]} {report.head[1]}" if report.head else ""
        return f"ok: {what}, {report.entries} entries{head}"
    return "\n".join([f"TAMPERED: {len(report.problems)} problem(s) in {what} ({report.entries} entries)",
                      *(f"  {line}" for line in report.lines())])


@evidence_app.command("verify")
def verify(
    no_files: Annotated[bool, typer.Option("--no-files", help="Check the log and the store only, not each WARC "
                                           "file and blob.")] = False,
    anchor: Annotated[Path | None, typer.Option("--anchor", help="Anchor file (`evidence anchor`): the log must "
                                                "end at the head it names.")] = None,
    public_key: Annotated[Path | None, typer.Option("--public-key", help="Public key (KEY.pub) the anchor must "
                                                    "be signed with.")] = None,
    bundle: Annotated[Path | None, typer.Option("--bundle", help="Check an exported bundle folder instead of "
                                                "the store.")] = None,
    db: DbOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False,
) -> None:
    """Check that no capture-log entry was edited, removed, reordered, cut off or appended, that the store's
    capture rows match the log, and that every WARC file and blob still matches its hash. Exit status 1,
    with one line per problem, when anything does not."""
    from wildtrace.evidence import Anchor, check_bundle, read_public_key

    if bundle is not None:
        report, what = check_bundle(bundle), f"bundle {bundle}"
    else:
        if public_key is not None and anchor is None:
            fail("--public-key checks an anchor: give --anchor FILE too")
        mark = Anchor.read(anchor) if anchor is not None else None
        key = read_public_key(public_key) if public_key is not None else None
        ev = _evidence(db, config)
        with ev.store:
            report = ev.verify(check_files=not no_files, anchor=mark, trusted_key=key)
        what = "the evidence store" + (f" against the anchor of {mark.anchored_at}" if mark else "")
    emit(report.as_dict(), as_json, _report_lines(report, what))
    if not report.ok:
        raise typer.Exit(1)


@evidence_app.command("keygen")
def keygen(
    key: Annotated[Path, typer.Argument(help="Where to write the private key (PEM); KEY.pub gets the public key. "
                                       "Keep it outside the evidence store.")],
    db: DbOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False,
) -> None:
    """Make an Ed25519 key for signing anchors."""
    from wildtrace.evidence import new_signing_key, outside

    pub, public = new_signing_key(outside(key, settings(db, config).data_dir, "signing key"))
    emit({"private_key": str(key), "public_key_file": str(pub), "public_key": public}, as_json,
         f"private key {key} (keep it safe, outside the evidence store)\npublic key {pub}: {public}")


@evidence_app.command("anchor")
def anchor_cmd(
    key: Annotated[Path | None, typer.Option("--key", help="Sign with this Ed25519 private key "
                                             "(`evidence keygen`).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the anchor to this file (outside the "
                                             "evidence store) as well as printing it.")] = None,
    db: DbOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False,
) -> None:
    """Print (or sign) the head of the capture log, to keep outside the store: `verify --anchor` then
    catches a rewritten chain or entries appended after it. Refused while the store does not verify."""
    from wildtrace.evidence import head_anchor, outside, sign_anchor

    conf = settings(db, config)
    if key is not None:
        outside(key, conf.data_dir, "signing key")
    if out is not None:
        outside(out, conf.data_dir, "anchor")
    ev = _evidence(db, config)
    with ev.store:
        report = ev.verify()
        if not report.ok:
            fail(f"the evidence store does not verify ({len(report.problems)} problem(s), first: "
                 f"{report.lines()[0]}): nothing is anchored")
        mark = head_anchor(ev.log.entries(), ev.collector)
    if key is not None:
        mark = sign_anchor(mark, key)
    if out is not None:
        out.write_text(mark.to_json(), encoding="utf-8")
    emit(json.loads(mark.to_json()), as_json, mark.to_json().rstrip() + (f"\nwritten to {out}" if out else ""))


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
    from wildtrace.evidence import TamperedError, export_bundle

    ev = _evidence(db, config)
    with ev.store:
        try:
            result = export_bundle(ev, out, case_id=case, post_ids=post or [])
        except TamperedError as exc:
            if as_json:
                emit(exc.report.as_dict(), True)
            typer.echo(_report_lines(exc.report, "the evidence store; nothing exported"), err=True)
            raise typer.Exit(1) from None
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
