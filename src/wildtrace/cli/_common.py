"""What every CLI command shares: the store option, JSON output, one-line failures."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console

from wildtrace.config import Settings, load_settings
from wildtrace.log import configure_logging

if TYPE_CHECKING:
    from wildtrace.store import Store

console = Console(stderr=True)

DbOpt = Annotated[str | None, typer.Option("--db", help="DuckDB file or postgresql:// URL [env: WILDTRACE_DB].")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document for scripts.")]
ConfigOpt = Annotated[str | None, typer.Option("--config", help="TOML config file [env: WILDTRACE_CONFIG].")]


class UserError(Exception):
    """A failure the user can fix; printed as one line, exit status 1."""


def settings(db: str | None = None, config: str | None = None, **overrides: Any) -> Settings:
    s = load_settings(config, db=db, **overrides)
    configure_logging(s.log_level)
    return s


def store(db: str | None = None, config: str | None = None) -> Store:
    """Open (and migrate) the store named by ``--db``, the environment or the config file."""
    from wildtrace.store import open_store

    return open_store(settings(db, config).db)


def emit(result: Any, as_json: bool, human: str | None = None) -> None:
    """Print ``result`` as JSON for scripts, or ``human`` (default: the JSON, indented) for people."""
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
    else:
        typer.echo(human if human is not None else json.dumps(result, ensure_ascii=False, indent=2, default=str))


def fail(reason: str) -> NoReturn:
    raise UserError(reason)
