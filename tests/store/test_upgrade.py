"""Upgrades: a store made by the previous release, with its data, opens under this release on both backends and
keeps every row; released migrations never change."""

from __future__ import annotations

import gzip
import hashlib
import json
from importlib import resources
from pathlib import Path

from wildtrace.model import Account, Post, Verdict
from wildtrace.ops import row_counts
from wildtrace.store import Store, migration_files, released_migrations

FIXTURE = Path(__file__).parent / "data" / "release-0.1.0.json.gz"


def test_released_migrations_are_unchanged() -> None:
    shipped = {f"{v:04d}_{name}": sql for v, name, sql in migration_files()}
    for release, migrations in released_migrations().items():
        for name, digest in migrations.items():
            assert name in shipped, f"release {release}'s migration {name} is gone"
            text = resources.files("wildtrace.store.migrations").joinpath(f"{name}.sql").read_bytes()
            assert hashlib.sha256(text).hexdigest() == digest, f"release {release}'s migration {name} was edited"


def test_a_store_of_the_previous_release_upgrades_with_its_data(backend_store: Store) -> None:
    """``backend_store`` is migrated; start again from the release's schema in a fresh schema of the same store."""
    made = json.loads(gzip.decompress(FIXTURE.read_bytes()))
    release = made["release"]
    versions = {int(name[:4]) for name in released_migrations()[release]}
    store = backend_store
    for table in [r["table_name"] for r in store.query(
            "SELECT table_name FROM information_schema.tables WHERE table_schema IN ('main', 'public') "
            "AND table_type = 'BASE TABLE'")]:
        store.execute(f'DROP TABLE "{table}" CASCADE')
    assert store.migrate(only=versions) == sorted(versions)
    for table, rows in made["tables"].items():
        if rows:
            cols = list(rows[0])
            store.insert_rows(table, rows, cols, cols[:1])
    before = row_counts(store)
    assert store.pending_migrations() == [v for v, _, _ in migration_files() if v not in versions]
    applied = store.migrate()
    assert applied == [v for v, _, _ in migration_files() if v not in versions] and not store.pending_migrations()
    after = row_counts(store)
    assert {t: after[t] for t in before if t != "schema_migrations"} == {t: n for t, n in before.items()
                                                                       if t != "schema_migrations"}
    post_id = made["tables"]["decisions"][0]["post_id"]
    assert store.get(Post, post_id) is not None and store.get(Verdict, post_id) is not None
    assert store.count(Account) == len(made["tables"]["accounts"])
