"""``wildtrace ingest``: not built yet."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """No commands yet."""
