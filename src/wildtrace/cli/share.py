"""``wildtrace export`` / ``import`` / ``case-study``: FollowTheMoney, STIX 2.1, CSV and case studies, redacted."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated

import typer

from wildtrace.cli._common import DbOpt, JsonOpt, emit, exit_partial, fail, settings


def _day(text: str | None, flag: str, shift: int = 0) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.combine(date.fromisoformat(text) + timedelta(days=shift), time(0), UTC)
    except ValueError:
        fail(f"{flag} {text!r}: expected a date such as 2026-03-01")


def export_cmd(
    fmt: Annotated[str, typer.Option("--format", help="ftm (FollowTheMoney JSON Lines), stix (STIX 2.1 bundle) or "
                                     "csv (a directory of spreadsheets).")],
    audience: Annotated[str, typer.Option("--audience", help="public, partner, platform or investigator.")],
    out: Annotated[str, typer.Option("--out", help="File to write (a directory for csv).")],
    tiers: Annotated[str, typer.Option("--tiers", help="Screening tiers of the posts exported, comma-separated; "
                                       "'all' for every post.")] = "high,medium",
    start: Annotated[str | None, typer.Option("--from", help="Posts from this day (UTC).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Posts up to this day, included (UTC).")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Export posts, accounts, traders, links, payments and code words in a standard form, redacted to the audience."""
    from wildtrace.keys import installation_key
    from wildtrace.share import ExportOptions, export
    from wildtrace.store import open_store

    s = settings(db)
    chosen = () if tiers == "all" else tuple(t.strip() for t in tiers.split(","))
    options = ExportOptions(audience=audience, tiers=chosen, start=_day(start, "--from"),
                            end=_day(end, "--to", shift=1))
    with open_store(s.db, create=False) as store:
        try:
            summary = export(store, fmt, out, options, key=installation_key(s, "share"))
        except ValueError as exc:
            fail(str(exc))
    records = ", ".join(f"{n} {k}s" for k, n in summary["records"].items()) or "nothing"
    written = (f"{len(summary['files'])} CSV files" if fmt == "csv"
               else f"{summary['entities']} {'FtM entities' if fmt == 'ftm' else 'STIX objects'}")
    emit(summary, as_json, f"wrote {summary['out']} ({fmt}, audience {summary['audience']}, TLP:"
                           f"{summary['tlp'].upper()}): {written}, made of what the audience may see of {records}")


def import_cmd(
    path: Annotated[str, typer.Argument(help="A FollowTheMoney JSON Lines file or a STIX 2.1 bundle.")],
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a partner's export; records already known are not duplicated."""
    from wildtrace.share import import_file
    from wildtrace.store import open_store

    s = settings(db)
    with open_store(s.db) as store:
        try:
            result = import_file(store, path)
        except ValueError as exc:
            fail(f"{path}: {exc}")
    new = ", ".join(f"{n} new {k}" for k, n in result.new.items() if n) or "nothing new"
    known = sum(result.known.values())
    emit(result.__dict__, as_json, f"imported {result.entities} {result.format} entities from {path}: {new}; "
                                   f"{known} already known; {result.kept} kept as shared entities"
                                   + (f"; {len(result.errors)} errors (first: {result.errors[0]})"
                                      if result.errors else ""))
    exit_partial(len(result.errors))


def case_study_cmd(
    case_id: Annotated[str, typer.Argument(help="Id of a closed case.")],
    audience: Annotated[str, typer.Option("--audience", help="public, partner, platform or investigator.")]
    = "public",
    out: Annotated[str | None, typer.Option("--out", help="File to write (default: print).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="md (Markdown) or json.")] = "md",
    force: Annotated[bool, typer.Option("--force", help="Also for a case that is not closed.")] = False,
    db: DbOpt = None,
) -> None:
    """A closed case as a redacted case study: timeline, modus operandi, code words, typologies, detection."""
    if fmt not in ("md", "json"):
        fail(f"--format {fmt!r}: expected md or json")
    from wildtrace.keys import installation_key
    from wildtrace.share import case_markdown, case_study, store_redactor
    from wildtrace.store import open_store

    s = settings(db)
    with open_store(s.db, create=False) as store:
        try:
            study = case_study(store, case_id, store_redactor(store, audience, installation_key(s, "share")),
                               force)
        except ValueError as exc:
            fail(str(exc))
    text = case_markdown(study) if fmt == "md" else json.dumps(study, ensure_ascii=False, indent=2, default=str)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")
    else:
        typer.echo(text)


def register(app: typer.Typer) -> None:
    app.command("export")(export_cmd)
    app.command("import")(import_cmd)
    app.command("case-study")(case_study_cmd)
