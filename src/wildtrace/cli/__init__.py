"""Command-line interface (typer). Commands parse, call the library, and format; nothing else."""
