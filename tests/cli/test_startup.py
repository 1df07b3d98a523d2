"""The ``wildtrace`` command starts without the heavy stages, and still offers every command."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

from typer.testing import CliRunner

from wildtrace.cli.main import app

HEAVY = ("pandas", "sklearn", "scipy", "matplotlib", "httpx", "splink", "pyspark", "duckdb")

COMMANDS = ("demo", "simulate", "ingest", "screen", "train", "extract", "report", "export", "import", "case-study",
            "serve", "config", "evidence", "case", "watch", "review", "lexicon", "eval", "link", "money", "users",
            "doctor", "migrate", "backup", "restore", "keys")

EVAL_COMMANDS = ("extract", "link", "money", "changes")


def _fresh_imports(code: str) -> list[str]:
    """The heavy modules a fresh interpreter has imported after running ``code``."""
    probe = f"import sys\n{code}\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=300)
    return ast.literal_eval(done.stdout.strip().splitlines()[-1])


def _listed(output: str) -> set[str]:
    return set(re.findall(r"^│ ([a-z][a-z-]*)\s", output, re.MULTILINE))


def test_importing_the_cli_imports_no_heavy_stage() -> None:
    # None of these is needed to build the commands: each command imports its stage when it runs.
    assert _fresh_imports("import wildtrace.cli.main") == []


def test_help_imports_no_heavy_stage() -> None:
    code = ("from typer.testing import CliRunner\n"
            "from wildtrace.cli.main import app\nCliRunner().invoke(app, ['--help'])")
    assert _fresh_imports(code) == []


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"], terminal_width=160)
    assert result.exit_code == 0, result.output
    assert _listed(result.output) == set(COMMANDS)


def test_eval_help_lists_the_evaluations_of_every_stage() -> None:
    result = CliRunner().invoke(app, ["eval", "--help"], terminal_width=160)
    assert result.exit_code == 0, result.output
    assert set(EVAL_COMMANDS) <= _listed(result.output)
