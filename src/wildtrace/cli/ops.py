"""``wildtrace doctor``, ``migrate``, ``backup``, ``restore`` and ``keys init``: running an installation."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from wildtrace.cli._common import ConfigOpt, DbOpt, JsonOpt, emit, fail, settings

keys_app = typer.Typer(help="The installation's keys (session signing, pseudonyms).", no_args_is_help=True)
PassFile = Annotated[Path | None, typer.Option("--passphrase-file", help="File with the passphrase of the keys "
                                               "[env: WILDTRACE_BACKUP_PASSPHRASE; else asked].")]


def _passphrase(path: Path | None, confirm: bool) -> str:
    if path is not None:
        return path.read_text(encoding="utf-8").strip()
    if os.environ.get("WILDTRACE_BACKUP_PASSPHRASE"):
        return os.environ["WILDTRACE_BACKUP_PASSPHRASE"]
    return str(typer.prompt("passphrase of the keys", hide_input=True, confirmation_prompt=confirm))


def register(app: typer.Typer) -> None:
    @app.command()
    def doctor(db: DbOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
        """Check the installation: store, data folder, keys, OCR, fonts, Java; exit 1 if a needed check fails."""
        from wildtrace.ops import doctor as run_doctor

        checks = run_doctor(settings(db, config))
        emit([c.__dict__ for c in checks], as_json,
             "\n".join(f"{'ok ' if c.ok else 'FIX' if c.needed else 'opt'}  {c.name:<12} {c.detail}" for c in checks))
        if any(c.needed and not c.ok for c in checks):
            raise typer.Exit(1)

    @app.command()
    def migrate(db: DbOpt = None, config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
        """Bring the store's schema up to this release (every command does it too; this one says what it did)."""
        from wildtrace.store import open_store

        s = settings(db, config)
        with open_store(s.db, migrate=False, create=False, wait=s.store_wait) as st:
            applied = st.migrate()
            after = st.schema_version()
        emit({"applied": applied, "schema_version": after}, as_json,
             f"applied {len(applied)} migrations ({', '.join(f'{v:04d}' for v in applied)}); schema {after}"
             if applied else f"schema {after}: up to date")

    @app.command()
    def backup(out: Annotated[Path, typer.Option("--out", help="A new folder for the backup.")],
               passphrase_file: PassFile = None, db: DbOpt = None, config: ConfigOpt = None,
               as_json: JsonOpt = False) -> None:
        """Back up the store, the data folder (evidence, lexicon layer) and the keys (sealed with a passphrase)."""
        from wildtrace.ops import backup as run_backup
        from wildtrace.store import store_exists

        s = settings(db, config)
        if not store_exists(s.db):  # before asking for the passphrase
            fail(f"there is no store at {s.db} to back up")
        manifest = run_backup(s, out, _passphrase(passphrase_file, confirm=True))
        emit({k: v for k, v in manifest.items() if k != "files"} | {"files": len(manifest["files"])}, as_json,
             f"backed up {sum(manifest['rows'].values())} rows and {len(manifest['files'])} files to {out}")

    @app.command()
    def restore(folder: Path, passphrase_file: PassFile = None, db: DbOpt = None, config: ConfigOpt = None,
                as_json: JsonOpt = False) -> None:
        """Restore a backup into an empty installation (the store named by --db, the data folder of the settings)."""
        from wildtrace.ops import restore as run_restore

        if not (folder / "manifest.json").is_file():  # before asking for the passphrase
            fail(f"{folder} is not a backup: it holds no manifest.json")
        done = run_restore(settings(db, config), folder, _passphrase(passphrase_file, confirm=False))
        emit(done, as_json, f"restored {done['rows']} rows and {done['files']} files into {done['store']}")

    @keys_app.command("init")
    def keys_init(force: Annotated[bool, typer.Option("--force", help="Replace existing keys (signs everyone "
                                                      "out; old pseudonyms no longer match).")] = False,
                  config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
        """Make the session and pseudonym key files (readable by their owner only) where the settings say."""
        from wildtrace.keys import KEYS, key_file, write_key

        s = settings(None, config)
        made = {}
        for name in KEYS:
            path = key_file(s, name)
            if path.exists() and not force:
                made[name] = f"{path} (kept; --force replaces it)"
                continue
            write_key(path)
            made[name] = f"{path} (new)"
        emit(made, as_json, "\n".join(f"{name} key: {where}" for name, where in made.items()))

    app.add_typer(keys_app, name="keys")
