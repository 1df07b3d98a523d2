"""The main job end to end on a small simulated world: every step runs and leaves its output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import duckdb


def test_demo_runs_every_step_and_a_rerun_adds_nothing(tmp_path: Path) -> None:
    def demo() -> dict:
        done = subprocess.run([sys.executable, "-m", "wildtrace.cli.main", "demo", "--out", str(tmp_path),
                               "--scale", "0.05", "--no-serve", "--json"], capture_output=True, text=True,
                              timeout=1200)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.splitlines()[-1])

    first = demo()
    assert [s["step"] for s in first["steps"]] == ["simulate", "ingest", "screen", "extract", "link", "money",
                                                   "report", "share"]
    for name in ("report.html", "report.pdf", "export-partner.ftm.jsonl", "export-platform.stix.json"):
        assert (tmp_path / name).stat().st_size > 0, name
    with duckdb.connect(first["store"], read_only=True) as db:
        posts, verdicts = db.execute("SELECT (SELECT count(*) FROM posts), (SELECT count(*) FROM verdicts)").fetchone()
    assert posts > 0 and verdicts == posts
    again = demo()
    assert again["steps"][1]["summary"].startswith("0 records")  # ingest is idempotent
    assert again["steps"][2]["summary"].startswith("0 posts")  # nothing left to screen
