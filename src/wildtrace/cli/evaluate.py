"""``wildtrace eval``: measure detectors on labelled data. Sub-commands score other stages."""

from __future__ import annotations

import typer

eval_app = typer.Typer(help="Measure precision, recall and F1 on your own labelled data.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")
