"""``wildtrace ingest`` parses, calls the library and reports; --json for scripts."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.ingest.conftest import post, write_jsonl
from wildtrace.cli._common import PARTIAL
from wildtrace.cli.main import app


def test_ingest_command_with_map_flags_and_json(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WILDTRACE_DATA_DIR", str(tmp_path / "data"))
    source = tmp_path / "x.csv"
    source.write_text("Inhalt,Zeit\nXY 手镯,2026-03-14 23:30\n,bad\n", encoding="utf-8")
    runner = CliRunner()
    args = ["ingest", str(source), "--db", str(tmp_path / "w.duckdb"), "--map", "text=Inhalt",
            "--map", "posted_at=Zeit", "--default", "platform=weibo", "--assume-tz", "+08:00", "--preserve", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == PARTIAL, result.output  # finished, with a record quarantined
    data = json.loads(result.stdout)
    assert (data["added"], data["quarantined"]) == (1, 1)
    assert Path(data["quarantine_path"]).exists()
    (preserved,) = data["preserved"]
    assert (tmp_path / "data" / "evidence" / "warc" / preserved[:2] / f"{preserved}.warc.gz").is_file()
    again = json.loads(runner.invoke(app, args).stdout)
    assert again["already_done"] and again["added"] == 0


def test_human_output_names_quarantined_lines(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    source = write_jsonl(tmp_path / "p.jsonl", [post(1), "{oops"])
    result = CliRunner().invoke(app, ["ingest", str(source), "--db", str(tmp_path / "w.duckdb")])
    assert result.exit_code == PARTIAL
    assert "1 added" in result.stdout and "p.jsonl:2: not JSON" in result.stdout
