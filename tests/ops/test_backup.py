"""Back up then restore, on both stores: the same rows, evidence that verifies, the same keys; a backup that was
altered, a wrong passphrase or a non-empty target are refused with the reason."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from wildtrace.config import Settings
from wildtrace.evidence import Evidence
from wildtrace.keys import installation_key
from wildtrace.model import Account, Post
from wildtrace.ops import BackupError, backup, restore, row_counts
from wildtrace.service import add_user, create_case, list_cases
from wildtrace.store import open_store

PASSPHRASE = "a long backup passphrase"


def _fresh_url(kind: str, tmp_path: Path, request: pytest.FixtureRequest, name: str) -> str:
    if kind == "duckdb":
        return str(tmp_path / name / "wildtrace.duckdb")
    import psycopg

    base: str = request.getfixturevalue("postgres_url")
    db = f"b_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {db}")  # type: ignore[arg-type]
    return base.rsplit("/", 1)[0] + f"/{db}"


def _installation(url: str, data: Path) -> Settings:
    settings = Settings(db=url, data_dir=str(data))
    with open_store(url) as store:
        store.add([Account(id="chatfeed:ivory88", platform="chatfeed", handle="ivory88")])
        store.add([Post(id=f"p{i}", platform="chatfeed", account_id="chatfeed:ivory88", text=f"象牙手镯 {i}")
                   for i in range(5)])
        add_user(store, "ana", "correct horse battery", "investigator")
        case = create_case(store, "Bangles", "ana")
        evidence = Evidence(store, data, "test")
        capture = evidence.capture("https://example.org/p/1", "<html>象牙手镯 5000元</html>".encode())
        evidence.add_to_case(case.id, capture)
    installation_key(settings, "session")
    return settings


@pytest.mark.parametrize("kind", ["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_backup_restores_into_an_empty_installation_with_the_same_rows_keys_and_verified_evidence(
        kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    source = _installation(_fresh_url(kind, tmp_path, request, "a"), tmp_path / "a" / "data")
    manifest = backup(source, tmp_path / "backup", PASSPHRASE)
    assert manifest["rows"]["posts"] == 5 and "keys.json" in manifest["files"]
    assert not list((tmp_path / "backup").rglob("*.key"))  # keys only sealed
    target = Settings(db=_fresh_url(kind, tmp_path, request, "b"), data_dir=str(tmp_path / "b" / "data"))
    restore(target, tmp_path / "backup", PASSPHRASE)
    with open_store(source.db) as a, open_store(target.db) as b:
        assert row_counts(a) == row_counts(b)
        assert [c.title for c in list_cases(b)] == ["Bangles"]
        assert Evidence(b, target.data_dir).verify().ok
    assert installation_key(target, "session") == installation_key(source, "session")
    assert installation_key(target, "share") == installation_key(source, "share")


def test_an_altered_backup_a_wrong_passphrase_and_a_used_target_are_refused(tmp_path: Path) -> None:
    source = _installation(str(tmp_path / "a.duckdb"), tmp_path / "a-data")
    folder = tmp_path / "backup"
    backup(source, folder, PASSPHRASE)
    with pytest.raises(BackupError, match="not empty"):
        backup(source, folder, PASSPHRASE)
    target = Settings(db=str(tmp_path / "b.duckdb"), data_dir=str(tmp_path / "b-data"))
    with pytest.raises(ValueError, match="do not open with that passphrase"):
        restore(target, folder, "not the passphrase at all")
    with pytest.raises(BackupError, match="is not empty"):
        restore(Settings(db=str(tmp_path / "c.duckdb"), data_dir=source.data_dir), folder, PASSPHRASE)
    blob = next(p for p in (folder / "data").rglob("*") if p.is_file())
    blob.write_bytes(blob.read_bytes() + b"x")
    (folder / "data" / "planted.txt").write_text("x")
    with pytest.raises(BackupError) as refused:
        restore(target, folder, PASSPHRASE)
    said = str(refused.value)
    assert f"{blob.relative_to(folder).as_posix()}: altered" in said and "data/planted.txt: not in the manifest" in said
    assert not Path(target.db).exists()


def test_backup_and_restore_through_the_command_line(tmp_path: Path) -> None:
    source = _installation(str(tmp_path / "a.duckdb"), tmp_path / "a-data")
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE)

    def cli(*args: str, db: str, data: str) -> subprocess.CompletedProcess[str]:
        env = {"WILDTRACE_DATA_DIR": data, "PATH": "/usr/bin:/bin"}
        return subprocess.run([sys.executable, "-m", "wildtrace.cli.main", *args, "--db", db, "--json"],
                              capture_output=True, text=True, env=env, timeout=300)

    made = cli("backup", "--out", str(tmp_path / "bk"), "--passphrase-file", str(secret), db=source.db,
               data=source.data_dir)
    assert made.returncode == 0, made.stderr
    assert json.loads(made.stdout)["rows"]["posts"] == 5
    done = cli("restore", str(tmp_path / "bk"), "--passphrase-file", str(secret), db=str(tmp_path / "b.duckdb"),
               data=str(tmp_path / "b-data"))
    assert done.returncode == 0, done.stderr
    again = cli("restore", str(tmp_path / "bk"), "--passphrase-file", str(secret), db=str(tmp_path / "b.duckdb"),
                data=str(tmp_path / "b-data"))
    assert again.returncode == 1 and again.stderr.strip().splitlines()[-1].startswith("error:")
