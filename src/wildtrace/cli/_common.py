"""What every CLI command shares: the store option, JSON output, one-line failures."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

from wildtrace.config import Settings, load_settings
from wildtrace.log import configure_logging

if TYPE_CHECKING:
    from wildtrace.progress import Progress
    from wildtrace.store import Store

console = Console(stderr=True, soft_wrap=True)  # a reason stays on one line, whatever the width

DbOpt = Annotated[str | None, typer.Option("--db", help="DuckDB file or postgresql:// URL [env: WILDTRACE_DB].")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document for scripts.")]
ConfigOpt = Annotated[str | None, typer.Option("--config", help="TOML config file [env: WILDTRACE_CONFIG].")]


class UserError(Exception):
    """A failure the user can fix; printed as one line, exit status 1."""


def settings(db: str | None = None, config: str | None = None, **overrides: Any) -> Settings:
    s = load_settings(config, db=db, **overrides)
    configure_logging(s.log_level, s.log_format)
    return s


def store(db: str | None = None, config: str | None = None, create: bool = False) -> Store:
    """Open (and migrate) the store named by ``--db``, the environment or the config file; only commands that
    add data ``create`` it where there is none, the others say that there is none."""
    from wildtrace.store import open_store

    s = settings(db, config)
    return open_store(s.db, create=create, wait=s.store_wait)


def emit(result: Any, as_json: bool, human: str | None = None) -> None:
    """Print ``result`` as JSON for scripts, or ``human`` (default: the JSON, indented) for people."""
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
    else:
        typer.echo(human if human is not None else json.dumps(result, ensure_ascii=False, indent=2, default=str))


def fail(reason: str) -> NoReturn:
    raise UserError(reason)


PARTIAL = 3
"""Exit status of a load that finished but rejected records (kept in the quarantine), as SQL*Loader's warning
status: the summary is printed, and a script still notices that not everything went in."""


def exit_partial(rejected: int) -> None:
    """End a load command with :data:`PARTIAL` when it rejected ``rejected`` > 0 records."""
    if rejected:
        raise typer.Exit(PARTIAL)


@contextmanager
def progress_bars() -> Iterator[Progress]:
    """Progress bars on stderr for the library's long steps: counts, time spent and time left. Off a terminal,
    a line at every tenth of each step instead."""
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
    from rich.progress import Progress as Bars

    if not console.is_terminal:
        said: dict[str, int] = {}

        def line(label: str, done: int, total: int | None) -> None:
            tenth = done * 10 // total if total else 0
            if said.get(label, -1) < tenth:
                said[label] = tenth
                console.print(f"{label}: {done}" + (f" of {total}" if total else ""), highlight=False)

        yield line
        return
    bars = Bars(TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                TextColumn("left"), TimeRemainingColumn(), console=console)
    tasks: dict[str, Any] = {}

    def update(label: str, done: int, total: int | None) -> None:
        if label not in tasks:
            tasks[label] = bars.add_task(label, total=total)
        bars.update(tasks[label], completed=done, total=total)

    with bars:
        yield update
