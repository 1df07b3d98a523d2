"""``wildtrace report``: the monitoring report of a period, as HTML, PDF or JSON."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Annotated

import typer

from wildtrace.cli._common import DbOpt, JsonOpt, emit, fail, settings
from wildtrace.cli.evaluate import eval_app


def _date(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{flag} {text!r}: expected a date such as 2026-03-01")


def report(
    start: Annotated[str, typer.Option("--from", help="First day of the period (YYYY-MM-DD).")],
    end: Annotated[str, typer.Option("--to", help="Last day of the period, included (YYYY-MM-DD).")],
    out: Annotated[str, typer.Option("--out", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="html, pdf or json (the numbers behind every figure).")] = "html",
    zone: Annotated[str, typer.Option("--zone", "--utc-offset", help="Time zone of the period's days and ISO weeks "
                                      "(+08:00 or Asia/Shanghai), and of posts whose own offset is unknown.")]
    = "+08:00",
    audience: Annotated[str, typer.Option("--audience", help="Redaction: public, partner, platform, investigator.")]
    = "public",
    event: Annotated[list[str] | None, typer.Option("--event", help="A known date (e.g. a crackdown) to compare "
                                                    "before/after; repeatable.")] = None,
    event_weeks: Annotated[int, typer.Option("--event-weeks", help="Weeks either side of an event.")] = 4,
    min_change: Annotated[float, typer.Option("--min-change", help="Smallest relative change of weekly volume "
                                              "reported.")] = 0.2,
    title: Annotated[str | None, typer.Option("--title", help="Title of the report.")] = None,
    brand: Annotated[str | None, typer.Option("--brand", help="Brand file (YAML: organisation, logo, colours, "
                                              "language); see wildtrace/report/data/brand.yaml.")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Language of the headings (en, zh).")] = None,
    screening_eval: Annotated[str | None, typer.Option(
        "--screening-eval", help="Screening evaluation (the JSON of `wildtrace eval --json`) used as the counts' "
        "measurement error when the store has too few review decisions.")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the monitoring report for a period: volume, changes (crackdowns), prices, hours, traders, code words."""
    if fmt not in ("html", "pdf", "json"):
        fail(f"--format {fmt!r}: expected html, pdf or json")
    from wildtrace.keys import installation_key
    from wildtrace.report import BrandError, ReportOptions, build_report, load_brand, write_report
    from wildtrace.store import open_store

    s = settings(db)
    try:
        options = ReportOptions(_date(start, "--from"), _date(end, "--to"), zone=zone, audience=audience,
                                events=tuple(_date(e, "--event") for e in event or ()), event_weeks=event_weeks,
                                min_change=min_change, screening_eval=screening_eval)
        look = load_brand(brand, lang)
    except (ValueError, BrandError) as exc:
        fail(str(exc))
    if title:
        options = replace(options, title=title)
    with open_store(s.db, create=False) as store:
        try:
            data = build_report(store, options, key=installation_key(s, "share"))
        except ValueError as exc:
            fail(str(exc))
    path = write_report(data, out, fmt, look)
    sec = data["sections"]
    summary = {"out": str(path), "format": fmt, "posts": sec["volume"]["posts"], "flagged": sec["volume"]["flagged"],
               "unique_items": sec["volume"]["unique_items"], "night_share": sec["timing"]["night_share"],
               "changes": [{k: c[k] for k in ("week", "iso", "date", "direction", "change")}
                           for c in sec["changes"]["changes"]],
               "new_code_words": sec["code_words"]["new"], "generated": datetime.now().isoformat(timespec="seconds")}
    changes = "; ".join(f"{c['iso']} ({c['date']}) {c['direction']} {c['change']:+.0%}"
                        for c in summary["changes"] if c["change"] is not None) or "none"
    emit(summary, as_json, f"wrote {path}: {summary['flagged']} flagged ads of {summary['posts']} posts, "
                           f"{summary['unique_items']} unique items; changes: {changes}")


def eval_changes(
    series: Annotated[Path, typer.Argument(help="CSV with columns week (1-based) and count: weekly ad volume.")],
    labels: Annotated[Path, typer.Argument(help="CSV with columns week and direction (drop or rise): the changes "
                                           "that happened.")],
    tolerance: Annotated[int, typer.Option("--tolerance", help="Weeks a detection may be off.")] = 1,
    min_change: Annotated[float, typer.Option("--min-change", help="Smallest relative change reported.")] = 0.2,
    as_json: JsonOpt = False,
) -> None:
    """Score change detection (crackdowns and rebounds) on your own labelled weekly series."""
    import pandas as pd

    from wildtrace.report import detect_changes, score_changes

    try:
        weeks = pd.read_csv(series).sort_values("week")
        truth = pd.read_csv(labels)
        found = detect_changes(weeks["count"].astype(float).tolist(), min_change=min_change)
        scores = score_changes(found, [(int(w) - 1, str(d)) for w, d in zip(truth["week"], truth["direction"],
                                                                              strict=True)], tolerance)
    except (KeyError, ValueError) as exc:
        fail(f"{series} / {labels}: {exc} (expected columns week,count and week,direction)")
    result = {**scores, "changes": [{"week": c["index"] + 1, "direction": c["direction"], "change": c["change"]}
                                    for c in found]}
    emit(result, as_json, f"precision {scores['precision']}, recall {scores['recall']}, F1 {scores['f1']} "
                          f"({scores['matched']} of {scores['detected']} detections match {scores['labelled']} labels)")


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    eval_app.command("changes")(eval_changes)
