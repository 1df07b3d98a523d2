"""The ``wildtrace`` command: one sub-command per pipeline stage, each a thin layer over the library."""

from __future__ import annotations

import importlib
import sys

import typer

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
    "demo", "simulate", "ingest", "evidence", "watch", "screen", "lexicon", "extract_cmd", "evaluate", "link",
    "money", "report", "share", "serve", "config_cmd",
)
for _name in COMMAND_MODULES:
    importlib.import_module(f"wildtrace.cli.{_name}").register(app)


def main() -> None:
    """Entry point: run the app, turning expected failures into a one-line reason and exit 1."""
    try:
        app(standalone_mode=False)
    except UserError as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(1)
    except (FileNotFoundError, PermissionError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        console.print("aborted")
        sys.exit(130)
    except Exception as exc:  # click usage errors carry their own exit code
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise


if __name__ == "__main__":
    main()
