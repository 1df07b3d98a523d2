"""Shared fixtures. Stages add their own in ``tests/<stage>/conftest.py``."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.postgres_server import find_bindir, postgres_server
from wildtrace.store import Store, open_store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A migrated DuckDB store in a real file."""
    s = open_store(str(tmp_path / "wildtrace.duckdb"))
    yield s
    s.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for this test session, started from the Debian packages."""
    if find_bindir() is None:
        pytest.skip("PostgreSQL is not installed here (apt-get install postgresql); its store tests are skipped")
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["duckdb", "postgres"])
def backend_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """The same test on every store backend: DuckDB in a file, and a fresh PostgreSQL database."""
    if request.param == "duckdb":
        s = open_store(str(tmp_path / "wildtrace.duckdb"))
    else:
        import psycopg

        base: str = request.getfixturevalue("postgres_url")
        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(base, autocommit=True) as con:
            con.execute(f"CREATE DATABASE {name}")  # type: ignore[arg-type]
        s = open_store(base.rsplit("/", 1)[0] + f"/{name}")
    yield s
    s.close()


@pytest.fixture(scope="session")
def sim_world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated world (seed 7, scale 0.2) written once per test session; see docs/simulate.md for its files."""
    from wildtrace.simulate import simulate

    out = tmp_path_factory.mktemp("sim_world")
    simulate(seed=7, scale=0.2, out=out)
    return out


@pytest.fixture(autouse=True)
def _own_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own data directory (lexicon layer, keys, quarantine), never the working folder's,
    so tests running side by side cannot change each other's screening. The picture cache is shared by the
    session's tests (it is keyed by content), never the user's own."""
    monkeypatch.setenv("WILDTRACE_DATA_DIR", str(tmp_path_factory.mktemp("data_dir")))
    monkeypatch.setenv("WILDTRACE_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "shared_cache"))
