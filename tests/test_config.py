from __future__ import annotations

from pathlib import Path

import pytest

from wildtrace.config import describe, load_settings


def test_precedence_flag_env_file_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "wildtrace.toml"
    cfg.write_text('[wildtrace]\ndb = "from-file.duckdb"\nport = 9000\n')
    assert load_settings(cfg).db == "from-file.duckdb"
    assert load_settings(cfg).port == 9000
    monkeypatch.setenv("WILDTRACE_DB", "from-env.duckdb")
    assert load_settings(cfg).db == "from-env.duckdb"
    assert load_settings(cfg, db="from-flag.duckdb").db == "from-flag.duckdb"


def test_unknown_setting_is_named(tmp_path: Path) -> None:
    cfg = tmp_path / "w.toml"
    cfg.write_text('[wildtrace]\ndbb = "x"\n')
    with pytest.raises(ValueError, match="dbb"):
        load_settings(cfg)


def test_every_setting_is_documented_in_readme() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    missing = [env for _, env, _, _ in describe() if env not in readme]
    assert not missing, f"README does not document {missing}"


def test_library_calls_without_a_data_dir_follow_the_environment(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A notebook calling the ingest library without ``data_dir`` quarantines where the settings say."""
    from wildtrace.ingest import ingest_records
    from wildtrace.store import open_store

    monkeypatch.setenv("WILDTRACE_DATA_DIR", str(tmp_path / "configured"))
    monkeypatch.chdir(tmp_path)
    source = tmp_path / "posts.jsonl"
    source.write_text('{"id": "p1", "platform": "forum", "text": "ok"}\n{broken\n')
    with open_store(str(tmp_path / "w.duckdb")) as store:
        result = ingest_records(store, source)
    assert result.quarantined == 1
    assert result.quarantine_path and Path(result.quarantine_path).is_relative_to(tmp_path / "configured")
    assert not (tmp_path / ".wildtrace").exists()


def test_memory_caps_are_shares_of_this_machines_ram() -> None:
    from wildtrace.config import share_of_ram

    whole, quarter = (int(share_of_ram(f).removesuffix("MB")) for f in (1.0, 1 / 4))
    assert whole > 0 and abs(quarter - whole / 4) <= 1
