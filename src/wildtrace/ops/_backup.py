"""Back up and restore an installation: the store, the data folder (evidence, lexicon layer, quarantine) and the
keys, sealed with a passphrase, with a manifest of every file's SHA-256.

    DIR/manifest.json       what was backed up: release, schema version, store kind, row counts, file hashes
    DIR/store/              DuckDB: EXPORT DATABASE (schema, load script, Parquet); the engine reads it back
    DIR/store.pgdump        PostgreSQL: pg_dump's custom format
    DIR/data/               the data folder as it was, without keys and caches
    DIR/keys.json           the installation's keys, AES-GCM under a scrypt key of the passphrase

A restore goes into an empty installation only, checks every hash first, and compares the row counts after.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from wildtrace.config import Settings
from wildtrace.evidence import sha256_file
from wildtrace.keys import KEYS, installation_key, key_file, write_key
from wildtrace.ops._secrets import seal, unseal
from wildtrace.store import Store, is_postgres, open_store, store_exists

SKIPPED = {"ocr", "ocr_cache", "spill"}  # caches in the data folder: rebuilt, not backed up


class BackupError(ValueError):
    """A backup or restore that cannot go on; the message says why."""


def row_counts(store: Store) -> dict[str, int]:
    """Rows of every WildTrace table of ``store``."""
    tables = [r["table_name"] for r in store.query(
        "SELECT table_name FROM information_schema.tables WHERE table_schema IN ('main', 'public') "
        "AND table_type = 'BASE TABLE' ORDER BY table_name")]
    return {t: int(store.query(f'SELECT count(*) AS n FROM "{t}"')[0]["n"]) for t in tables}


def pg_tool(name: str) -> str:
    """The newest PostgreSQL client tool ``name`` (pg_dump, pg_restore) on this machine."""
    found = shutil.which(name) or next((str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                                                                   reverse=True)), None)
    if not found:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client (Debian: postgresql-client)")
    return found


def _copy_data(source: Path, target: Path, key_names: set[str]) -> None:
    for path in sorted(source.rglob("*")) if source.is_dir() else []:
        rel = path.relative_to(source)
        if rel.parts[0] in SKIPPED or path.name in key_names or not path.is_file():
            continue
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / rel)


def backup(settings: Settings, out: Path, passphrase: str) -> dict[str, Any]:
    """Write a consistent backup of the installation of ``settings`` to the empty or new folder ``out``."""
    if out.exists() and any(out.iterdir()):
        raise BackupError(f"{out} is not empty: back up into a new folder")
    if not store_exists(settings.db):
        raise BackupError(f"there is no store at {settings.db} to back up")
    keys = {name: installation_key(settings, name).decode() for name in KEYS}
    sealed = seal(keys, passphrase)
    out.mkdir(parents=True, exist_ok=True)
    with open_store(settings.db, wait=settings.store_wait) as store:
        if is_postgres(settings.db):
            subprocess.run([pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={out / 'store.pgdump'}",
                            settings.db], check=True, capture_output=True)
            counts = row_counts(store)
        else:
            with store.transaction():  # the export and the counts see the same snapshot
                store.execute(f"EXPORT DATABASE '{_sql_path(out / 'store')}' (FORMAT PARQUET)")
                counts = row_counts(store)
        schema = store.schema_version()
    key_names = {key_file(settings, name).name for name in KEYS}
    _copy_data(settings.data_path, out / "data", key_names)
    (out / "keys.json").write_text(json.dumps(sealed, indent=1), encoding="utf-8")
    manifest = {
        "wildtrace": version("wildtrace"), "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "store": "postgresql" if is_postgres(settings.db) else "duckdb", "schema_version": schema,
        "rows": counts, "files": {p.relative_to(out).as_posix(): sha256_file(p)
                                  for p in sorted(out.rglob("*")) if p.is_file()},
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def check_backup(folder: Path) -> dict[str, Any]:
    """The manifest of the backup in ``folder`` once every file's hash is checked (BackupError naming each
    missing, altered or unlisted file)."""
    try:
        manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{folder} holds no readable manifest.json: {exc}") from None
    problems = []
    for rel, digest in manifest.get("files", {}).items():
        path = folder / rel
        if not path.is_file():
            problems.append(f"{rel}: missing")
        elif sha256_file(path) != digest:
            problems.append(f"{rel}: altered (its SHA-256 is not the manifest's)")
    listed = set(manifest.get("files", {})) | {"manifest.json"}
    problems += [f"{p.relative_to(folder).as_posix()}: not in the manifest" for p in sorted(folder.rglob("*"))
                 if p.is_file() and p.relative_to(folder).as_posix() not in listed]
    if problems:
        raise BackupError("the backup does not match its manifest: " + "; ".join(problems))
    return manifest


def restore(settings: Settings, folder: Path, passphrase: str) -> dict[str, Any]:
    """Restore the backup in ``folder`` into the empty installation of ``settings``; return what was restored."""
    manifest = check_backup(folder)
    keys = unseal(json.loads((folder / "keys.json").read_text(encoding="utf-8")), passphrase)
    kind = "postgresql" if is_postgres(settings.db) else "duckdb"
    if manifest["store"] != kind:
        raise BackupError(f"this is a backup of a {manifest['store']} store; {settings.db} is {kind}")
    if settings.data_path.exists() and any(settings.data_path.iterdir()):
        raise BackupError(f"the data folder {settings.data_path} is not empty: restore into a new installation")
    if kind == "duckdb":
        if Path(settings.db).exists():
            raise BackupError(f"{settings.db} exists: restore into a new installation")
        with open_store(settings.db, migrate=False) as store:
            store.execute(f"IMPORT DATABASE '{_sql_path(folder / 'store')}'")
    else:
        with open_store(settings.db, migrate=False) as store:
            if row_counts(store):
                raise BackupError(f"the database {settings.db} has tables: restore into an empty database")
        subprocess.run([pg_tool("pg_restore"), "--no-owner", "--exit-on-error", f"--dbname={settings.db}",
                        str(folder / "store.pgdump")], check=True, capture_output=True)
    shutil.copytree(folder / "data", settings.data_path, dirs_exist_ok=True)
    for name, value in keys.items():
        write_key(key_file(settings, name), value)
    with open_store(settings.db) as store:  # migrates a backup made by an earlier release
        counts = row_counts(store)
    differ = {t: (n, counts.get(t)) for t, n in manifest["rows"].items() if counts.get(t, 0) < n}
    if differ:
        raise BackupError(f"restored row counts fall short of the backup's: {differ}")
    return {"from": str(folder), "store": settings.db, "schema_version": manifest["schema_version"],
            "rows": sum(manifest["rows"].values()), "files": len(manifest["files"])}
