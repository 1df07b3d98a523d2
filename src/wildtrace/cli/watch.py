"""``wildtrace watch``: re-capture a watchlist of URLs; edits become versions, removals are recorded."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from wildtrace.cli._common import ConfigOpt, DbOpt, JsonOpt, emit, fail, settings, store

if TYPE_CHECKING:
    from wildtrace.evidence import Watcher, WatchResult

watch_app = typer.Typer(help="Re-capture watched URLs on a schedule: each edit is kept as a new version, and a "
                        "post that disappears (HTTP 404/410 or a removed marker) is recorded as removed, "
                        "with every earlier capture kept.", no_args_is_help=True)


def _watcher(db: str | None, config: str | None, timeout: float = 30.0, browser: bool = False,
             profile: Path | None = None, create: bool = False) -> Watcher:
    """The watcher over the store named by ``--db``; only ``add`` may ``create`` that store."""
    from wildtrace.evidence import Evidence, Watcher

    if profile is not None and not browser:
        fail("--profile is a browser profile: give --browser too")
    conf = settings(db, config)
    evidence = Evidence(store(db, config, create=create), conf.data_dir, conf.collector)
    try:
        return Watcher(evidence, timeout=timeout, browser=browser, profile=profile)
    except ValueError as exc:
        evidence.store.close()
        fail(str(exc))


@watch_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="http(s) URL to watch.")],
    post: Annotated[str | None, typer.Option("--post", help="Post shown at this URL (default: the stored "
                                             "post with that URL).")] = None,
    marker: Annotated[str | None, typer.Option("--marker", help="Text the site shows when the post is "
                                               "removed (added to the built-in markers).")] = None,
    discover: Annotated[str | None, typer.Option("--discover", help="The URL is a listing or search page: "
                                                 "watch the posts it links to on the same host whose URL matches "
                                                 "this regular expression (e.g. '/p/[0-9]+$').")] = None,
    schedule: Annotated[str | None, typer.Option("--schedule", help="When `watch run --forever` checks it: a cron "
                                                 "expression, e.g. '*/30 * * * *' or '0 8 * * *'.")] = None,
    db: DbOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False,
) -> None:
    """Put a URL on the watchlist."""
    watcher = _watcher(db, config, create=True)
    with watcher.store:
        row = watcher.add(url, post, marker, discover, schedule=schedule)
    emit(row, as_json, f"watching {url}" + (f" (post {row['post_id']})" if row.get("post_id") else ""))


@watch_app.command("remove")
def remove(url: Annotated[str, typer.Argument(help="URL to stop watching.")],
           db: DbOpt = None, config: ConfigOpt = None) -> None:
    """Take a URL off the watchlist (its captures stay)."""
    watcher = _watcher(db, config)
    with watcher.store:
        if not watcher.remove(url):
            fail(f"{url} is not on the watchlist")
    typer.echo(f"no longer watching {url}")


@watch_app.command("list")
def list_(db: DbOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Show the watchlist: last check, status, versions, removed or not."""
    watcher = _watcher(db, config)
    with watcher.store:
        rows = watcher.entries()
    emit(rows, as_json, "\n".join(
        f"{'REMOVED ' if r['gone'] else ''}{r['url']}  versions={r['versions']}  last={r['last_checked_at'] or 'never'}"
        f"  status={r['last_status'] or '-'}" + (f"  error={r['error']}" if r["error"] else "")
        + (f"  last change: {r['last_change']}" if r.get("last_change") else "") for r in rows)
        or "the watchlist is empty")


@watch_app.command("run")
def run(
    once: Annotated[bool, typer.Option("--once", help="Check every URL once and stop.")] = False,
    interval: Annotated[float, typer.Option("--interval", help="Seconds between rounds.")] = 3600.0,
    rounds: Annotated[int | None, typer.Option("--rounds", help="Stop after this many rounds.")] = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds to wait for each page.")] = 30.0,
    forever: Annotated[bool, typer.Option("--forever", help="Run until stopped, checking each URL when its "
                                          "--schedule (else --interval) says.")] = False,
    jitter: Annotated[float, typer.Option("--jitter", help="With --forever: up to this many seconds added to "
                                          "each next check.")] = 60.0,
    per_host_delay: Annotated[float, typer.Option("--per-host-delay", help="With --forever: at least this many "
                                                  "seconds between two requests to one host.")] = 5.0,
    browser: Annotated[bool, typer.Option("--browser", help="Load each page in headless Chromium, after its "
                                          "JavaScript ran (links and prices a script renders count); keeps every "
                                          "request, a screenshot and the DOM.")] = False,
    profile: Annotated[Path | None, typer.Option("--profile", help="With --browser: a browser profile folder "
                                                 "(signed-in sessions), kept outside the evidence store.")] = None,
    db: DbOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False,
) -> None:
    """Re-capture the watchlist, once, every --interval seconds, or --forever on each URL's schedule
    (Ctrl-C stops). Exit status 1 when a URL could not be checked in the last round."""
    watcher = _watcher(db, config, timeout, browser, profile)
    last_round: dict[str, str] = {}

    def report(result: WatchResult) -> None:
        last_round[result.url] = result.outcome
        if as_json:
            emit(result.as_dict(), True)
        else:
            typer.echo(f"{result.outcome:<13} {result.http_status or '-':>3} {result.url}"
                       + (f"  {result.message}" if result.message else "")
                       + (f"  discovered {len(result.discovered)} post(s)" if result.discovered else ""))

    with watcher.store:
        if not watcher.entries():
            fail("the watchlist is empty: add URLs with `wildtrace watch add URL`")
        if forever:
            watcher.run_forever(interval, jitter, per_host_delay, report)
        watcher.run(interval, 1 if once else rounds, report)
    errors = sorted(url for url, outcome in last_round.items() if outcome == "error")
    if errors:
        fail(f"{len(errors)} URL(s) could not be checked in the last round (first: {errors[0]})")


def register(app: typer.Typer) -> None:
    app.add_typer(watch_app, name="watch")
