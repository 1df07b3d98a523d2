"""``wildtrace simulate``: writes the world and reports what it wrote."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from wildtrace.cli.main import app


def test_simulate_command_writes_a_world_and_describes_it(tmp_path: Path) -> None:
    out = tmp_path / "world"
    result = CliRunner().invoke(app, ["simulate", "--seed", "5", "--scale", "0.05", "--out", str(out), "--describe",
                                      "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert summary["counts"] == manifest["counts"]
    assert "truth/labels.csv" in summary["files"]
    assert manifest["seed"] == 5
    shapes = summary["shapes"]
    assert abs(sum(shapes["trader_categories"].values()) - 1) < 1e-6
    assert shapes["night_share"]["illegal"] > shapes["night_share"]["benign"]
    assert 0 <= shapes["keyword_search"]["precision"] <= 1


def test_simulate_refuses_a_scale_that_is_not_positive(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["simulate", "--scale", "0", "--out", str(tmp_path / "w")])
    assert result.exit_code != 0
    assert not (tmp_path / "w").exists()
