"""The ``wildtrace`` command: one sub-command per pipeline stage, each a thin layer over the library."""

from __future__ import annotations

import importlib
import sys

import typer
from rich.markup import escape

from wildtrace.cli._common import UserError, console

app = typer.Typer(
    name="wildtrace",
    help="Open-source intelligence against wildlife cybercrime: capture, screen, link, follow the money, report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

# Each module defines ``register(app)``; the order is the order of the pipeline in ``--help``.
COMMAND_MODULES = (
    "demo", "simulate", "ingest", "evidence", "case", "watch", "screen", "review", "lexicon", "extract_cmd", "evaluate",
    "link", "money", "report", "share", "serve", "ops", "config_cmd",
)
for _name in COMMAND_MODULES:
    importlib.import_module(f"wildtrace.cli.{_name}").register(app)


def _say_error(exc: BaseException) -> None:
    """The reason on one line of standard error (no markup, no wrapping)."""
    said = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)  # not KeyError's repr
    text = " / ".join(line.strip() for line in said.splitlines() if line.strip())
    console.print(f"[red]error:[/red] {escape(text or type(exc).__name__)}", highlight=False, soft_wrap=True)


def main() -> None:
    """Entry point: run the app, turning expected failures into a one-line reason and exit 1; a command's
    own exit status (``typer.Exit``), which click hands back in non-standalone mode, is the process's."""
    try:
        status = app(standalone_mode=False)
    except (UserError, OSError, LookupError, ValueError) as exc:
        _say_error(exc)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        console.print("aborted")
        sys.exit(130)
    except Exception as exc:  # usage errors (of the click that typer vendors) carry their own exit code
        show, code = getattr(exc, "show", None), getattr(exc, "exit_code", None)
        if callable(show) and isinstance(code, int):
            show()
            sys.exit(code)
        raise
    sys.exit(status if isinstance(status, int) else 0)


if __name__ == "__main__":
    main()
