"""``wildtrace config``: show every setting, its source variable and value."""

from __future__ import annotations

import typer

from wildtrace.cli._common import ConfigOpt, JsonOpt, emit, settings
from wildtrace.config import describe


def register(app: typer.Typer) -> None:
    @app.command("config")
    def config(config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
        """Show the effective settings (flag > environment > config file > default)."""
        current = settings(config=config)
        rows = [
            {"name": n, "env": env, "value": getattr(current, n), "default": d, "help": h}
            for n, env, d, h in describe()
        ]
        emit(rows, as_json, "\n".join(f"{r['name']:<12} {r['value']!s:<24} {r['env']:<22} {r['help']}" for r in rows))
